//! What a workspace from outside (a link, a file, the store) must satisfy before the
//! playground builds an engine from it: the checks the kernel would make, made first.

use crate::kernel::snapshot::SnapshotError;
use crate::kernel::{Kernel, Settings};
use crate::linux::Errno;
use crate::prelude::*;
use crate::workspace::schema::Workspace;
use crate::workspace::setup::{MapSpec, Setup};
use alloc::collections::BTreeSet;
use core::fmt;

/// Why a workspace cannot be opened; says where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkspaceError {
    NoTabs,
    ActiveOutOfRange {
        active: usize,
        tabs: usize,
    },
    /// The tab at this index (1-based) has an empty name.
    EmptyTabName {
        tab: usize,
    },
    DuplicateTabName {
        name: String,
    },
    /// BPF_MAP_CREATE would refuse the tab's `index`-th (1-based) map.
    Map {
        tab: String,
        index: usize,
        spec: MapSpec,
        errno: Errno,
    },
    Kernel(SnapshotError),
    /// The console's or the setup maps' process is not in the kernel.
    MissingProcess {
        role: &'static str,
        pid: u32,
    },
    /// The setup maps' process does not hold this fd.
    MissingSetupMapFd {
        fd: u32,
    },
}

impl fmt::Display for WorkspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkspaceError::NoTabs => f.write_str("the workspace has no tabs"),
            WorkspaceError::ActiveOutOfRange { active, tabs } => write!(
                f,
                "the active tab is number {} but the workspace has {tabs}",
                active + 1
            ),
            WorkspaceError::EmptyTabName { tab } => write!(f, "tab {tab} has no name"),
            WorkspaceError::DuplicateTabName { name } => {
                write!(f, "two tabs are named `{name}`")
            }
            WorkspaceError::Map {
                tab,
                index,
                spec,
                errno,
            } => write!(
                f,
                "tab `{tab}`, map {index} ({spec}): the kernel refuses it ({errno})"
            ),
            WorkspaceError::Kernel(e) => e.fmt(f),
            WorkspaceError::MissingProcess { role, pid } => {
                write!(f, "the {role} process {pid} is not in the kernel state")
            }
            WorkspaceError::MissingSetupMapFd { fd } => {
                write!(f, "the setup maps' process holds no fd {fd}")
            }
        }
    }
}

impl core::error::Error for WorkspaceError {}

impl Workspace {
    /// Checks everything an engine needs, and returns the restored kernel.
    pub fn check(&self) -> Result<Kernel, WorkspaceError> {
        if self.tabs.is_empty() {
            return Err(WorkspaceError::NoTabs);
        }
        if self.active >= self.tabs.len() {
            return Err(WorkspaceError::ActiveOutOfRange {
                active: self.active,
                tabs: self.tabs.len(),
            });
        }
        let mut names = BTreeSet::new();
        for (i, tab) in self.tabs.iter().enumerate() {
            if tab.name.trim().is_empty() {
                return Err(WorkspaceError::EmptyTabName { tab: i + 1 });
            }
            if !names.insert(tab.name.as_str()) {
                return Err(WorkspaceError::DuplicateTabName {
                    name: tab.name.clone(),
                });
            }
            tab.setup.check(&tab.name)?;
        }
        let kernel = Kernel::restore(&self.kernel).map_err(WorkspaceError::Kernel)?;
        if let Some(pid) = self.console_process
            && kernel.process(pid).is_none()
        {
            return Err(WorkspaceError::MissingProcess {
                role: "console's",
                pid,
            });
        }
        if let Some(bound) = &self.setup_maps {
            if kernel.process(bound.pid).is_none() {
                return Err(WorkspaceError::MissingProcess {
                    role: "setup maps'",
                    pid: bound.pid,
                });
            }
            if let Some((_, fd)) = bound
                .fds
                .iter()
                .find(|(_, fd)| kernel.fd_object(bound.pid, *fd).is_err())
            {
                return Err(WorkspaceError::MissingSetupMapFd { fd: *fd });
            }
        }
        Ok(kernel)
    }
}

impl Setup {
    /// Creates each map in a scratch kernel without a memlock limit: what BPF_MAP_CREATE
    /// refuses whatever the machine (a zero or oversized key, an array key that is not 4
    /// bytes...). `tab` names the tab in the error.
    pub fn check(&self, tab: &str) -> Result<(), WorkspaceError> {
        let mut scratch = Kernel::new(Settings {
            memlock_pages: None,
            ..Settings::default()
        });
        let pid = scratch.spawn("check", 0);
        for (i, spec) in self.maps.iter().enumerate() {
            let fd =
                scratch
                    .map_create(pid, spec.attr(), "")
                    .map_err(|errno| WorkspaceError::Map {
                        tab: tab.to_owned(),
                        index: i + 1,
                        spec: *spec,
                        errno,
                    })?;
            let _ = scratch.close(pid, fd);
        }
        Ok(())
    }
}
