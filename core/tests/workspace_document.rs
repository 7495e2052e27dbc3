//! The workspace file and the autosave: the document round trip, older versions, and
//! what a damaged store gives back.

mod common;

use bpfplay_core::workspace::document::{self, DocumentError};
use bpfplay_core::workspace::salvage::{Lost, salvage};
use bpfplay_core::workspace::{Setup, Tab};
use serde_json::{Value, json};

#[test]
fn the_file_is_pretty_json_with_format_and_version_and_reads_back() {
    let workspace = common::typical();
    let text = document::to_pretty_json(&workspace);
    assert!(text.starts_with("{\n  \"format\": \"bpfplay-workspace\",\n  \"version\": 3,\n"));
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["tabs"][0]["setup"]["prog_type"], "sched_cls");
    assert_eq!(
        value["tabs"][0]["setup"]["packet"].as_str().unwrap().len(),
        60 * 3 - 1
    );
    assert_eq!(document::from_json(&text).unwrap(), workspace);
}

#[test]
fn a_version_2_autosave_reads_with_its_setup_text_parsed() {
    let workspace = common::typical();
    let v2 = json!({
        "version": 2,
        "tabs": [{
            "name": "ingress", "source": "r0 = 0\nexit\n", "prog_type": "sched_cls",
            "profile": "linux-4.4", "privileged": false, "packet": "01 02",
            "maps": "hash:4:8:16", "skb": "mark=3"
        }],
        "active": 0,
        "kernel": serde_json::to_value(&workspace.kernel).unwrap(),
    });
    let back = document::from_json(&v2.to_string()).unwrap();
    let tab = &back.tabs[0];
    assert_eq!(
        (tab.name.as_str(), tab.source.as_str()),
        ("ingress", "r0 = 0\nexit\n")
    );
    assert_eq!(
        (
            tab.setup.packet.clone(),
            tab.setup.skb.to_string(),
            tab.setup.privileged
        ),
        (vec![1, 2], String::from("mark=3"), false)
    );
    assert_eq!(back.kernel, workspace.kernel);
    assert_eq!(back.console_process, workspace.console_process);
    let bad = v2.to_string().replace("mark=3", "mark=x");
    assert!(matches!(
        document::from_json(&bad),
        Err(DocumentError::OldSetup { ref tab, .. }) if tab == "ingress"
    ));
}

#[test]
fn a_version_1_autosave_reads_as_one_tab() {
    let workspace = common::typical();
    let v1 = json!({
        "version": 1, "source": "r0 = 7\nexit", "prog_type": "plain", "profile": "rfc9669",
        "privileged": true, "packet": "", "maps": "",
        "kernel": serde_json::to_value(&workspace.kernel).unwrap(),
    });
    let back = document::from_json(&v1.to_string()).unwrap();
    assert_eq!(
        (
            back.tabs.len(),
            back.tab().name.as_str(),
            back.tab().source.as_str()
        ),
        (1, "program1", "r0 = 7\nexit")
    );
    assert_eq!(back.tab().setup.prog_type, None);
}

fn two_tabs() -> bpfplay_core::workspace::Workspace {
    let mut workspace = common::typical();
    workspace.tabs.push(Tab {
        name: String::from("egress \"two\""),
        source: String::from("r0 = 2 ; \"quoted\" \\ text\nexit\n"),
        setup: Setup::default(),
        breakpoints: [1].into(),
    });
    workspace
}

#[test]
fn text_cut_short_keeps_every_program_that_is_whole() {
    let workspace = two_tabs();
    let text = document::to_json(&workspace);
    // Cut inside the kernel, after both tabs.
    let cut = text.find("\"kernel\"").unwrap() + 40;
    let back = salvage(&text[..cut]).unwrap();
    assert_eq!(back.lost, vec![Lost::AllButPrograms]);
    let programs: Vec<(&str, &str)> = back
        .workspace
        .tabs
        .iter()
        .map(|t| (t.name.as_str(), t.source.as_str()))
        .collect();
    let expected: Vec<(&str, &str)> = workspace
        .tabs
        .iter()
        .map(|t| (t.name.as_str(), t.source.as_str()))
        .collect();
    assert_eq!(programs, expected);
    assert!(back.workspace.check().is_ok());
}

#[test]
fn damaged_parts_are_named_and_the_rest_kept() {
    let workspace = two_tabs();
    let mut value: Value = serde_json::from_str(&document::to_json(&workspace)).unwrap();
    value["kernel"]["objects"] = json!("garbage");
    value["tabs"][1]["setup"]["maps"] =
        json!([{"type": "array", "key_size": 0, "value_size": 8, "max_entries": 1}]);
    value["tabs"][1]["breakpoints"] = json!("x");
    value["tabs"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "no source"}));
    let back = salvage(&value.to_string()).unwrap();
    assert_eq!(
        back.lost,
        vec![
            Lost::Setup {
                tab: String::from("egress \"two\"")
            },
            Lost::Breakpoints {
                tab: String::from("egress \"two\"")
            },
            Lost::Tab { index: 3 },
            Lost::Kernel,
        ]
    );
    assert_eq!(back.workspace.tabs[0], workspace.tabs[0]);
    assert_eq!(back.workspace.tabs[1].source, workspace.tabs[1].source);
    assert_eq!(back.workspace.tabs[1].setup, Setup::default());
    assert!(back.workspace.check().is_ok());
    assert_eq!(
        back.lost
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        "the setup of `egress \"two\"`; the breakpoints of `egress \"two\"`; tab 3; the kernel state (maps, entries, pins, processes)"
    );
}

#[test]
fn text_without_a_program_gives_nothing() {
    assert_eq!(salvage("garbage"), None);
    assert_eq!(salvage("{\"tabs\": []}"), None);
}
