//! The host side of a JIT-compiled run, for any WebAssembly engine (wasmi in the tests,
//! the browser's in the playground): [`drive`] runs a [`JitRun`] to its end on an
//! [`Engine`], the one driver loop both use.
//!
//! A [`JitRun`] owns the [`Vm`] the run started from (program, registers, memory) and
//! lays its regions out in the module's linear memory (header, registers, region table,
//! the regions' bytes: [`JitRun::image`]). During the run, linear memory holds the
//! current bytes, and the VM's regions are brought up to date only where something else
//! reads them:
//!
//! - At a helper call, which runs unchanged through the same [`Helpers`] table as in
//!   the interpreter, the helper reads and writes the regions the VM owns (the stack,
//!   the context, the input) in linear memory, through [`GuestMemory`]'s mirror: only
//!   the bytes it asks for. The bytes the VM shares with their owner (map values, the
//!   packet), which the emulated kernel may read and change directly, are copied to the
//!   VM before the call and back after it; a region the helper mapped (a map value) is
//!   appended, and one that grew (the packet after a VLAN push) moves.
//! - When the run ends, every writable region is copied back, so that the run ends in
//!   the interpreter's own [`State`] and memory, faults included.

mod driver;
mod fault;

pub use driver::{Engine, Finished, Imports, LinearMemory, drive};

use super::JitError;
use super::abi::{
    DATA_ADDR, EarlyExitCode, FaultCode, HelperStatus, MAX_REGIONS, PACKET_REGION_ADDR,
    REGION_COUNT_ADDR, REGION_ENTRY_SIZE, REGION_TABLE_ADDR, REGS_ADDR, STATUS_ADDR,
};
use crate::isa::Program;
use crate::prelude::*;
use crate::vm::memory::RegionData;
use crate::vm::{
    EarlyExit, Fault, FaultKind, GuestMemory, HelperReturn, Helpers, Mirror, Prepared, RegionKind,
    State, Vm,
};
use alloc::rc::Rc;
use core::fmt;

/// Why a run cannot go on in the JIT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JitHostError {
    /// More regions than the module's region table holds.
    TooManyRegions { regions: usize },
    /// The JIT cannot compile a program the run reached (a tail call's target).
    Compile(JitError),
    /// The engine could not set up the memory or a module.
    Engine(String),
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
            JitHostError::Compile(e) => write!(f, "{e}"),
            JitHostError::Engine(message) => write!(f, "the WebAssembly engine: {message}"),
            JitHostError::Trap(message) => write!(
                f,
                "the compiled program trapped without a fault report: {message}"
            ),
        }
    }
}

impl core::error::Error for JitHostError {}

/// What the driver does after `run` returned.
#[derive(Clone, Debug)]
enum Next {
    /// Run [`JitRun::program`], now the tail call's target, on the same linear memory.
    TailCall,
    /// The run is over.
    Done,
}

/// Where a region lives in linear memory.
#[derive(Clone, Copy, Debug)]
struct Placement {
    base: u32,
    /// Bytes reserved: the region may shrink and grow back in place.
    capacity: u32,
    /// The length in the region table.
    len: u32,
    /// Whether linear memory holds the current bytes during the whole run (a region the
    /// VM owns), rather than until the next helper call (bytes shared with their owner).
    mirrored: bool,
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

/// A `Vec` is linear memory too: [`JitRun::image`] lays the image out in one.
impl LinearMemory for Vec<u8> {
    fn read(&self, at: u32, out: &mut [u8]) {
        out.copy_from_slice(&self[at as usize..at as usize + out.len()]);
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        self[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
    }

    fn grow_to(&mut self, len: u32) -> Result<(), String> {
        if self.len() < len as usize {
            self.resize(len as usize, 0);
        }
        Ok(())
    }
}

fn put32(linear: &mut dyn LinearMemory, at: u32, value: u32) {
    linear.write(at, &value.to_le_bytes());
}

/// The mirrored regions in linear memory, as a helper reads and writes them.
struct LinearRegions<'a> {
    linear: &'a mut dyn LinearMemory,
    placed: &'a [Placement],
}

impl LinearRegions<'_> {
    /// The linear address of `len` bytes at `off` in `region`, if linear memory holds them.
    fn at(&self, region: usize, off: usize, len: usize) -> Option<u32> {
        let p = self.placed.get(region).filter(|p| p.mirrored)?;
        let end = off.checked_add(len)?;
        (end <= p.len as usize).then(|| p.base + off as u32)
    }
}

