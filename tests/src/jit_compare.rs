//! Runs a program in the interpreter and through the JIT (in wasmi, by core's driver
//! loop) and compares how they end: shared by `tests/jit.rs` and the fuzz target that
//! compares the two engines.

use crate::wasmi_engine::Wasmi;
use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::jit::host::{self, JitRun};
use bpfplay_core::jit::{self, JitError};
use bpfplay_core::vm::{
    Config, ConformanceHelpers, Fault, FaultKind, Helpers, RegionKind, RunStop, State, Vm,
};
use std::cell::RefCell;
use std::rc::Rc;

/// How a run ended, in the interpreter's terms, and every region's bytes afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Ended {
        state: State,
        memory: Vec<Vec<u8>>,
    },
    /// The interpreter ran out of fuel, or the engine refused the program.
    Other(String),
}

impl Outcome {
    pub fn of(vm: &Vm) -> Outcome {
        let memory = vm
            .memory()
            .regions()
            .iter()
            .map(|r| r.data.to_vec())
            .collect();
        Outcome::Ended {
            state: vm.state().clone(),
            memory,
        }
    }

    pub fn r0(&self) -> Option<u64> {
        match self {
            Outcome::Ended {
                state: State::Exited { r0, .. },
                ..
            } => Some(*r0),
            _ => None,
        }
    }
}

/// The conformance convention (r1 = input, r2 = its length), plus a read-only packet
/// for `LD_ABS`/`LD_IND` when given.
pub fn vm_for(
    program: &Program,
    mem: &[u8],
    packet: Option<&[u8]>,
    profile: Profile,
) -> Result<Vm, String> {
    let vm = Vm::new(program.clone(), Config::for_profile(profile)).map_err(|e| e.to_string())?;
    let mut vm = vm.with_input(mem.to_vec());
    if let Some(packet) = packet {
        vm.memory_mut()
            .map(RegionKind::Packet, packet.to_vec(), false);
    }
    Ok(vm)
}

pub fn interpret(
    program: &Program,
    mem: &[u8],
    packet: Option<&[u8]>,
    profile: Profile,
) -> Outcome {
    let mut vm = match vm_for(program, mem, packet, profile) {
        Ok(vm) => vm,
        Err(e) => return Outcome::Other(e),
    };
    match vm.run(&mut ConformanceHelpers, &[]) {
        RunStop::Faulted(Fault {
            kind: FaultKind::OutOfFuel { .. },
            ..
        }) => Outcome::Other(String::from("out of fuel")),
        RunStop::Breakpoint { pc } => Outcome::Other(format!("breakpoint at {pc}")),
        RunStop::Exited { .. } | RunStop::Faulted(_) => Outcome::of(&vm),
    }
}

/// Runs a VM that has not started through the JIT in wasmi, with `helpers`, by core's
/// driver loop. Returns the VM as the interpreter would leave it, and the helpers.
pub fn jit_execute<H: Helpers + 'static>(
    engine: &mut Wasmi,
    vm: Vm,
    helpers: H,
) -> Result<(Vm, H), String> {
    let run = JitRun::new(vm).map_err(|e| e.to_string())?;
    let helpers = Rc::new(RefCell::new(helpers));
    let finished = host::drive(engine, run, helpers.clone()).map_err(|e| e.to_string())?;
    let helpers = Rc::try_unwrap(helpers)
        .map_err(|_| String::from("the driver kept the helpers"))?
        .into_inner();
    Ok((finished.vm, helpers))
}

/// Compiles and runs a program in wasmi with the conformance helper table.
pub fn jit_run(
    engine: &mut Wasmi,
    program: &Program,
    mem: &[u8],
    packet: Option<&[u8]>,
    profile: Profile,
) -> Result<Outcome, JitError> {
    // Compiling first reports what the JIT refuses.
    jit::compile(program, profile)?;
    let vm = vm_for(program, mem, packet, profile).expect("compile checked the profile");
    Ok(match jit_execute(engine, vm, ConformanceHelpers) {
        Ok((vm, _)) => Outcome::of(&vm),
        Err(e) => Outcome::Other(e),
    })
}
