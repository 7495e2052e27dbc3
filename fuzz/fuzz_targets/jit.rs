//! The JIT against the interpreter on any program the JIT compiles, in both profiles:
//! the same end state and the same memory, run in wasmi as tests/tests/jit.rs runs them.
//! Layout: one byte of profile and input length, the input, then the program. Backward
//! jumps and local calls are left out, so that every run ends within the program's length.
#![no_main]

use bpfplay_core::isa::{CallKind, Insn, Profile, Program};
use bpfplay_tests::jit_compare::{interpret, jit_run};
use bpfplay_tests::wasmi_engine::Wasmi;
use libfuzzer_sys::fuzz_target;

/// Whether every jump goes forward and no instruction is a local call.
fn runs_straight(program: &Program) -> bool {
    program.insns().all(|(_, insn)| match *insn {
        Insn::Call { kind, .. } => kind != CallKind::Local,
        Insn::Ja { off } | Insn::Branch { off, .. } => off >= 0,
        Insn::JaLong { off } => off >= 0,
        _ => true,
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let profile = Profile::ALL[usize::from(head & 1)];
    let input_len = usize::from(head >> 1).min(rest.len());
    let (input, code) = rest.split_at(input_len);
    let Ok(program) = Program::decode(code) else {
        return;
    };
    if !runs_straight(&program) {
        return;
    }
    let mut engine = Wasmi::new(Some(10_000_000));
    let Ok(jitted) = jit_run(&mut engine, &program, input, None, profile) else {
        return;
    };
    let interpreted = interpret(&program, input, None, profile);
    assert_eq!(jitted, interpreted, "the JIT and the interpreter disagree");
});
