//! Every shipped example assembles, runs under its declared profile and returns the
//! result its header states.

use bpfplay_core::asm::assemble;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, Vm};

#[test]
fn examples_run_to_their_declared_result() {
    let examples = bpfplay_tests::examples();
    assert!(examples.len() >= 5, "expected the shipped examples, found {}", examples.len());
    for ex in examples {
        let program = assemble(&ex.source, None).unwrap_or_else(|e| panic!("{}: {e}", ex.name)).program;
        let vm = Vm::new(program, Config::for_profile(ex.profile)).unwrap_or_else(|e| panic!("{}: {e}", ex.name));
        let stop = vm.with_input(ex.mem.clone()).run(&mut NoHelpers, &[]);
        assert_eq!(stop, RunStop::Exited { r0: ex.result }, "{}", ex.name);
    }
}
