//! What can go wrong in the playground, typed; every error reaches the user as a
//! [`Notice`] that says what and where.

use bpfplay_core::asm::AsmError;
use bpfplay_core::bpftool;
use bpfplay_core::kernel::UnboundMapIndex;
use bpfplay_core::workspace::WorkspaceError;
use bpfplay_core::workspace::link::{LinkError, ShareError};
use bpfplay_core::workspace::run::MapCreateError;
use bpfplay_core::workspace::setup::SetupError;
use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// A setup field's text.
    Setup(SetupError),
    Assemble(AsmError),
    /// The setup's maps could not be created.
    Maps(MapCreateError),
    /// A setup map the kernel would refuse.
    MapSpec(WorkspaceError),
    /// A program's map reference has no map.
    Bind(UnboundMapIndex),
    /// A form's fields.
    Form(String),
    Run(String),
    Jit(String),
    /// A workspace (from a link, a file or the store) cannot be opened.
    Workspace(WorkspaceError),
    Link(LinkError),
    Share(ShareError),
    /// A workspace file, by name.
    File {
        name: String,
        message: String,
    },
    /// Browser storage: a write refused, or a store that cannot be read.
    Storage(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Setup(e) => e.fmt(f),
            Error::Assemble(e) => write!(f, "assembler: {e}"),
            Error::Maps(e) => e.fmt(f),
            Error::MapSpec(e) => e.fmt(f),
            // Worded as bpftool words it, as the CLI does.
            Error::Bind(e) => bpftool::Error::from(*e).fmt(f),
            Error::Form(e) => f.write_str(e),
            Error::Run(e) => f.write_str(e),
            Error::Jit(e) => write!(f, "wasm JIT: {e}"),
            Error::Workspace(e) => write!(f, "the workspace cannot be opened: {e}"),
            Error::Link(e) => e.fmt(f),
            Error::Share(e) => e.fmt(f),
            Error::File { name, message } => write!(f, "{name}: {message}"),
            Error::Storage(e) => write!(f, "browser storage: {e}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Whether the error comes from the active tab's program or setup, so that it is
    /// out of date once either changes.
    fn is_about_tab(&self) -> bool {
        matches!(
            self,
            Error::Setup(_)
                | Error::Assemble(_)
                | Error::Maps(_)
                | Error::MapSpec(_)
                | Error::Bind(_)
                | Error::Run(_)
                | Error::Jit(_)
        )
    }
}

/// A message for the user above the panels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    /// An error (shown in red) or information.
    pub error: bool,
    /// About the active tab's program or setup: it goes when either changes (or the
    /// tab does), as its cause may be gone.
    pub about_tab: bool,
    /// What the notice offers to do instead.
    pub offer: Option<Offer>,
}

/// An action a notice offers, as a button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Run the program in the plain VM, without the verifier (after a rejection).
    RunUnverified,
}

impl Notice {
    pub fn info(text: String) -> Notice {
        Notice {
            text,
            error: false,
            about_tab: false,
            offer: None,
        }
    }
}

impl From<Error> for Notice {
    fn from(e: Error) -> Notice {
        Notice {
            text: e.to_string(),
            error: true,
            about_tab: e.is_about_tab(),
            offer: None,
        }
    }
}
