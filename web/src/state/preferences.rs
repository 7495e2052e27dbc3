//! The reader's preferences: the colour theme and whether the introduction was
//! dismissed. They belong to the browser, not to the workspace: a share link or a
//! workspace file carries programs and kernels, never the sender's theme, so they are
//! stored under their own key as a small versioned JSON document whose every field
//! has a default (a document missing a field, or written before the field existed,
//! still loads).

use serde::{Deserialize, Serialize};

/// Browser storage key of the preferences.
pub const PREFERENCES_KEY: &str = "bpfplay.preferences";

/// The version this build writes; every field defaults, so older versions read as is.
const VERSION: u32 = 1;

/// A colour theme the reader chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    /// The other theme (what the theme button switches to).
    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }

    /// The class of the page in this theme.
    pub fn class(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// The theme chosen with the theme button; `None` follows the system's
    /// `prefers-color-scheme`.
    #[serde(default)]
    pub theme: Option<Theme>,
    /// The first-visit introduction was closed; the `?` button shows it again.
    #[serde(default)]
    pub intro_dismissed: bool,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    #[serde(flatten)]
    preferences: &'a Preferences,
}

impl Preferences {
    /// The preferences a store holds; nothing stored, or text this build cannot read
    /// (damaged, or from a newer version with a changed meaning), gives the defaults:
    /// a preference is never worth an error message.
    pub fn from_stored(stored: Option<&str>) -> Preferences {
        stored
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// The text stored for these preferences.
    pub fn stored_text(&self) -> String {
        serde_json::to_string(&Document {
            version: VERSION,
            preferences: self,
        })
        .expect("preferences always serialise")
    }

    /// The theme shown: the one chosen, else the system's (`system_light` is whether
    /// `prefers-color-scheme` is light).
    pub fn theme(&self, system_light: bool) -> Theme {
        self.theme.unwrap_or(if system_light {
            Theme::Light
        } else {
            Theme::Dark
        })
    }
}
