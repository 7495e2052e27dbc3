//! Every script runs through `bpfplay script`, and its transcript must equal
//! `tests/golden/scripts/NAME.out` (BLESS=1 refreshes them): the shipped examples in
//! `static/scripts/*.txt`, and the error and `help` cases in `tests/data/scripts/*.txt`.
//! Each runs from its own directory, so file names in transcripts do not depend on where
//! the checkout is. One trial per script (`cargo test -p bpfplay-cli --test scripts -- NAME`).

use bpfplay_tests::harness::{self, trial};
use bpfplay_tests::{check_golden, script_golden, scripts, workspace_root};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn check_script(script: &Path) -> Result<(), String> {
    let name = script.file_stem().unwrap().to_string_lossy();
    let out = Command::new(env!("CARGO_BIN_EXE_bpfplay"))
        .current_dir(script.parent().unwrap())
        .arg("script")
        .arg(script.file_name().unwrap())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    check_golden(&script_golden(&name), &String::from_utf8_lossy(&out.stdout))
}

fn run_with_a_type_uses_the_kernel_maps_and_packet() -> Result<(), String> {
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
        "note: TC_ACT_OK (0): the packet passes\n"
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
    Ok(())
}

fn main() {
    let scripts = scripts();
    let mut names = BTreeSet::new();
    let mut trials = Vec::new();
    for script in scripts {
        let name = script.file_stem().unwrap().to_string_lossy().into_owned();
        // Two scripts of one name would share one golden transcript.
        assert!(names.insert(name.clone()), "two scripts are named {name}");
        trials.push(trial(name, move || check_script(&script)));
    }
    trials.push(trial(
        "run_with_a_type_uses_the_kernel_maps_and_packet",
        run_with_a_type_uses_the_kernel_maps_and_packet,
    ));
    harness::run(trials)
}

/// Issue 15, point 10: `bpfplay run --type` prints what the kernel returns, BPF_PROG_RUN's
/// u32, so every typed example's `; result:` header is what the command line shows.
#[test]
fn run_with_a_type_prints_each_examples_declared_u32_result() {
    let mut checked = 0;
    for ex in bpfplay_tests::examples() {
        let (Some(prog_type), Some(result)) = (ex.prog_type, ex.result) else {
            continue;
        };
        let path = workspace_root().join("static/examples").join(&ex.name);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_bpfplay"));
        cmd.args(["run", "--type", prog_type.name()]);
        if let Some(maps) = &ex.maps {
            cmd.args(["--maps", maps]);
        }
        if !ex.mem.is_empty() {
            cmd.args(["--packet", &bpfplay_core::isa::spaced_hex(&ex.mem)]);
        }
        let out = cmd.arg(&path).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout.lines().last(),
            Some(format!("{result:#x}").as_str()),
            "{}: {}",
            ex.name,
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(
        checked >= 5,
        "expected the typed examples, checked {checked}"
    );
}
