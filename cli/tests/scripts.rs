//! Every script runs through `bpfplay script`, and its transcript must equal
//! `tests/golden/scripts/NAME.out` (BLESS=1 refreshes them): the shipped examples in
//! `static/scripts/*.txt`, and the error and `help` cases in `tests/data/scripts/*.txt`.
//! Each runs from its own directory, so file names in transcripts do not depend on where
//! the checkout is.

use bpfplay_tests::{check_golden, workspace_root};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

fn scripts_in(dir: &str) -> Vec<PathBuf> {
    let dir = workspace_root().join(dir);
    let mut scripts: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    scripts.sort();
    assert!(
        scripts.len() >= 3,
        "expected the scripts in {}",
        dir.display()
    );
    scripts
}

#[test]
fn scripts_match_their_golden_transcripts() {
    let scripts: Vec<PathBuf> = ["static/scripts", "tests/data/scripts"]
        .iter()
        .flat_map(|dir| scripts_in(dir))
        .collect();
    let mut names = BTreeSet::new();
    let mut problems = Vec::new();
    for script in &scripts {
        let name = script.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            names.insert(name.clone()),
            "two scripts named {name} would share one golden transcript"
        );
        let out = Command::new(env!("CARGO_BIN_EXE_bpfplay"))
            .current_dir(script.parent().unwrap())
            .arg("script")
            .arg(script.file_name().unwrap())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
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
