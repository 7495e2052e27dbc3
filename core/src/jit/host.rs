//! The host side of a JIT-compiled run, for any WebAssembly engine (wasmi in the tests,
//! the browser's in the playground).
//!
//! A [`JitRun`] owns the [`Vm`] the run started from (program, registers, memory) and
//! keeps its memory in step with the module's linear memory at every helper call:
//! before the call it copies what the program wrote back into the regions, so that a
//! helper sees exactly what the interpreter would show it, and after the call it lays
//! the regions out again, appending the ones the helper mapped (map values) and moving
//! one that grew (the packet after a VLAN push). Helpers therefore run unchanged, through
//! the same [`Helpers`] table as the interpreter, and the run ends in the interpreter's
//! own [`State`], faults included.
//!
//! An engine drives it like this:
//!
//! 1. `let mut run = JitRun::new(vm)?`; linear memory starts as [`JitRun::image`].
//! 2. Compile [`JitRun::program`] with [`super::compile`], instantiate it with imports
//!    that call [`JitRun::helper`], [`JitRun::fault`] and [`JitRun::early_exit`]
//!    (handing over the used part of linear memory as a `Vec<u8>`, and growing the
//!    engine's memory to the length the `Vec` comes back with), and call `run`.
//! 3. Pass what `run` returned (or the trap) to [`JitRun::returned`]: on
//!    [`Next::TailCall`] go back to step 2 with the new program and the same memory.
//! 4. [`JitRun::finish`] gives back the `Vm`, with its memory, program and state as the
//!    interpreter would leave them (registers other than r0 are not reported).

use super::{
    DATA_ADDR, EarlyExitCode, FaultCode, HelperStatus, MAX_REGIONS, PACKET_REGION_ADDR,
    REGION_COUNT_ADDR, REGION_ENTRY_SIZE, REGION_TABLE_ADDR, REGS_ADDR, STATUS_ADDR,
};
use crate::isa::{CallKind, Insn, Program, Size, Slot};
use crate::prelude::*;
use crate::vm::{
    AccessError, AccessProblem, EarlyExit, Fault, FaultKind, GuestMemory, HelperReturn, Helpers,
    Prepared, RegionKind, State, Vm,
};
use alloc::rc::Rc;
use core::fmt;

/// Why a run cannot go on in the JIT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JitHostError {
    /// More regions than the module's region table holds.
    TooManyRegions { regions: usize },
    /// The engine trapped without the module reporting a fault (an engine limit such
    /// as its own fuel or stack, or a host error).
    Trap(String),
}

impl fmt::Display for JitHostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JitHostError::TooManyRegions { regions } => {
                write!(
                    f,
                    "{regions} memory regions, but the JIT's region table holds {MAX_REGIONS}"
                )
            }
            JitHostError::Trap(message) => write!(
                f,
                "the compiled program trapped without a fault report: {message}"
            ),
        }
    }
}

impl core::error::Error for JitHostError {}

/// What the engine does after `run` returned.
#[derive(Clone, Debug)]
pub enum Next {
    /// Compile and run [`JitRun::program`], now the tail call's target, on the same
    /// linear memory.
    TailCall,
    /// The run is over: call [`JitRun::finish`].
    Done,
}

/// Where a region lives in linear memory.
#[derive(Clone, Copy, Debug)]
struct Placement {
    base: u32,
    capacity: u32,
}

/// One JIT-compiled invocation, from the VM it starts from to the state it ends in.
#[derive(Debug)]
pub struct JitRun {
    vm: Vm,
    /// The program running now (a tail call replaces it).
    program: Rc<Prepared>,
    placed: Vec<Placement>,
    /// The first linear byte after the last region.
    end: u32,
    /// How the run ended, once an import reported it.
    ended: Option<State>,
    tail_call: Option<Rc<Prepared>>,
}

fn put32(bytes: &mut [u8], at: u32, value: u32) {
    bytes[at as usize..at as usize + 4].copy_from_slice(&value.to_le_bytes());
}

impl JitRun {
    /// Starts from a VM that has not run yet (registers and regions as set up for the
    /// interpreter).
    ///
    /// # Errors
    /// The VM has more regions than the module's table holds.
    pub fn new(vm: Vm) -> Result<JitRun, JitHostError> {
        let regions = vm.memory().regions().len();
        if regions > MAX_REGIONS as usize {
            return Err(JitHostError::TooManyRegions { regions });
        }
        let program = vm.prepared().clone();
        Ok(JitRun {
            vm,
            program,
            placed: Vec::new(),
            end: DATA_ADDR,
            ended: None,
            tail_call: None,
        })
    }

    /// The program whose module runs next.
    pub fn program(&self) -> &Program {
        self.program.program()
    }

    /// The program whose module runs next, as the run keeps it (one `Rc` per program,
    /// so that a host can tell a tail call back to a program it already compiled).
    pub fn prepared(&self) -> &Rc<Prepared> {
        &self.program
    }

