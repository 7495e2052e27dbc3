//! The versioned form of a workspace kept in browser storage: program text, setup and
//! the whole kernel (so pinned objects survive a reload, as pins outlive processes).

use crate::state::{Engine, Setup, Tab, Workspace};
use bpfplay_core::bpftool::Session;
use bpfplay_core::isa::Profile;
use bpfplay_core::kernel::Kernel;
use bpfplay_core::kernel::snapshot::KernelSnapshot;
use bpfplay_core::linux::ProgType;
use serde::{Deserialize, Serialize};

/// Storage keys. The program text is also kept on its own, so that a damaged
/// workspace never costs the user their program.
pub const WORKSPACE_KEY: &str = "bpfplay.workspace";
pub const SOURCE_KEY: &str = "bpfplay.source";
pub const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct SavedTab {
    /// Version 1 stored one unnamed program.
    #[serde(default = "first_tab_name")]
    name: String,
    source: String,
    prog_type: String,
    profile: String,
    privileged: bool,
    packet: String,
    maps: String,
    #[serde(default)]
    skb: String,
}

fn first_tab_name() -> String {
    String::from("program1")
}

/// Format version 1: a single program beside the kernel.
#[derive(Deserialize)]
struct SavedV1 {
    #[serde(flatten)]
    tab: SavedTab,
    kernel: KernelSnapshot,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    tabs: Vec<SavedTab>,
    active: usize,
    kernel: KernelSnapshot,
}

fn save_tab(tab: &Tab) -> SavedTab {
    let s = &tab.setup;
    SavedTab {
        name: tab.name.clone(),
        source: tab.source.clone(),
        prog_type: s.prog_type.map_or("plain", |t| t.name()).into(),
        profile: s.profile.name().into(),
        privileged: s.privileged,
        packet: s.packet.clone(),
        maps: s.maps.clone(),
        skb: s.skb.clone(),
    }
}

fn load_tab(saved: SavedTab) -> Result<Tab, String> {
    let setup = Setup {
        prog_type: match saved.prog_type.as_str() {
            "plain" => None,
            name => Some(
                ProgType::from_name(name)
                    .ok_or("the saved workspace names an unknown program type")?,
            ),
        },
        profile: Profile::from_name(&saved.profile)
            .ok_or("the saved workspace names an unknown profile")?,
        privileged: saved.privileged,
        packet: saved.packet,
        maps: saved.maps,
        skb: saved.skb,
    };
    Ok(Tab {
        name: saved.name,
        source: saved.source,
        setup,
    })
}

/// The JSON to store for a workspace.
pub fn save(w: &Workspace) -> String {
    let tabs: Vec<SavedTab> = w.tabs.iter().map(save_tab).collect();
    let saved = Saved {
        version: VERSION,
        tabs,
        active: w.active,
        kernel: w.engine.borrow().session.kernel.snapshot(),
    };
    serde_json::to_string(&saved).unwrap_or_default()
}

/// A workspace from stored JSON, or why it cannot be restored.
pub fn load(json: &str) -> Result<Workspace, String> {
    #[derive(Deserialize)]
    struct Header {
        version: u32,
    }
    let header: Header = serde_json::from_str(json)
        .map_err(|e| format!("the saved workspace is not readable ({e})"))?;
    let damaged = |e: serde_json::Error| format!("the saved workspace is damaged ({e})");
    let saved: Saved = match header.version {
        1 => {
            let v1: SavedV1 = serde_json::from_str(json).map_err(damaged)?;
            Saved {
                version: VERSION,
                tabs: vec![v1.tab],
                active: 0,
                kernel: v1.kernel,
            }
        }
        VERSION => serde_json::from_str(json).map_err(damaged)?,
        other => {
            return Err(format!(
                "the saved workspace has format version {other}, this build reads 1 to {VERSION}"
            ));
        }
    };
    let kernel = Kernel::restore(&saved.kernel).map_err(|e| e.to_string())?;
    let tabs = saved
        .tabs
        .into_iter()
        .map(load_tab)
        .collect::<Result<Vec<_>, _>>()?;
    let engine = Engine::with_session(Session::new(kernel));
    Ok(Workspace::restored(engine, tabs, saved.active))
}

/// What the page starts with: the stored workspace, or (with a notice saying why) a
/// fresh one that keeps the stored program text.
pub fn restore_or_default(workspace: Option<String>, source: Option<String>) -> Workspace {
    let Some(json) = workspace else {
        return Workspace::default();
    };
    match load(&json) {
        Ok(w) => w,
        Err(problem) => {
            let mut w = Workspace::default();
            if let Some(source) = source {
                w.reduce_mut(crate::state::Action::Edit(source));
            }
            w.notice = Some(format!(
                "{problem}; started a fresh workspace (your program text was kept)"
            ));
            w
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Action;

    #[test]
    fn pinned_maps_survive_a_save_and_load() {
        let mut w = Workspace::default();
        w.reduce_mut(Action::Console(
            "map create /sys/fs/bpf/kept type array key 4 value 8 entries 2".into(),
        ));
        w.reduce_mut(Action::Edit("r0 = 7\nexit".into()));
        let back = load(&save(&w)).unwrap();
        assert_eq!(back.source(), "r0 = 7\nexit");
        let engine = back.engine.borrow();
        assert_eq!(engine.session.kernel.fs().pins().len(), 1);
    }

    #[test]
    fn damaged_or_newer_storage_is_reported_and_the_text_kept() {
        let w = restore_or_default(Some("{not json".into()), Some("r0 = 1\nexit".into()));
        assert_eq!(w.source(), "r0 = 1\nexit");
        assert!(
            w.notice
                .as_deref()
                .unwrap()
                .starts_with("the saved workspace is not readable")
        );
        let newer = restore_or_default(Some("{\"version\": 99}".into()), None);
        assert!(
            newer
                .notice
                .as_deref()
                .unwrap()
                .contains("format version 99")
        );
        assert_eq!(newer.source(), Workspace::default().source());
    }

    #[test]
    fn a_version_1_workspace_loads_as_one_tab() {
        let mut w = Workspace::default();
        w.reduce_mut(Action::Console(
            "map create /sys/fs/bpf/kept type array key 4 value 8 entries 2".into(),
        ));
        w.reduce_mut(Action::Edit("r0 = 7\nexit".into()));
        // Version 1 kept the program's fields at the top level, unnamed.
        let v2: serde_json::Value = serde_json::from_str(&save(&w)).unwrap();
        let mut v1 = v2["tabs"][0].as_object().unwrap().clone();
        v1.remove("name");
        v1.remove("skb");
        v1.insert("version".into(), 1.into());
        v1.insert("kernel".into(), v2["kernel"].clone());
        let back = load(&serde_json::Value::Object(v1).to_string()).unwrap();
        assert_eq!(
            (back.tabs.len(), back.tabs[0].name.as_str(), back.source()),
            (1, "program1", "r0 = 7\nexit")
        );
        assert_eq!(back.engine.borrow().session.kernel.fs().pins().len(), 1);
    }
}
