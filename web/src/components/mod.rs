pub mod app;
pub mod bpffs;
pub mod command_input;
pub mod console;
pub mod editor;
pub mod listing;
pub mod map_card;
pub mod map_create;
pub mod maps;
pub mod memory;
pub mod registers;
pub mod setup;
pub mod tabs;
pub mod toolbar;
pub mod verifier;

use crate::state::{Action, Workspace};
use yew::prelude::*;

/// The workspace handle every panel receives.
pub type WorkspaceHandle = UseReducerHandle<Workspace>;

/// A callback that dispatches a fixed action.
pub fn dispatch(ws: &WorkspaceHandle, make: impl Fn() -> Action + 'static) -> Callback<MouseEvent> {
    let ws = ws.clone();
    Callback::from(move |_| ws.dispatch(make()))
}

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub ws: WorkspaceHandle,
}

/// Formats bytes as spaced hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
