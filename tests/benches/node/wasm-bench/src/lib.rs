//! Exports for node: `setup()` assembles the ALU mix once; `run(n)` runs it `n` times
//! (a fresh `Vm` each time, as the native criterion benchmark does) and returns the
//! instructions executed, so node can time it and print ns per instruction.

use bpfplay_core::asm::assemble;
use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::vm::{Config, NoHelpers, RunStop, Vm};
use std::cell::RefCell;
use std::rc::Rc;

const ALU_MIX: &str = include_str!("../../../programs/alu_mix.s");

thread_local! {
    static PROGRAM: RefCell<Option<Rc<Program>>> = const { RefCell::new(None) };
}

/// Assembles the program; returns its slot count.
#[unsafe(no_mangle)]
pub extern "C" fn setup() -> u32 {
    let program = Rc::new(assemble(ALU_MIX, None).expect("alu_mix.s assembles").program);
    let len = program.len() as u32;
    PROGRAM.with(|p| *p.borrow_mut() = Some(program));
    len
}

/// Runs the program `n` times; returns instructions executed (0 on any failure).
#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> f64 {
    let Some(program) = PROGRAM.with(|p| p.borrow().clone()) else { return 0.0 };
    let config = Config::for_profile(Profile::Rfc9669);
    let mut executed = 0u64;
    for _ in 0..n {
        let Ok(mut vm) = Vm::new(program.clone(), config) else { return 0.0 };
        match vm.run(&mut NoHelpers, &[]) {
            RunStop::Exited { .. } => executed += vm.executed(),
            _ => return 0.0,
        }
    }
    executed as f64
}
