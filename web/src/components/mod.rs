pub mod app;
pub mod bpffs;
pub mod command_input;
pub mod committed_input;
pub mod console;
pub mod console_lines;
pub mod copy;
pub mod editor;
pub mod intro;
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
pub mod virtual_list;
pub mod workspace_bar;

use crate::state::{Action, WorkspaceHandle};
use yew::prelude::*;

/// A callback that dispatches a fixed action.
pub fn dispatch(ws: &WorkspaceHandle, make: impl Fn() -> Action + 'static) -> Callback<MouseEvent> {
    let ws = ws.clone();
    Callback::from(move |_| ws.dispatch(make()))
}
