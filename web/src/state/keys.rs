//! The keyboard shortcuts, as Chrome DevTools (F8, F10, F11) and the Rust Playground
//! and Compiler Explorer (Ctrl+Enter, Cmd+Enter on macOS) taught them.

use super::Action;

/// The action of a key press (`key` as `KeyboardEvent.key` names it), if it is a
/// shortcut; the page takes such a key from the browser and from the editor.
pub fn shortcut(key: &str, shift: bool, ctrl_or_cmd: bool) -> Option<Action> {
    match (key, shift, ctrl_or_cmd) {
        ("F8", _, _) | ("Enter", _, true) => Some(Action::Continue),
        ("F11", true, _) => Some(Action::StepBack),
        ("F10" | "F11", false, _) => Some(Action::Step),
        _ => None,
    }
}
