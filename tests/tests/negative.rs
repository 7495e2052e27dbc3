//! The suite's `negative/` files: each is refused with a clear message, kept as a golden
//! file per case (`tests/golden/negative/NAME.out`, refreshed with `BLESS=1`). One trial
//! per file.

use bpfplay_core::isa::Profile;
use bpfplay_core::vm::{Config, ConformanceHelpers, RunStop, Vm};
use bpfplay_tests::harness::{self, trial};
use bpfplay_tests::{check_golden, load, negative_golden, suite_trials};
use std::path::Path;

/// What this project does with one negative file: the first refusal, or the run's result.
fn outcome(path: &Path) -> String {
    let file = match load(path) {
        Ok(file) => file,
        Err(e) => return format!("rejected: {e}\n"),
    };
    if file.result.is_none() && file.error.as_deref().is_none_or(str::is_empty) {
        // The reference runner skips such files; we still check what they contain.
        if file.asm.trim().is_empty() && file.raw.is_none() {
            return format!("rejected: {}: no instructions\n", file.name);
        }
    }
    let program = match file.program() {
        Ok(p) => p,
        Err(e) => return format!("rejected: {e}\n"),
    };
    let vm = Vm::new(program, Config::for_profile(Profile::Rfc9669)).unwrap();
    match vm
        .with_input(file.mem.clone())
        .run(&mut ConformanceHelpers, &[])
    {
        RunStop::Exited { r0 } => match file.expected() {
            Ok(expected) if file.result.is_some() && r0 != expected => {
                format!(
                    "rejected: r0 = {r0:#x} but the file expects {expected:#x}, so a runner reports FAIL\n"
                )
            }
            _ => format!(
                "ran: r0 = {r0:#x}; the suite expects error {:?}\n",
                file.error.unwrap_or_default()
            ),
        },
        other => format!("rejected at run time: {other:?}\n"),
    }
}

fn check(path: &Path) -> Result<(), String> {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let actual = outcome(path);
    // `error.data` is `or %r0, %r10; exit`: valid assembly that only a verifier
    // (unprivileged pointer-leak rules) refuses, so it runs here.
    if name != "error" && !actual.starts_with("rejected") {
        return Err(format!("not rejected: {actual}"));
    }
    check_golden(&negative_golden(&name), &actual)
}

fn main() {
    harness::run(suite_trials("negative", "negative", |name, path| {
        trial(name, move || check(&path))
    }))
}
