//! Share links: the round trip over generated workspaces, the typical length, and every
//! way a link can be bad, each with its message.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bpfplay_core::isa::Profile;
use bpfplay_core::linux::{MapType, ProgType};
use bpfplay_core::workspace::link::{self, LinkError, MAX_LENGTH, ShareError};
use bpfplay_core::workspace::{MapSpec, Runner, Setup, SkbField, SkbFields, Tab, Workspace};
use proptest::prelude::*;

/// The README quotes this figure; a change of format that lengthens links shows here.
#[test]
fn the_typical_workspace_makes_a_link_under_1500_characters() {
    let workspace = common::typical();
    let link = link::encode(&workspace).unwrap();
    println!("typical workspace link: {} characters", link.fragment.len());
    assert!(link.fragment.len() < 1_500, "{}", link.fragment.len());
    assert_eq!(link::decode(&link.fragment).unwrap(), workspace);
}

/// A link carrying `json` as it is, deflated and encoded as the encoder does.
fn link_of(json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6);
    format!("{}{}", link::PREFIX, URL_SAFE_NO_PAD.encode(packed))
}

fn message(fragment: &str) -> String {
    link::decode(fragment).unwrap_err().to_string()
}

fn typical_link() -> String {
    link::encode(&common::typical()).unwrap().fragment
}

#[test]
fn a_truncated_link_says_it_was_cut() {
    let full = typical_link();
    for cut in [
        full.len() - 1,
        full.len() - 2,
        full.len() / 2,
        link::PREFIX.len() + 3,
    ] {
        let e = link::decode(&full[..cut]).unwrap_err();
        assert!(matches!(e, LinkError::Truncated), "cut at {cut}: {e:?}");
    }
    assert_eq!(
        message(&full[..full.len() / 2]),
        "this share link cannot be opened: it is cut short; copy the whole link, or share the workspace file"
    );
}

#[test]
fn a_corrupted_link_fails_its_checksum() {
    let full = typical_link();
    let mut bytes = full.into_bytes();
    // Flip one character in the middle for another of the alphabet.
    let i = bytes.len() / 2;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    let corrupted = String::from_utf8(bytes).unwrap();
    let e = link::decode(&corrupted).unwrap_err();
    assert!(matches!(e, LinkError::Corrupted), "{e:?}");
    assert_eq!(
        e.to_string(),
        "this share link cannot be opened: its data is damaged (the compressed data or its checksum is wrong)"
    );
}

#[test]
fn a_link_that_is_not_base64url_names_the_character() {
    let full = typical_link();
    let bad = format!("{}+{}", &full[..10], &full[11..]);
    assert_eq!(
        message(&bad),
        "this share link cannot be opened: character 11 of the fragment, '+', is not base64url (A-Z a-z 0-9 - _)"
    );
    assert!(matches!(
        link::decode("#w=abc<script>"),
        Err(LinkError::NotBase64 {
            position: 7,
            character: '<'
        })
    ));
}

#[test]
fn a_fragment_without_the_prefix_is_not_a_link() {
    assert!(!link::is_link("#section-2"));
    assert_eq!(
        message("#section-2"),
        "this share link cannot be opened: its fragment does not start with `#w=`"
    );
}

#[test]
fn a_link_over_64_kib_is_refused_both_ways() {
    let long = format!("{}{}", link::PREFIX, "A".repeat(MAX_LENGTH));
    assert_eq!(
        message(&long),
        format!(
            "this share link cannot be opened: it is {} characters long, over the 65536 a link can have",
            MAX_LENGTH + 3
        )
    );
    // Random text does not compress: a 60 KB program makes too long a link.
    let mut workspace = common::typical();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    workspace.tabs[0].source = (0..60_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect();
    let e = link::encode(&workspace).unwrap_err();
    assert!(matches!(e, ShareError::TooLong { length } if length > MAX_LENGTH));
    assert!(
        e.to_string()
            .ends_with("download the workspace file instead")
    );
}

#[test]
fn a_link_that_decompresses_past_the_limit_is_refused() {
    // 8 MB of spaces deflate to a few KB.
    let bomb = link_of(&" ".repeat(8 << 20));
    assert!(bomb.len() < MAX_LENGTH);
    assert_eq!(
        message(&bomb),
        "this share link cannot be opened: it unpacks to more than 4 MiB, more than any workspace link holds"
    );
}

#[test]
fn a_link_from_a_newer_version_says_so() {
    let json = bpfplay_core::workspace::document::to_json(&common::typical())
        .replace("\"version\":3", "\"version\":4");
    assert_eq!(
        message(&link_of(&json)),
        "this share link cannot be opened: it is workspace format version 4, newer than this bpfplay reads (up to 3); update bpfplay"
    );
}

#[test]
fn a_link_whose_data_is_not_a_workspace_says_so() {
    assert_eq!(
        message(&link_of("{\"hello\": 1}")),
        "this share link cannot be opened: it is JSON but not a bpfplay workspace (no `\"format\": \"bpfplay-workspace\"` with a `version`)"
    );
    assert_eq!(
        message(&link_of("not json")),
        "this share link cannot be opened: its data is damaged (it does not unpack to JSON)"
    );
    let json = bpfplay_core::workspace::document::to_json(&common::typical())
        .replace("\"sched_cls\"", "\"xdp\"");
    assert!(
        message(&link_of(&json)).starts_with(
            "this share link cannot be opened: a field is wrong: unknown program type `xdp` (socket_filter, kprobe, sched_cls, sched_act or plain)"
        ),
        "{}",
        message(&link_of(&json))
    );
}

#[test]
fn a_link_with_fields_the_kernel_would_refuse_names_them() {
    let mut workspace = common::typical();
    workspace.tabs[0].setup.maps = vec![MapSpec {
        map_type: MapType::Array,
        key_size: 8,
        value_size: 8,
        max_entries: 4,
    }];
    let json = bpfplay_core::workspace::document::to_json(&workspace);
    assert_eq!(
        message(&link_of(&json)),
        "this share link cannot be opened: tab `program1`, map 1 (array:8:8:4): the kernel refuses it (EINVAL: Invalid argument)"
    );
    let json = bpfplay_core::workspace::document::to_json(&common::typical())
        .replace("\"active\":0", "\"active\":3");
    assert_eq!(
        message(&link_of(&json)),
        "this share link cannot be opened: the active tab is number 4 but the workspace has 1"
    );
    let mut workspace = common::typical();
    workspace.kernel.pins[0].object = 999;
    assert!(
        message(&link_of(&bpfplay_core::workspace::document::to_json(
            &workspace
        )))
        .starts_with("this share link cannot be opened: the saved kernel state is damaged: "),
    );
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_.-]{0,12}"
}

