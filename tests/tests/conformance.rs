//! Runs every bpf_conformance test through the library, in both profiles.

use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::vm::{Config, ConformanceHelpers, EarlyExit, State, Vm};
use bpfplay_tests::{conformance_suite, linux44_overrides};

fn run(program: &Program, mem: &[u8], profile: Profile) -> Result<(u64, State), String> {
    let vm = Vm::new(program.clone(), Config::for_profile(profile)).map_err(|e| e.to_string())?;
    let mut vm = vm.with_input(mem.to_vec());
    match vm.run(&mut ConformanceHelpers, &[]) {
        bpfplay_core::vm::RunStop::Exited { r0 } => Ok((r0, vm.state().clone())),
        other => Err(format!("{other:?}")),
    }
}

#[test]
fn rfc9669_profile_passes_every_conformance_test() {
    let files = conformance_suite();
    let mut failures = Vec::new();
    for file in &files {
        let outcome = file
            .program()
            .and_then(|p| run(&p, &file.mem, Profile::Rfc9669));
        let expected = file.expected().unwrap();
        match outcome {
            Ok((r0, _)) if r0 == expected => {}
            Ok((r0, _)) => failures.push(format!(
                "{}: r0 = {r0:#x}, expected {expected:#x}",
                file.name
            )),
            Err(e) => failures.push(format!("{}: {e}", file.name)),
        }
    }
    eprintln!(
        "rfc9669: passed {} of {} conformance tests",
        files.len() - failures.len(),
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if bpfplay_tests::conformance_dir().is_some() {
        assert_eq!(files.len(), 313, "the suite in ../shared has 313 tests");
    }
}

#[test]
fn linux44_profile_passes_every_test_of_the_4_4_subset() {
    let files = conformance_suite();
    let overrides = linux44_overrides();
    let mut failures = Vec::new();
    let (mut subset, mut later) = (0, 0);
    for file in &files {
        let program = file.program().unwrap();
        if program.check_profile(Profile::Linux44).is_err() {
            later += 1;
            // A later instruction must be refused by the 4.4 VM, not run.
            assert!(
                run(&program, &file.mem, Profile::Linux44).is_err(),
                "{} ran under linux-4.4",
                file.name
            );
            continue;
        }
        subset += 1;
        let expected = overrides
            .get(&file.name)
            .copied()
            .unwrap_or_else(|| file.expected().unwrap());
        match run(&program, &file.mem, Profile::Linux44) {
            Ok((r0, state)) if r0 == expected => {
                if overrides.contains_key(&file.name) {
                    let aborted = matches!(
                        state,
                        State::Exited {
                            early: Some(EarlyExit::DivisionByZero),
                            ..
                        }
                    );
                    assert!(
                        aborted,
                        "{}: expected the 4.4 division-by-zero abort, got {state:?}",
                        file.name
                    );
                }
            }
            Ok((r0, _)) => failures.push(format!(
                "{}: r0 = {r0:#x}, expected {expected:#x}",
                file.name
            )),
            Err(e) => failures.push(format!("{}: {e}", file.name)),
        }
    }
    eprintln!(
        "linux-4.4: passed {} of {subset} tests in the 4.4 subset; {later} need later releases",
        subset - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if bpfplay_tests::conformance_dir().is_some() {
        assert_eq!(
            subset, 160,
            "../shared/bpf_conformance/README.md §4.1 counts 160 Linux 4.4 ISA tests"
        );
    }
}
