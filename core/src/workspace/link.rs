//! Share links: the workspace document ([`crate::workspace::document`]) as compact JSON,
//! zlib-deflated (its Adler-32 checksum catches corruption) and base64url-encoded (no
//! padding) after `#w=` in the URL fragment, which browsers never send to a server.
//!
//! The document carries its format version, so a link from a newer bpfplay is told
//! apart from a damaged one.

use crate::prelude::*;
use crate::workspace::check::WorkspaceError;
use crate::workspace::document::{self, DocumentError};
use crate::workspace::schema::Workspace;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use core::fmt;
use miniz_oxide::inflate::TINFLStatus;

/// What the fragment starts with.
pub const PREFIX: &str = "#w=";
/// Above this many characters a link gets a warning: RFC 9110 (section 4.1) asks
/// servers and clients to support at least 8,000-octet URIs.
pub const WARN_LENGTH: usize = 8_000;
/// Above this the link is refused (Firefox's URL length limit, 64 KiB); the workspace
/// file carries any size.
pub const MAX_LENGTH: usize = 65_536;
/// A link's JSON may not decompress past this (a small link cannot make the page
/// allocate without bound).
pub const MAX_JSON_BYTES: usize = 4 << 20;
/// Deflate level: the best, as links are made rarely and read by people.
const LEVEL: u8 = 10;

/// A link made from a workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The fragment, `#w=...`.
    pub fragment: String,
}

/// Why a link cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment alone would be `length` characters, over [`MAX_LENGTH`].
    TooLong { length: usize },
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::TooLong { length } => write!(
                f,
                "the link would be {length} characters, over the {MAX_LENGTH} browsers accept; download the workspace file instead"
            ),
        }
    }
}

impl core::error::Error for ShareError {}

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The fragment does not start with `#w=`.
    NotALink,
    /// Longer than [`MAX_LENGTH`]: no browser made it.
    TooLong { length: usize },
    /// A character that base64url does not have, at this position of the fragment.
    NotBase64 { position: usize, character: char },
    /// The data ends early (the link was cut short, e.g. by a chat program).
    Truncated,
    /// The data is damaged: the compressed stream or its checksum is wrong.
    Corrupted,
    /// It decompresses past [`MAX_JSON_BYTES`].
    TooLarge,
    /// The data is not a workspace document, or one this build cannot open.
    Document(DocumentError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("this share link cannot be opened: ")?;
        match self {
            LinkError::NotALink => write!(f, "its fragment does not start with `{PREFIX}`"),
            LinkError::TooLong { length } => write!(
                f,
                "it is {length} characters long, over the {MAX_LENGTH} a link can have"
            ),
            LinkError::NotBase64 {
                position,
                character,
            } => write!(
                f,
                "character {position} of the fragment, {character:?}, is not base64url (A-Z a-z 0-9 - _)"
            ),
            LinkError::Truncated => {
                f.write_str("it is cut short; copy the whole link, or share the workspace file")
            }
            LinkError::Corrupted => {
                f.write_str("its data is damaged (the compressed data or its checksum is wrong)")
            }
            LinkError::TooLarge => write!(
                f,
                "it unpacks to more than {} MiB, more than any workspace link holds",
                MAX_JSON_BYTES >> 20
            ),
            LinkError::Document(DocumentError::NotJson(_)) => {
                f.write_str("its data is damaged (it does not unpack to JSON)")
            }
            LinkError::Document(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for LinkError {}

impl From<WorkspaceError> for LinkError {
    fn from(e: WorkspaceError) -> Self {
        LinkError::Document(DocumentError::Invalid(e))
    }
}

/// The link fragment of a workspace.
pub fn encode(workspace: &Workspace) -> Result<Link, ShareError> {
    let json = document::to_json(workspace);
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), LEVEL);
    let fragment = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed));
    if fragment.len() > MAX_LENGTH {
        return Err(ShareError::TooLong {
            length: fragment.len(),
        });
    }
    Ok(Link { fragment })
}

/// Whether a URL fragment (with its `#`) carries a workspace.
pub fn is_link(fragment: &str) -> bool {
    fragment.starts_with(PREFIX)
}

/// The workspace of a link's fragment (with its `#`), checked so that an engine can be
/// built from it.
pub fn decode(fragment: &str) -> Result<Workspace, LinkError> {
    let data = fragment.strip_prefix(PREFIX).ok_or(LinkError::NotALink)?;
    if fragment.len() > MAX_LENGTH {
        return Err(LinkError::TooLong {
            length: fragment.len(),
        });
    }
    if let Some((i, character)) = data
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(LinkError::NotBase64 {
            position: PREFIX.len() + i + 1,
            character,
        });
    }
    // Only the alphabet is left, so the one base64 error is a length no encoder
    // makes: a cut.
    let packed = URL_SAFE_NO_PAD
        .decode(data)
        .map_err(|_| LinkError::Truncated)?;
    let json = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_JSON_BYTES)
        .map_err(|e| match e.status {
            TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => {
                LinkError::Truncated
            }
            _ => LinkError::Corrupted,
        })?;
    let text = String::from_utf8(json).map_err(|_| LinkError::Corrupted)?;
    document::from_json(&text).map_err(LinkError::Document)
}
