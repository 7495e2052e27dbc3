//! Runs every bpf_conformance test through the library, in both profiles: one trial per
//! file and profile (`cargo test -p bpfplay-tests --test conformance -- rfc9669::add`).

use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::vm::{Config, ConformanceHelpers, EarlyExit, State, Vm};
use bpfplay_tests::harness::{self, Trial, trial};
use bpfplay_tests::{DataFile, conformance_dir, data_files, linux44_overrides, load, suite_trials};
use std::path::Path;

fn run(program: &Program, mem: &[u8], profile: Profile) -> Result<(u64, State), String> {
    let vm = Vm::new(program.clone(), Config::for_profile(profile)).map_err(|e| e.to_string())?;
    let mut vm = vm.with_input(mem.to_vec());
    match vm.run(&mut ConformanceHelpers, &[]) {
        bpfplay_core::vm::RunStop::Exited { r0 } => Ok((r0, vm.state().clone())),
        other => Err(format!("{other:?}")),
    }
}

fn rfc9669(path: &Path) -> Result<(), String> {
    let file = load(path)?;
    let (r0, _) = run(&file.program()?, &file.mem, Profile::Rfc9669)?;
    let expected = file.expected()?;
    if r0 == expected {
        Ok(())
    } else {
        Err(format!("r0 = {r0:#x}, expected {expected:#x}"))
    }
}

/// Whether a file's program is in the Linux 4.4 instruction set.
fn in_linux44_subset(file: &DataFile) -> Result<bool, String> {
    Ok(file.program()?.check_profile(Profile::Linux44).is_ok())
}

fn linux44(path: &Path) -> Result<(), String> {
    let file = load(path)?;
    let program = file.program()?;
    if !in_linux44_subset(&file)? {
        // A later instruction must be refused by the 4.4 VM, not run.
        return match run(&program, &file.mem, Profile::Linux44) {
            Err(_) => Ok(()),
            Ok((r0, _)) => Err(format!("ran under linux-4.4 (r0 = {r0:#x})")),
        };
    }
    let overrides = linux44_overrides();
    let expected = match overrides.get(&file.name) {
        Some(&r0) => r0,
        None => file.expected()?,
    };
    let (r0, state) = run(&program, &file.mem, Profile::Linux44)?;
    if r0 != expected {
        return Err(format!("r0 = {r0:#x}, expected {expected:#x}"));
    }
    let aborted = matches!(
        state,
        State::Exited {
            early: Some(EarlyExit::DivisionByZero),
            ..
        }
    );
    if overrides.contains_key(&file.name) && !aborted {
        return Err(format!(
            "expected the 4.4 division-by-zero abort, got {state:?}"
        ));
    }
    Ok(())
}

fn main() {
    let mut trials: Vec<Trial> = Vec::new();
    trials.extend(suite_trials("rfc9669", "tests", |name, path| {
        trial(name, move || rfc9669(&path))
    }));
    trials.extend(suite_trials("linux44", "tests", |name, path| {
        trial(name, move || linux44(&path))
    }));
    if conformance_dir().is_some() {
        trials.push(trial("suite_has_313_tests", || {
            let count = data_files("tests").len();
            (count == 313).then_some(()).ok_or(format!(
                "the suite in ../shared has 313 tests, found {count}"
            ))
        }));
        trials.push(trial("linux44_subset_has_160_tests", || {
            let mut subset = 0;
            for path in data_files("tests") {
                subset += usize::from(in_linux44_subset(&load(&path)?)?);
            }
            (subset == 160).then_some(()).ok_or(format!(
                "../shared/bpf_conformance/README.md §4.1 counts 160 Linux 4.4 ISA tests, found {subset}"
            ))
        }));
    }
    harness::run(trials)
}
