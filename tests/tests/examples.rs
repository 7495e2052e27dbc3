//! Every shipped example assembles, runs under its declared profile (plain programs in
//! the VM with r1 = memory; typed programs in the emulated kernel with their maps and
//! packet) and returns the result its header states. One trial per example.

use bpfplay_core::asm::assemble;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, Vm};
use bpfplay_tests::Example;
use bpfplay_tests::harness::{self, trial};

fn check(ex: Example) -> Result<(), String> {
    let Some(mut loaded) = ex.load() else {
        let program = assemble(&ex.source, None)
            .map_err(|e| e.to_string())?
            .program;
        let vm = Vm::new(program, Config::for_profile(ex.profile)).map_err(|e| e.to_string())?;
        let stop = vm.with_input(ex.mem.clone()).run(&mut NoHelpers, &[]);
        let expected = RunStop::Exited {
            r0: ex.result.ok_or("a plain program needs `; result:`")?,
        };
        return (stop == expected)
            .then_some(())
            .ok_or(format!("{stop:?}, expected {expected:?}"));
    };
    let Some(expected) = ex.result else {
        return loaded.prog.is_err().then_some(()).ok_or(String::from(
            "accepted, but it declares `; expect: rejected`",
        ));
    };
    let fd = loaded.prog?;
    let report = loaded
        .kernel
        .run_prog(loaded.pid, fd, loaded.input)
        .map_err(|e| e.to_string())?;
    match report.fault {
        Some(fault) => Err(format!("faulted: {fault:?}")),
        None if u64::from(report.ret) != expected => Err(format!(
            "returned {:#x}, expected {expected:#x}",
            report.ret
        )),
        None => Ok(()),
    }
}

fn main() {
    let examples = bpfplay_tests::examples();
    let count = examples.len();
    let mut trials: Vec<_> = examples
        .into_iter()
        .map(|ex| trial(ex.name.clone(), move || check(ex)))
        .collect();
    trials.push(trial("at_least_15_examples", move || {
        (count >= 15)
            .then_some(())
            .ok_or(format!("expected the shipped examples, found {count}"))
    }));
    harness::run(trials)
}