    /// Bytes of linear memory in use (header, table and regions): what an engine hands
    /// to the imports, and the least its memory must hold.
    pub fn used(&self) -> usize {
        self.end as usize
    }

    /// The VM's configuration (its profile is the one to compile for).
    pub fn config(&self) -> &crate::vm::Config {
        self.vm.config()
    }

    /// Linear memory at the start: the header, the registers, the region table and
    /// every region's bytes.
    pub fn image(&mut self) -> Vec<u8> {
        let mut linear = vec![0u8; DATA_ADDR as usize];
        for (i, value) in self.vm.regs().iter().enumerate() {
            let at = REGS_ADDR as usize + 8 * i;
            linear[at..at + 8].copy_from_slice(&value.to_le_bytes());
        }
        self.placed.clear();
        self.end = DATA_ADDR;
        self.lay_out(&mut linear);
        linear
    }

    /// Writes every region's bytes and table entry, placing new or grown regions after
    /// the others (8-byte aligned, so aligned guest accesses stay aligned).
    fn lay_out(&mut self, linear: &mut Vec<u8>) {
        let regions = self.vm.memory().regions();
        for (i, region) in regions.iter().enumerate().take(MAX_REGIONS as usize) {
            let bytes = region.data.to_vec();
            let len = bytes.len() as u32;
            let fits = self.placed.get(i).is_some_and(|p| len <= p.capacity);
            if !fits {
                let placement = Placement {
                    base: self.end,
                    capacity: len,
                };
                self.end = (self.end + len).next_multiple_of(8);
                match self.placed.get_mut(i) {
                    Some(p) => *p = placement,
                    None => self.placed.push(placement),
                }
            }
            if linear.len() < self.end as usize {
                linear.resize(self.end as usize, 0);
            }
            let base = self.placed[i].base;
            linear[base as usize..(base + len) as usize].copy_from_slice(&bytes);
            let entry = REGION_TABLE_ADDR + REGION_ENTRY_SIZE * i as u32;
            put32(linear, entry, base);
            put32(linear, entry + 4, len);
            put32(linear, entry + 8, u32::from(region.writable));
        }
        let count = regions.len().min(MAX_REGIONS as usize);
        put32(linear, REGION_COUNT_ADDR, count as u32);
        let packet = regions
            .iter()
            .position(|r| r.kind == RegionKind::Packet)
            .map_or(0, |i| i as u32 + 1);
        put32(linear, PACKET_REGION_ADDR, packet);
    }

    /// Copies what the program wrote in linear memory back into the regions.
    fn absorb(&mut self, linear: &[u8]) {
        let memory = self.vm.memory_mut();
        for (i, p) in self.placed.iter().enumerate() {
            let Some(region) = memory.regions().get(i) else {
                break;
            };
            if !region.writable {
                continue;
            }
            let len = region.data.len().min(p.capacity as usize);
            if let Some(bytes) = linear.get(p.base as usize..p.base as usize + len) {
                memory.overwrite_region(i, bytes);
            }
        }
    }

    /// `env.helper`: calls helper `id` at `pc` with r1..r5 and returns r0 for the module,
    /// with the status written in `linear`; `None` when the helper faulted (the fault is
    /// recorded, and the engine must trap).
    pub fn helper(
        &mut self,
        linear: &mut Vec<u8>,
        helpers: &mut (impl Helpers + ?Sized),
        pc: i32,
        id: i32,
        args: [u64; 5],
    ) -> Option<u64> {
        self.absorb(linear);
        let mut guest = GuestMemory {
            memory: self.vm.memory_mut(),
            journal: None,
        };
        let result = helpers.call(id, args, &mut guest);
        let (status, value) = match result {
            Ok(HelperReturn::Value(v)) => (HelperStatus::Value, v),
            Ok(HelperReturn::Void) => (HelperStatus::Void, 0),
            Ok(HelperReturn::Stop(r0)) => {
                self.ended = Some(State::Exited {
                    r0,
                    early: Some(EarlyExit::HelperStop { id }),
                });
                (HelperStatus::Stop, r0)
            }
            Ok(HelperReturn::TailCall(program)) => {
                self.tail_call = Some(program);
                (HelperStatus::TailCall, 0)
            }
            Err(e) => {
                let pc = usize::try_from(pc).unwrap_or_default();
                self.ended = Some(State::Faulted(Fault {
                    pc,
                    kind: e.into_fault(id.into()),
                }));
                return None;
            }
        };
        if self.vm.memory().regions().len() > MAX_REGIONS as usize {
            let regions = self.vm.memory().regions().len();
            let message =
                format!("the helper mapped region {regions}; the JIT's table holds {MAX_REGIONS}");
            self.ended = Some(State::Faulted(Fault {
                pc: usize::try_from(pc).unwrap_or_default(),
                kind: FaultKind::Helper { id, message },
            }));
            return None;
        }
        self.lay_out(linear);
        put32(linear, STATUS_ADDR, status as u32);
        Some(value)
    }

