//! The workspace's data.

use crate::bpftool::Session;
use crate::kernel::snapshot::KernelSnapshot;
use crate::prelude::*;
use crate::workspace::setup::{MapSpec, Setup};
use alloc::collections::BTreeSet;
use serde::{Deserialize, Serialize};

/// Everything needed to reproduce what the user sees, and nothing derived from it
/// (listings, verifier verdicts and runs are rebuilt from this).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// The programs, never empty; `prog load NAME` in the console finds them by name.
    pub tabs: Vec<Tab>,
    /// The tab being edited and debugged.
    pub active: usize,
    /// What Run uses from the start of a program.
    #[serde(default)]
    pub runner: Runner,
    /// The emulated kernel: processes with their fds, maps with their entries,
    /// programs, pins, trace output (core's versioned snapshot).
    pub kernel: KernelSnapshot,
    /// The process the console's commands run as (`process use` changes it).
    #[serde(default)]
    pub console_process: Option<u32>,
    /// The maps the active setup made, so that a rebuilt engine reuses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_maps: Option<SetupMaps>,
}

/// One program of the workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tab {
    pub name: String,
    pub source: String,
    pub setup: Setup,
    /// Instruction slots to stop before.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub breakpoints: BTreeSet<usize>,
}

/// The engine Run uses from the start of a program (stepping always interprets).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Runner {
    #[default]
    Interpreter,
    /// The eBPF→WebAssembly JIT, checked against the interpreter.
    WasmJit,
}

/// The maps a setup created: which specs and privilege made them, the process that
/// holds them, and their (map index, fd) bindings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupMaps {
    pub maps: Vec<MapSpec>,
    pub privileged: bool,
    pub pid: u32,
    pub fds: Vec<(u32, u32)>,
}

impl Workspace {
    /// A workspace of one tab over a fresh kernel whose console runs as `main`.
    pub fn new(tab: Tab) -> Self {
        let session = Session::default();
        Workspace {
            tabs: vec![tab],
            active: 0,
            runner: Runner::default(),
            kernel: session.kernel.snapshot(),
            console_process: session.current(),
            setup_maps: None,
        }
    }

    /// The active tab.
    pub fn tab(&self) -> &Tab {
        &self.tabs[self.active.min(self.tabs.len().saturating_sub(1))]
    }

    /// The tab named `name`.
    pub fn tab_named(&self, name: &str) -> Option<&Tab> {
        self.tabs.iter().find(|t| t.name == name)
    }
}
