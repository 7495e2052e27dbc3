//! Sharing a workspace: as a link (the Share button) or as a workspace file
//! (download and upload), before either touches the page.

use super::{Error, Workspace};
use bpfplay_core::workspace::document;
use bpfplay_core::workspace::link::{self, WARN_LENGTH};

/// A link to show and copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    pub url: String,
    /// Shown beside the link: its length, and a warning when it is long.
    pub note: String,
    pub long: bool,
}

/// The link of `workspace` on the page at `page` (its address without a fragment).
pub fn share(workspace: &Workspace, page: &str) -> Result<Shared, Error> {
    let link = link::encode(workspace).map_err(Error::Share)?;
    let url = format!("{page}{}", link.fragment);
    let long = url.len() > WARN_LENGTH;
    let mut note = format!("{} characters", url.len());
    if long {
        note.push_str(&format!(
            ": over {WARN_LENGTH}, the length every server must accept (RFC 9110); some will cut it, so the workspace file is the safer way to share this one"
        ));
    }
    Ok(Shared { url, note, long })
}

/// The workspace file's name (after the first tab) and its pretty JSON.
pub fn workspace_file(workspace: &Workspace) -> (String, String) {
    let name: String = workspace.tabs[0]
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        format!("{name}.bpfplay.json"),
        document::to_pretty_json(workspace),
    )
}

/// The largest workspace file the page reads: far above any real workspace (a
/// 4,096-instruction program is about 100 KB of text), far below what would stall the tab.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// Refuses a file by its size alone, before anything reads it, so that a huge file never
/// becomes a string in the page's memory.
pub fn check_file_size(name: &str, bytes: u64) -> Result<(), Error> {
    if bytes <= MAX_FILE_BYTES {
        return Ok(());
    }
    Err(Error::File {
        name: name.to_owned(),
        message: format!(
            "{} MB is too large for a workspace file (at most {} MB); not opened",
            bytes.div_ceil(1 << 20),
            MAX_FILE_BYTES >> 20
        ),
    })
}

/// The workspace of an uploaded file, or what is wrong with it.
pub fn open_file(name: &str, text: &str) -> Result<Workspace, Error> {
    document::from_json(text).map_err(|e| Error::File {
        name: name.to_owned(),
        message: e.to_string(),
    })
}
