//! What can still be read of a damaged document (the autosave after a crash, a quota
//! error or a hand edit): every part that parses is kept, and what was lost is named.
//! The program text matters most, so it is dug out of text that is not even JSON.

use crate::kernel::Kernel;
use crate::kernel::snapshot::KernelSnapshot;
use crate::prelude::*;
use crate::workspace::schema::{Runner, SetupMaps, Tab, Workspace};
use crate::workspace::setup::Setup;
use core::fmt;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A part of a workspace that could not be read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lost {
    /// The tab at this index (1-based) had no readable program text.
    Tab {
        index: usize,
    },
    /// The tab's setup (type, profile, packet, maps); it has the default one.
    Setup {
        tab: String,
    },
    Breakpoints {
        tab: String,
    },
    /// The kernel (maps and their entries, pins, processes); a fresh one replaces it.
    Kernel,
    /// The text was not JSON: only the programs were dug out of it.
    AllButPrograms,
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lost::Tab { index } => write!(f, "tab {index}"),
            Lost::Setup { tab } => write!(f, "the setup of `{tab}`"),
            Lost::Breakpoints { tab } => write!(f, "the breakpoints of `{tab}`"),
            Lost::Kernel => f.write_str("the kernel state (maps, entries, pins, processes)"),
            Lost::AllButPrograms => {
                f.write_str("everything but the program texts (setups, breakpoints, kernel state)")
            }
        }
    }
}

/// A workspace put back together from a damaged document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Salvage {
    pub workspace: Workspace,
    pub lost: Vec<Lost>,
}

/// What can be read of `text`; `None` when not even one program can.
pub fn salvage(text: &str) -> Option<Salvage> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => from_value(&value),
        Err(_) => from_text(text),
    }
}

fn part<T: DeserializeOwned>(value: Option<&Value>) -> Option<T> {
    serde_json::from_value(value?.clone()).ok()
}

fn from_value(value: &Value) -> Option<Salvage> {
    let mut lost = Vec::new();
    // Version 1 kept its one program at the top level.
    let tab_values: Vec<&Value> = match value.get("tabs").and_then(Value::as_array) {
        Some(tabs) => tabs.iter().collect(),
        None => vec![value],
    };
    let mut tabs: Vec<Tab> = Vec::new();
    for (i, v) in tab_values.into_iter().enumerate() {
        let Some(source) = v.get("source").and_then(Value::as_str) else {
            lost.push(Lost::Tab { index: i + 1 });
            continue;
        };
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .map_or_else(|| format!("program{}", i + 1), str::to_owned);
        let setup = part::<Setup>(v.get("setup"))
            .filter(|s| s.check(&name).is_ok())
            .unwrap_or_else(|| {
                lost.push(Lost::Setup { tab: name.clone() });
                Setup::default()
            });
        let breakpoints = match v.get("breakpoints") {
            None => Default::default(),
            Some(b) => part(Some(b)).unwrap_or_else(|| {
                lost.push(Lost::Breakpoints { tab: name.clone() });
                Default::default()
            }),
        };
        tabs.push(Tab {
            breakpoints,
            ..tab(&name, source, setup)
        });
    }
    if tabs.is_empty() {
        return None;
    }
    let mut workspace = Workspace::new(tabs[0].clone());
    let kernel = part::<KernelSnapshot>(value.get("kernel")).filter(|k| Kernel::restore(k).is_ok());
    match kernel {
        Some(kernel) => {
            workspace.kernel = kernel;
            workspace.console_process = part(value.get("console_process")).flatten();
            workspace.setup_maps = part::<Option<SetupMaps>>(value.get("setup_maps")).flatten();
        }
        None => lost.push(Lost::Kernel),
    }
    workspace.runner = part::<Runner>(value.get("runner")).unwrap_or_default();
    workspace.active = part::<usize>(value.get("active"))
        .filter(|a| *a < tabs.len())
        .unwrap_or(0);
    workspace.tabs = unique_names(tabs);
    if workspace.check().is_err() {
        // The processes named do not match the kernel: start the console afresh.
        let fresh = Workspace::new(workspace.tabs[0].clone());
        workspace.console_process = fresh.console_process;
        workspace.setup_maps = None;
        if workspace.check().is_err() {
            workspace.kernel = fresh.kernel;
            lost.push(Lost::Kernel);
        }
    }
    Some(Salvage { workspace, lost })
}

fn tab(name: &str, source: &str, setup: Setup) -> Tab {
    Tab {
        name: name.to_owned(),
        source: source.to_owned(),
        setup,
        breakpoints: Default::default(),
    }
}

/// Tabs keep their names unless two are equal, when the later gets a number.
fn unique_names(mut tabs: Vec<Tab>) -> Vec<Tab> {
    for i in 1..tabs.len() {
        if tabs[..i].iter().any(|t| t.name == tabs[i].name) {
            let base = tabs[i].name.clone();
            let n = (2..)
                .find(|n| !tabs.iter().any(|t| t.name == format!("{base} ({n})")))
                .unwrap_or(2);
            tabs[i].name = format!("{base} ({n})");
        }
    }
    tabs
}

/// Digs `"source": "..."` string literals (and the `"name"` before each) out of text
/// that is not JSON as a whole.
fn from_text(text: &str) -> Option<Salvage> {
    let mut tabs = Vec::new();
    let mut searched = 0;
    while let Some(at) = text[searched..].find("\"source\"") {
        let start = searched + at;
        let before = &text[searched..start];
        searched = start + "\"source\"".len();
        let Some((source, end)) = string_after_colon(text, searched) else {
            continue;
        };
        searched = end;
        let name = before
            .rfind("\"name\"")
            .and_then(|n| string_after_colon(before, n + "\"name\"".len()))
            .map(|(name, _)| name)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("program{}", tabs.len() + 1));
        tabs.push(tab(&name, &source, Setup::default()));
    }
    if tabs.is_empty() {
        return None;
    }
    let mut workspace = Workspace::new(tabs[0].clone());
    workspace.tabs = unique_names(tabs);
    Some(Salvage {
        workspace,
        lost: vec![Lost::AllButPrograms],
    })
}

/// The JSON string after `: ` at `from`, decoded, and where it ends.
fn string_after_colon(text: &str, from: usize) -> Option<(String, usize)> {
    let rest = text[from..].trim_start().strip_prefix(':')?.trim_start();
    let open = text.len() - rest.len();
    if !rest.starts_with('"') {
        return None;
    }
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => {
                let literal = &rest[..=i];
                return serde_json::from_str(literal)
                    .ok()
                    .map(|s| (s, open + i + 1));
            }
            _ => {}
        }
    }
    None
}