fn setup() -> impl Strategy<Value = Setup> {
    let prog_type = prop_oneof![
        Just(None),
        proptest::sample::select(ProgType::ALL.to_vec()).prop_map(Some)
    ];
    let map = (
        proptest::sample::select(vec![MapType::Hash, MapType::Array]),
        1u32..64,
        1u32..5,
    )
        .prop_map(|(map_type, value_size, max_entries)| MapSpec {
            map_type,
            key_size: 4,
            value_size,
            max_entries,
        });
    let skb = proptest::collection::btree_map(
        proptest::sample::select(SkbField::ALL.to_vec()),
        0u32..0x1_0000,
        0..4,
    )
    .prop_map(SkbFields);
    (
        prog_type,
        proptest::sample::select(Profile::ALL.to_vec()),
        any::<bool>(),
        proptest::collection::vec(any::<u8>(), 0..80),
        skb,
        proptest::collection::vec(map, 0..3),
    )
        .prop_map(
            |(prog_type, profile, privileged, packet, skb, maps)| Setup {
                prog_type,
                profile,
                privileged,
                packet,
                skb,
                maps,
            },
        )
}

fn tab() -> impl Strategy<Value = Tab> {
    (
        name(),
        any::<String>(),
        setup(),
        proptest::collection::btree_set(0usize..200, 0..5),
    )
        .prop_map(|(name, source, setup, breakpoints)| Tab {
            name,
            source,
            setup,
            breakpoints,
        })
}

/// Console commands that give the kernel maps with entries, pins and processes.
fn kernel_commands() -> impl Strategy<Value = Vec<String>> {
    let map = (
        "[a-z][a-z0-9_]{0,12}",
        1u32..5,
        proptest::collection::vec((any::<u8>(), any::<u64>()), 0..6),
    )
        .prop_map(|(name, entries, values)| {
            let mut commands = vec![format!(
                "map create /sys/fs/bpf/{name} type hash key 4 value 8 entries {} name m",
                entries + 6
            )];
            commands.extend(values.into_iter().map(|(key, value)| {
                let bytes: Vec<String> = value.to_le_bytes().iter().map(u8::to_string).collect();
                format!(
                    "map update pinned /sys/fs/bpf/{name} key {key} 0 0 0 value {}",
                    bytes.join(" ")
                )
            }));
            commands
        });
    (proptest::collection::vec(map, 0..3), any::<bool>()).prop_map(|(maps, extra_process)| {
        let mut commands = vec![String::from("rlimit memlock unlimited")];
        let mut seen = std::collections::BTreeSet::new();
        for map in maps {
            // Two maps at one path: the second create fails; keep the first.
            if seen.insert(map[0].clone()) {
                commands.extend(map);
            }
        }
        if extra_process {
            commands.push(String::from("process new loader uid 1000"));
        }
        commands
    })
}

fn workspace() -> impl Strategy<Value = Workspace> {
    (
        proptest::collection::vec(tab(), 1..4),
        any::<prop::sample::Index>(),
        any::<bool>(),
        kernel_commands(),
    )
        .prop_map(|(tabs, active, jit, commands)| {
            let mut workspace = Workspace::new(tabs[0].clone());
            for (i, mut tab) in tabs.into_iter().enumerate().skip(1) {
                tab.name = format!("{}{i}", tab.name);
                workspace.tabs.push(tab);
            }
            workspace.active = active.index(workspace.tabs.len());
            workspace.runner = if jit {
                Runner::WasmJit
            } else {
                Runner::Interpreter
            };
            let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
            common::console(&mut workspace, &commands);
            workspace
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn workspace_to_link_to_workspace_is_the_identity(workspace in workspace()) {
        let link = link::encode(&workspace).unwrap();
        prop_assert_eq!(link::decode(&link.fragment).unwrap(), workspace);
    }
}