    /// `env.fault`: records the interpreter's fault for what the module reported.
    pub fn fault(&mut self, linear: &[u8], pc: i32, code: i32, detail: i64) {
        self.absorb(linear);
        let pc = usize::try_from(pc).unwrap_or_default();
        let kind = match FaultCode::from_i32(code) {
            Some(code) => self.fault_kind(pc, code, detail),
            None => FaultKind::Helper {
                id: -1,
                message: format!("the module reported unknown fault code {code}"),
            },
        };
        self.ended = Some(State::Faulted(Fault { pc, kind }));
    }

    /// The interpreter's fault kind at `pc` from the module's code and detail.
    fn fault_kind(&self, pc: usize, code: FaultCode, detail: i64) -> FaultKind {
        let insn = match self.program().slots().get(pc) {
            Some(Slot::Insn(insn)) => Some(*insn),
            _ => None,
        };
        match code {
            FaultCode::Unmapped | FaultCode::OutOfBounds | FaultCode::ReadOnly => {
                FaultKind::Memory(self.access_error(insn.as_ref(), code, detail as u64))
            }
            FaultCode::UnknownHelper => FaultKind::UnknownHelper { id: detail },
            FaultCode::WriteToR10 => FaultKind::WriteToR10,
            FaultCode::JumpOutOfRange => FaultKind::JumpOutOfRange { target: detail },
            FaultCode::JumpIntoImm64 => FaultKind::JumpIntoImm64 {
                target: usize::try_from(detail).unwrap_or_default(),
            },
            FaultCode::FellOffEnd => FaultKind::FellOffEnd,
            FaultCode::UnsupportedCall => match insn {
                Some(Insn::Call { kind, imm }) => FaultKind::UnsupportedCall { kind, imm },
                _ => FaultKind::UnsupportedCall {
                    kind: CallKind::Kfunc,
                    imm: 0,
                },
            },
            FaultCode::CallDepthExceeded => FaultKind::CallDepthExceeded {
                limit: self.vm.config().max_frames,
            },
        }
    }

    /// The error the interpreter gives for the access of `insn` at `addr`: an atomic
    /// reads before it writes, as the interpreter does.
    fn access_error(&self, insn: Option<&Insn>, code: FaultCode, addr: u64) -> AccessError {
        let (size, write, atomic) = match insn {
            Some(Insn::Load { size, .. }) => (*size, false, false),
            Some(Insn::Store { size, .. } | Insn::StoreReg { size, .. }) => (*size, true, false),
            Some(Insn::Atomic { size, .. }) => (*size, true, true),
            _ => (Size::B, false, false),
        };
        let size = size.bytes();
        let memory = self.vm.memory();
        let checked = if atomic {
            memory
                .check(addr, size, false)
                .and_then(|()| memory.check(addr, size, true))
        } else {
            memory.check(addr, size, write)
        };
        checked.err().unwrap_or_else(|| {
            // The module's checks and the interpreter's disagree; report what the module saw.
            let problem = match code {
                FaultCode::Unmapped => AccessProblem::Unmapped,
                FaultCode::ReadOnly => AccessProblem::ReadOnly,
                _ => AccessProblem::OutOfBounds,
            };
            AccessError {
                addr,
                size,
                write,
                problem,
                region: None,
            }
        })
    }

    /// `env.early_exit`: Linux 4.4 ends the program with r0 = 0.
    pub fn early_exit(&mut self, _pc: i32, code: i32) {
        let early = if code == EarlyExitCode::DivisionByZero as i32 {
            EarlyExit::DivisionByZero
        } else {
            EarlyExit::PacketOutOfBounds
        };
        self.ended = Some(State::Exited {
            r0: 0,
            early: Some(early),
        });
    }

    /// What `run` returned (its r0, or the engine's trap message), with linear memory as
    /// it left it.
    ///
    /// # Errors
    /// The engine trapped but no import reported why.
    pub fn returned(
        &mut self,
        linear: &[u8],
        result: Result<u64, String>,
    ) -> Result<Next, JitHostError> {
        self.absorb(linear);
        if let Some(program) = self.tail_call.take() {
            self.program = program;
            return Ok(Next::TailCall);
        }
        match (result, &self.ended) {
            (_, Some(_)) => Ok(Next::Done),
            (Ok(r0), None) => {
                self.ended = Some(State::Exited { r0, early: None });
                Ok(Next::Done)
            }
            (Err(message), None) => Err(JitHostError::Trap(message)),
        }
    }

    /// The VM as the interpreter would leave it: memory, the program it ended in, and
    /// its state (`Running` if the run never ended).
    pub fn finish(mut self) -> Vm {
        let state = self.ended.take().unwrap_or(State::Running);
        self.vm.end_elsewhere(self.program.clone(), state);
        self.vm
    }
}