impl Mirror for LinearRegions<'_> {
    fn read(&self, region: usize, off: usize, out: &mut [u8]) -> bool {
        match self.at(region, off, out.len()) {
            Some(at) => {
                self.linear.read(at, out);
                true
            }
            None => false,
        }
    }

    fn write(&mut self, region: usize, off: usize, bytes: &[u8]) {
        if let Some(at) = self.at(region, off, bytes.len()) {
            self.linear.write(at, bytes);
        }
    }
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

    /// The VM's configuration (its profile is the one to compile for).
    pub fn config(&self) -> &crate::vm::Config {
        self.vm.config()
    }

    /// Linear memory at the start: the header, the registers, the region table and
    /// every region's bytes.
    pub fn image(&mut self) -> Vec<u8> {
        let mut linear = vec![0u8; DATA_ADDR as usize];
        for (i, value) in self.vm.regs().iter().enumerate() {
            linear.write(REGS_ADDR + 8 * i as u32, &value.to_le_bytes());
        }
        self.placed.clear();
        self.end = DATA_ADDR;
        // A Vec always grows.
        let _ = self.lay_out(&mut linear, true);
        linear
    }

    /// Writes region bytes and table entries into linear memory: with `every`, all of
    /// them; otherwise what may have changed outside linear memory (the shared regions'
    /// bytes, new regions, regions that moved or changed length). A new region, or one
    /// that grew past its room, goes after the others (8-byte aligned, so that aligned
    /// guest accesses stay aligned).
    ///
    /// # Errors
    /// The engine could not grow linear memory.
    fn lay_out(&mut self, linear: &mut dyn LinearMemory, every: bool) -> Result<(), String> {
        let regions = self.vm.memory().regions();
        let count = regions.len().min(MAX_REGIONS as usize);
        let known = self.placed.len();
        for (i, region) in regions.iter().enumerate().take(count) {
            let len = region.data.len() as u32;
            let moved = self.placed.get(i).is_none_or(|p| len > p.capacity);
            if moved {
                let placement = Placement {
                    base: self.end,
                    capacity: len,
                    len,
                    mirrored: matches!(region.data, RegionData::Owned(_)),
                };
                self.end = (self.end + len).next_multiple_of(8);
                linear.grow_to(self.end)?;
                match self.placed.get_mut(i) {
                    Some(p) => *p = placement,
                    None => self.placed.push(placement),
                }
            }
            let p = &mut self.placed[i];
            match &region.data {
                RegionData::Owned(bytes) if every || moved => linear.write(p.base, bytes),
                RegionData::Owned(_) => {}
                RegionData::Shared(bytes) => linear.write(p.base, &bytes.borrow()),
            }
            if every || moved || len != p.len {
                p.len = len;
                let entry = REGION_TABLE_ADDR + REGION_ENTRY_SIZE * i as u32;
                put32(linear, entry, p.base);
                put32(linear, entry + 4, len);
                put32(linear, entry + 8, u32::from(region.writable));
            }
        }
        if every || count != known {
            put32(linear, REGION_COUNT_ADDR, count as u32);
            let packet = regions
                .iter()
                .position(|r| r.kind == RegionKind::Packet)
                .map_or(0, |i| i as u32 + 1);
            put32(linear, PACKET_REGION_ADDR, packet);
        }
        Ok(())
    }

    /// Copies what the program wrote in linear memory back into the VM's writable
    /// regions: all of them, or (`shared_only`) those whose bytes their owner may read
    /// directly.
    fn absorb(&mut self, linear: &dyn LinearMemory, shared_only: bool) {
        let memory = self.vm.memory_mut();
        let mut bytes = Vec::new();
        for (i, p) in self.placed.iter().enumerate() {
            let Some(region) = memory.regions().get(i) else {
                break;
            };
            if !region.writable || (shared_only && p.mirrored) {
                continue;
            }
            bytes.resize(region.data.len().min(p.len as usize), 0);
            linear.read(p.base, &mut bytes);
            memory.overwrite_region(i, &bytes);
        }
    }

    /// `env.helper`: calls helper `id` at `pc` with r1..r5 and returns r0 for the
    /// module, with the status written in linear memory; or the message to trap with
    /// (the helper faulted, and the fault is recorded).
    fn helper(
        &mut self,
        linear: &mut dyn LinearMemory,
        helpers: &mut dyn Helpers,
        pc: i32,
        id: i32,
        args: [u64; 5],
    ) -> Result<u64, String> {
        self.absorb(linear, true);
        let mut mirror = LinearRegions {
            linear: &mut *linear,
            placed: &self.placed,
        };
        let mut guest = GuestMemory {
            memory: self.vm.memory_mut(),
            journal: None,
            mirror: Some(&mut mirror),
        };
        let result = helpers.call(id, args, &mut guest);
        let pc = usize::try_from(pc).unwrap_or_default();
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
                self.ended = Some(State::Faulted(Fault {
                    pc,
                    kind: e.into_fault(id.into()),
                }));
                return Err(format!("helper {id} faulted"));
            }
        };
        let regions = self.vm.memory().regions().len();
        if regions > MAX_REGIONS as usize {
            let message =
                format!("the helper mapped region {regions}; the JIT's table holds {MAX_REGIONS}");
            self.ended = Some(State::Faulted(Fault {
                pc,
                kind: FaultKind::Helper { id, message },
            }));
            return Err(format!("helper {id} faulted"));
        }
        self.lay_out(linear, false)?;
        put32(linear, STATUS_ADDR, status as u32);
        Ok(value)
    }

    /// `env.fault`: records the interpreter's fault for what the module reported.
    fn fault(&mut self, pc: i32, code: i32, detail: i64) {
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

    /// `env.early_exit`: Linux 4.4 ends the program with r0 = 0.
    fn early_exit(&mut self, code: i32) {
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
    /// it left it. A tail call's target runs on linear memory as it is; at the end, the
    /// VM's regions take what the program wrote.
    ///
    /// # Errors
    /// The engine trapped but no import reported why.
    fn returned(
        &mut self,
        linear: &dyn LinearMemory,
        result: Result<u64, String>,
    ) -> Result<Next, JitHostError> {
        if let Some(program) = self.tail_call.take() {
            self.program = program;
            return Ok(Next::TailCall);
        }
        self.absorb(linear, false);
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
    /// its state (`Running` if the run never ended). Registers other than r0 are not
    /// reported.
    fn finish(mut self) -> Vm {
        let state = self.ended.take().unwrap_or(State::Running);
        self.vm.end_elsewhere(self.program.clone(), state);
        self.vm
    }
}
