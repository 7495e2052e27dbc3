//! Every golden file under `tests/golden/` is read by a test: a golden that no case
//! produces any more (its case was renamed or removed) fails here with its path, so
//! stale expectations do not pile up unseen.

use bpfplay_tests::harness::{self, trial};
use bpfplay_tests::verifier_case::{cases, parse_case};
use bpfplay_tests::{
    CONFORMANCE_COMMIT, conformance_dir, data_files, negative_golden, script_golden, scripts,
    verifier_golden, verify_golden, workspace_root,
};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Every golden some test reads. Without the conformance suite the negative goldens
/// cannot be told apart, so they count as read (the suite's own trials report it missing).
fn read_goldens() -> BTreeSet<PathBuf> {
    let mut read = BTreeSet::new();
    for path in cases() {
        let case = parse_case(&path);
        for suffix in ["priv", "unpriv"] {
            read.insert(verifier_golden(&case.name, suffix));
            if case.runs_through_cli() {
                read.insert(verify_golden(&case.name, suffix));
            }
        }
    }
    for script in scripts() {
        read.insert(script_golden(
            &script.file_stem().unwrap().to_string_lossy(),
        ));
    }
    if conformance_dir().is_some() {
        for path in data_files("negative") {
            read.insert(negative_golden(
                &path.file_stem().unwrap().to_string_lossy(),
            ));
        }
    }
    read
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn no_orphan_goldens() -> Result<(), String> {
    let read = read_goldens();
    let mut present = Vec::new();
    files_under(&workspace_root().join("tests/golden"), &mut present);
    let negative_dir = negative_golden("x").parent().unwrap().to_path_buf();
    let orphans: Vec<String> = present
        .iter()
        .filter(|p| !read.contains(*p))
        .filter(|p| conformance_dir().is_some() || !p.starts_with(&negative_dir))
        .map(|p| p.display().to_string())
        .collect();
    if orphans.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} golden files that no test reads (remove them, or restore their cases):\n{}",
            orphans.len(),
            orphans.join("\n")
        ))
    }
}

/// The instructions printed when the suite is missing name the commit its notes are from.
fn conformance_commit_matches_the_notes() -> Result<(), String> {
    let readme = conformance_dir().ok_or("no suite")?.join("README.md");
    let text =
        std::fs::read_to_string(&readme).map_err(|e| format!("{}: {e}", readme.display()))?;
    text.contains(&format!("commit `{CONFORMANCE_COMMIT}`"))
        .then_some(())
        .ok_or(format!(
            "{} does not name commit {CONFORMANCE_COMMIT}",
            readme.display()
        ))
}

fn main() {
    let mut trials = vec![trial("no_orphan_goldens", no_orphan_goldens)];
    // Only the copy in ../shared carries the notes; a BPF_CONFORMANCE_DIR checkout need not.
    if conformance_dir().is_some_and(|dir| dir.join("README.md").is_file()) {
        trials.push(trial(
            "conformance_commit_matches_the_notes",
            conformance_commit_matches_the_notes,
        ));
    }
    harness::run(trials)
}
