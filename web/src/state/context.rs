//! The playground as a Yew context: the App provides it, every component takes it
//! with [`use_workspace`] instead of receiving it through props at every level.

use super::Playground;
use yew::prelude::*;

/// The playground and its dispatcher.
pub type WorkspaceHandle = UseReducerHandle<Playground>;

/// The playground the App provides.
///
/// # Panics
/// Outside the App's context provider (a programming error, not a user's).
#[hook]
pub fn use_workspace() -> WorkspaceHandle {
    use_context::<WorkspaceHandle>().expect("components render inside the App's ContextProvider")
}
