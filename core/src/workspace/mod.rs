//! The bpfplay workspace as one value: what the playground shows (tabs with their
//! programs, setups and breakpoints, the engine choice, the emulated kernel with its
//! maps, pins and processes) as plain serde data with value equality.
//!
//! One schema, three carriers:
//!
//! | carrier | module | form |
//! |---|---|---|
//! | workspace file `NAME.bpfplay.json`, the CLI's `bpfplay run` | [`document`] | pretty JSON with `format` and `version` |
//! | browser storage (autosave) | [`document`], [`salvage`] | compact JSON; a damaged store gives back what can still be read |
//! | share link | [`link`] | compact JSON, zlib-deflated, base64url, in the URL fragment |
//!
//! The live engine (kernel, debugger, step history) is not in here: the playground
//! builds it from a [`Workspace`] and the CLI runs a tab of one ([`run`]).

pub mod check;
pub mod document;
pub mod link;
pub mod run;
pub mod salvage;
mod schema;
pub mod setup;

pub use check::WorkspaceError;
pub use schema::{Runner, SetupMaps, Tab, Workspace};
pub use setup::{MapSpec, Setup, SkbField, SkbFields};
