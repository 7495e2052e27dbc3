//! Every shipped example assembles, runs under its declared profile (plain programs in
//! the VM with r1 = memory; typed programs in the emulated kernel with their maps and
//! packet) and returns the result its header states.

use bpfplay_core::asm::assemble;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, Vm};

#[test]
fn examples_run_to_their_declared_result() {
    let examples = bpfplay_tests::examples();
    assert!(
        examples.len() >= 15,
        "expected the shipped examples, found {}",
        examples.len()
    );
    for ex in examples {
        let Some(mut loaded) = ex.load() else {
            let program = assemble(&ex.source, None)
                .unwrap_or_else(|e| panic!("{}: {e}", ex.name))
                .program;
            let vm = Vm::new(program, Config::for_profile(ex.profile))
                .unwrap_or_else(|e| panic!("{}: {e}", ex.name));
            let stop = vm.with_input(ex.mem.clone()).run(&mut NoHelpers, &[]);
            assert_eq!(
                stop,
                RunStop::Exited {
                    r0: ex.result.unwrap()
                },
                "{}",
                ex.name
            );
            continue;
        };
        let Some(expected) = ex.result else {
            assert!(loaded.prog.is_err(), "{} should be rejected", ex.name);
            continue;
        };
        let fd = loaded.prog.unwrap_or_else(|e| panic!("{}: {e}", ex.name));
        let report = loaded
            .kernel
            .run_prog(loaded.pid, fd, loaded.input)
            .unwrap();
        assert_eq!(report.fault, None, "{}", ex.name);
        assert_eq!(u64::from(report.ret), expected, "{}", ex.name);
    }
}
