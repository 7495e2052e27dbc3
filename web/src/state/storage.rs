//! What the page opens with: the autosave (the workspace document of
//! [`bpfplay_core::workspace::document`]), what can be saved of a damaged one, and a share
//! link in the address, which never silently replaces the user's own work: the
//! workspace it replaced stays one click away, across reloads too.

use super::{Action, Error, Notice, Origin, Playground, Preferences};
pub use bpfplay_core::workspace::link::is_link;
use bpfplay_core::workspace::{Workspace, document, link, salvage};
use std::rc::Rc;

/// Browser storage keys: the autosaved workspace, and the workspace that opening a link
/// or file replaced.
pub const WORKSPACE_KEY: &str = "bpfplay.workspace";
pub const REPLACED_KEY: &str = "bpfplay.replaced";

/// The text the autosave stores for `workspace` (the workspace document, compact).
pub fn stored_text(workspace: &Workspace) -> String {
    document::to_json(workspace)
}

/// What the storage held before this format: the same JSON, quoted once more.
fn unquote(stored: String) -> String {
    serde_json::from_str::<String>(&stored).unwrap_or(stored)
}

/// The autosaved workspace; a damaged one gives back what can be read, with a notice
/// saying what was lost.
pub fn restore(stored: Option<String>) -> Playground {
    let Some(text) = stored.map(unquote) else {
        return Playground::default();
    };
    let problem = match document::from_json(&text) {
        Ok(workspace) => match Playground::open(workspace) {
            Ok(p) => return p,
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    };
    let Some(salvage) = salvage::salvage(&text) else {
        return Playground {
            notice: Some(Notice::from(Error::Storage(format!(
                "the saved workspace could not be read at all ({problem}); this is a fresh one"
            )))),
            ..Playground::default()
        };
    };
    let lost: Vec<String> = salvage.lost.iter().map(ToString::to_string).collect();
    let mut p = Playground::open(salvage.workspace).unwrap_or_default();
    p.notice = Some(Notice {
        text: format!(
            "The saved workspace was damaged ({problem}). Kept every program; lost: {}.",
            lost.join("; ")
        ),
        error: true,
        about_tab: false,
        offer: None,
    });
    p
}

/// The page's playground: the autosave and the stored preferences, then the link of
/// `fragment` (if any) opened over it, and the workspace a link or file replaced
/// earlier.
pub fn open_page(
    stored: Option<String>,
    replaced: Option<String>,
    preferences: Option<String>,
    fragment: &str,
) -> Playground {
    let mut p = restore(stored);
    p.preferences = Preferences::from_stored(preferences.as_deref());
    if let Some(workspace) = replaced
        .map(unquote)
        .and_then(|text| document::from_json(&text).ok())
    {
        p.replaced = Some(Rc::new(workspace));
    }
    if is_link(fragment) {
        match link::decode(fragment) {
            Ok(workspace) if workspace == **p.workspace() => {}
            Ok(workspace) => p.reduce_mut(Action::Open(Box::new(workspace), Origin::Link)),
            Err(e) => p.reduce_mut(Action::Notice(Some(Notice::from(Error::Link(e))))),
        }
    }
    p
}
