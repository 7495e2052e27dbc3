//! The "wasm JIT" engine choice: core's JIT compiles the program, a [`JitRunner`]
//! (the browser's WebAssembly, see `jit_host`) runs it, and the interpreter runs the
//! same program so the two can be compared. Stepping always uses the interpreter.

use bpfplay_core::isa::{CallKind, Insn, Profile};
use bpfplay_core::jit::{self, EarlyExitCode, FaultCode};
use bpfplay_core::syntax::HELPER_NAMES;
use bpfplay_core::vm::{State, Vm};
use std::fmt;
use std::rc::Rc;

/// How a JIT-compiled run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum JitStop {
    Exited {
        r0: u64,
    },
    /// Linux 4.4 ended the program with r0 = 0 (`kind` is an [`EarlyExitCode`]).
    EarlyExit {
        pc: u32,
        kind: i32,
    },
    /// `kind` is a [`FaultCode`].
    Fault {
        pc: u32,
        kind: i32,
    },
}

/// One run of a compiled module, with the host's timings.
#[derive(Clone, Debug, PartialEq)]
pub struct JitOutcome {
    pub stop: JitStop,
    /// Milliseconds to compile and instantiate the module.
    pub instantiate_ms: f64,
    pub run_ms: f64,
}

/// Runs a compiled module over a memory image: `run(r1, r2)`.
pub trait JitRunner {
    fn run(&self, module: &[u8], image: &[u8], r1: u64, r2: u64) -> Result<JitOutcome, String>;
}

/// A runner the engine can hold.
#[derive(Clone)]
pub struct JitHost(pub Rc<dyn JitRunner>);

impl fmt::Debug for JitHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JitHost")
    }
}

/// What the status line shows after a JIT run.
#[derive(Clone, Debug, PartialEq)]
pub struct JitReport {
    pub outcome: JitOutcome,
    pub module_bytes: usize,
    /// Whether the interpreter ended the same way.
    pub agrees: bool,
}

impl fmt::Display for JitStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JitStop::Exited { r0 } => write!(f, "r0 = {r0:#x}"),
            JitStop::EarlyExit { pc, kind } => {
                let why = match *kind {
                    k if k == EarlyExitCode::DivisionByZero as i32 => "division by zero",
                    k if k == EarlyExitCode::PacketOutOfBounds as i32 => {
                        "packet load out of bounds"
                    }
                    _ => "early exit",
                };
                write!(f, "r0 = 0 ({why} at instruction {pc})")
            }
            JitStop::Fault { pc, kind } => match FaultCode::from_i32(*kind) {
                Some(code) => write!(f, "fault at instruction {pc}: {code:?}"),
                None => write!(f, "fault at instruction {pc} (code {kind})"),
            },
        }
    }
}

impl fmt::Display for JitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.outcome;
        write!(
            f,
            "wasm JIT: {} in {:.3} ms (+{:.2} ms to compile and instantiate a {} B module); {}",
            o.stop,
            o.run_ms,
            o.instantiate_ms,
            self.module_bytes,
            if self.agrees {
                "the interpreter agrees"
            } else {
                "the interpreter DISAGREES (please report this program)"
            }
        )
    }
}

/// A compiled module and its memory image for a VM that has not started yet.
pub struct Prepared {
    pub module: Vec<u8>,
    pub image: Vec<u8>,
    pub r1: u64,
    pub r2: u64,
}

/// Compiles the VM's program. Programs that call helpers are refused: the JIT has no
/// host for the emulated kernel's helpers yet.
pub fn prepare(vm: &Vm, profile: Profile) -> Result<Prepared, String> {
    let program = vm.program();
    if let Some((pc, id)) = program.insns().find_map(|(pc, insn)| match insn {
        Insn::Call {
            kind: CallKind::Helper,
            imm,
        } => Some((pc, *imm)),
        _ => None,
    }) {
        let name = usize::try_from(id)
            .ok()
            .and_then(|i| HELPER_NAMES.get(i))
            .map_or_else(|| format!("helper {id}"), |name| format!("bpf_{name}"));
        return Err(format!(
            "the wasm JIT cannot run helper calls yet (instruction {pc} calls {name}); run it with the interpreter"
        ));
    }
    let module = jit::compile(program, profile).map_err(|e| format!("wasm JIT: {e}"))?;
    let regs = vm.regs();
    let image = jit::image(vm.memory(), regs[10]).map_err(|e| format!("wasm JIT: {e}"))?;
    Ok(Prepared {
        module,
        image: image.bytes,
        r1: regs[1],
        r2: regs[2],
    })
}

/// Whether the interpreter's end (`state`) is the JIT's.
pub fn agrees(stop: &JitStop, state: &State) -> bool {
    match (stop, state) {
        (JitStop::Exited { r0 }, State::Exited { r0: r, early: None }) => r0 == r,
        (
            JitStop::EarlyExit { .. },
            State::Exited {
                r0: 0,
                early: Some(_),
            },
        ) => true,
        (JitStop::Fault { pc, .. }, State::Faulted(fault)) => *pc as usize == fault.pc,
        _ => false,
    }
}
