//! The workspace as a versioned JSON document: the workspace file (`NAME.bpfplay.json`,
//! pretty-printed), the autosave and, compressed, the share link all carry it.
//!
//! ```json
//! { "format": "bpfplay-workspace", "version": 3, "tabs": [...], "active": 0,
//!   "runner": "interpreter", "kernel": {...}, "console_process": 100 }
//! ```
//! Versions 1 and 2 were the autosave's earlier forms (setup fields as text); they are
//! still read.

use crate::isa::Profile;
use crate::kernel::snapshot::KernelSnapshot;
use crate::linux::ProgType;
use crate::prelude::*;
use crate::workspace::check::WorkspaceError;
use crate::workspace::schema::{Tab, Workspace};
use crate::workspace::setup::{MapSpec, Setup, SetupError, parse_packet};
use core::fmt;
use serde::{Deserialize, Serialize};

/// The `format` field of every document.
pub const FORMAT: &str = "bpfplay-workspace";
/// The version this build writes; it reads this and the older ones.
pub const VERSION: u32 = 3;

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    #[serde(flatten)]
    workspace: &'a Workspace,
}

/// What the JSON reader said, and where (1-based line and column; 0 when it has no
/// place). Kept as data so that document errors compare and clone like every other.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    /// serde_json's message, which names the line and column itself.
    pub message: String,
}

impl From<serde_json::Error> for JsonError {
    fn from(error: serde_json::Error) -> Self {
        JsonError {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a document cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentError {
    /// Not JSON at all (damaged or cut short).
    NotJson(JsonError),
    /// JSON, but not a workspace document (no `version`, or another `format`).
    NotWorkspace,
    /// Written by a newer bpfplay.
    Newer { found: u32 },
    /// A version no bpfplay wrote.
    UnknownVersion { found: u32 },
    /// A field is missing or has the wrong type or value.
    Field(JsonError),
    /// An old autosave's setup text that no longer parses.
    OldSetup { tab: String, error: SetupError },
    /// The workspace reads but cannot be opened as it is.
    Invalid(WorkspaceError),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::NotJson(e) => write!(f, "it is not readable JSON ({e})"),
            DocumentError::NotWorkspace => write!(
                f,
                "it is JSON but not a bpfplay workspace (no `\"format\": \"{FORMAT}\"` with a `version`)"
            ),
            DocumentError::Newer { found } => write!(
                f,
                "it is workspace format version {found}, newer than this bpfplay reads (up to {VERSION}); update bpfplay"
            ),
            DocumentError::UnknownVersion { found } => {
                write!(
                    f,
                    "it claims workspace format version {found}, which does not exist"
                )
            }
            DocumentError::Field(e) => write!(f, "a field is wrong: {e}"),
            DocumentError::OldSetup { tab, error } => write!(f, "tab `{tab}`: {error}"),
            DocumentError::Invalid(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for DocumentError {}

/// Compact JSON (autosave and share links).
pub fn to_json(workspace: &Workspace) -> String {
    serde_json::to_string(&document(workspace)).expect("a workspace always serialises")
}

/// Pretty JSON (the workspace file).
pub fn to_pretty_json(workspace: &Workspace) -> String {
    serde_json::to_string_pretty(&document(workspace)).expect("a workspace always serialises")
}

fn document(workspace: &Workspace) -> Document<'_> {
    Document {
        format: FORMAT,
        version: VERSION,
        workspace,
    }
}

/// A workspace from a document of any version, checked so that an engine can be built
/// from it.
pub fn from_json(text: &str) -> Result<Workspace, DocumentError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| DocumentError::NotJson(e.into()))?;
    let workspace = from_value(value)?;
    workspace.check().map_err(DocumentError::Invalid)?;
    Ok(workspace)
}

/// The version a document claims, if it is one.
pub(crate) fn version_of(value: &serde_json::Value) -> Result<u32, DocumentError> {
    let format = value.get("format").and_then(|f| f.as_str());
    let version = value.get("version").and_then(|v| v.as_u64());
    match (format, version) {
        (Some(FORMAT) | None, Some(v)) => {
            u32::try_from(v).map_err(|_| DocumentError::Newer { found: u32::MAX })
        }
        _ => Err(DocumentError::NotWorkspace),
    }
}

/// Reads (without checking) a parsed document of any version.
pub(crate) fn from_value(value: serde_json::Value) -> Result<Workspace, DocumentError> {
    match version_of(&value)? {
        VERSION => serde_json::from_value(value).map_err(|e| DocumentError::Field(e.into())),
        2 => {
            let old: SavedV2 =
                serde_json::from_value(value).map_err(|e| DocumentError::Field(e.into()))?;
            old.upgrade()
        }
        1 => {
            let old: SavedV1 =
                serde_json::from_value(value).map_err(|e| DocumentError::Field(e.into()))?;
            SavedV2 {
                tabs: vec![old.tab],
                active: 0,
                kernel: old.kernel,
            }
            .upgrade()
        }
        found if found > VERSION => Err(DocumentError::Newer { found }),
        found => Err(DocumentError::UnknownVersion { found }),
    }
}

/// A tab of versions 1 and 2: the setup as the text fields showed it.
#[derive(Deserialize)]
struct SavedTabV2 {
    /// Version 1 stored one unnamed program.
    #[serde(default = "first_tab_name")]
    name: String,
    source: String,
    prog_type: String,
    profile: String,
    privileged: bool,
    packet: String,
    maps: String,
    #[serde(default)]
    skb: String,
}

fn first_tab_name() -> String {
    String::from("program1")
}

/// Version 1: a single program beside the kernel.
#[derive(Deserialize)]
struct SavedV1 {
    #[serde(flatten)]
    tab: SavedTabV2,
    kernel: KernelSnapshot,
}

#[derive(Deserialize)]
struct SavedV2 {
    tabs: Vec<SavedTabV2>,
    active: usize,
    kernel: KernelSnapshot,
}

impl SavedV2 {
    fn upgrade(self) -> Result<Workspace, DocumentError> {
        let tabs = self
            .tabs
            .into_iter()
            .map(|old| {
                let setup = old.setup().map_err(|error| DocumentError::OldSetup {
                    tab: old.name.clone(),
                    error,
                })?;
                Ok(Tab {
                    name: old.name,
                    source: old.source,
                    setup,
                    breakpoints: Default::default(),
                })
            })
            .collect::<Result<Vec<_>, DocumentError>>()?;
        // These versions started a new console process `main` on every load; the
        // newest is the one that was in use.
        let console_process = self
            .kernel
            .processes
            .iter()
            .filter(|p| p.name == "main")
            .map(|p| p.pid)
            .max();
        Ok(Workspace {
            active: self.active.min(tabs.len().saturating_sub(1)),
            tabs,
            runner: Default::default(),
            kernel: self.kernel,
            console_process,
            setup_maps: None,
        })
    }
}

impl SavedTabV2 {
    fn setup(&self) -> Result<Setup, SetupError> {
        Ok(Setup {
            prog_type: match self.prog_type.as_str() {
                "plain" => None,
                name => Some(
                    ProgType::from_name(name)
                        .ok_or_else(|| SetupError::ProgType(name.to_owned()))?,
                ),
            },
            profile: Profile::from_name(&self.profile)
                .ok_or_else(|| SetupError::Profile(self.profile.clone()))?,
            privileged: self.privileged,
            packet: parse_packet(&self.packet)?,
            skb: self.skb.parse()?,
            maps: MapSpec::parse_list(&self.maps)?,
        })
    }
}
