//! Unverified programs in the interpreter under a fuel limit, in both profiles: every run
//! exits, faults or runs out of fuel, never panics. Layout: one byte of profile and input
//! length, the input, then the program.
#![no_main]

use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::vm::{Config, ConformanceHelpers, Vm};
use libfuzzer_sys::fuzz_target;

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
    let config = Config {
        fuel: Some(100_000),
        ..Config::for_profile(profile)
    };
    let Ok(vm) = Vm::new(program, config) else {
        return;
    };
    let mut vm = vm.with_input(input.to_vec());
    let _ = vm.run(&mut ConformanceHelpers, &[]);
});
