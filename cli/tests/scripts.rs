//! Every example script in `static/scripts/*.txt` runs through `bpfplay script`, and its
//! transcript must equal `tests/golden/scripts/NAME.out` (BLESS=1 refreshes them).

use bpfplay_tests::{check_golden, workspace_root};
use std::process::Command;

#[test]
fn example_scripts_match_their_golden_transcripts() {
    let dir = workspace_root().join("static/scripts");
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 3,
        "expected the example scripts in {}",
        dir.display()
    );
    let mut problems = Vec::new();
    for script in &scripts {
        let out = Command::new(env!("CARGO_BIN_EXE_bpfplay"))
            .arg("script")
            .arg(script)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let name = script.file_stem().unwrap().to_string_lossy().into_owned();
        let golden = workspace_root()
            .join("tests/golden/scripts")
            .join(format!("{name}.out"));
        if let Err(e) = check_golden(&golden, &String::from_utf8_lossy(&out.stdout)) {
            problems.push(e);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn run_with_a_type_uses_the_kernel_maps_and_packet() {
    let src = workspace_root().join("static/scripts/count-packets.s");
    let out = Command::new(env!("CARGO_BIN_EXE_bpfplay"))
        .args([
            "run",
            "--type",
            "sched_cls",
            "--maps",
            "array:4:8:1",
            "--packet",
            "00 01 02 03",
        ])
        .arg(&src)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0x0\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "note: TC_ACT_OK (0)\n"
    );
    // Without the map the index is unbound: a clear error, exit 1.
    let out = Command::new(env!("CARGO_BIN_EXE_bpfplay"))
        .args(["run", "--type", "sched_cls"])
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "bpfplay: instruction 4 uses map index 0, but no `map idx 0 pinned PATH` was given\n"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_bpfplay"))
        .args(["run", "--type", "sched_cls", "--maps", "hash:4"])
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "bpfplay: --maps item 1 `hash:4`: expected type:key_size:value_size:max_entries\n"
    );
}
