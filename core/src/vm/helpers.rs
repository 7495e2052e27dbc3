//! The helper-call interface. Tables of real helpers live with the emulated kernel;
//! this module only defines how the interpreter reaches them.

use super::memory::{AccessError, MemChange, Memory, RegionKind, SharedBytes};
use super::{FaultKind, Prepared};
use crate::prelude::*;
use alloc::rc::Rc;
use core::fmt;

/// What a helper call does to the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelperReturn {
    /// Put the value in r0 and continue.
    Value(u64),
    /// Continue with r0 unchanged (a `void` helper such as a failed tail call).
    Void,
    /// End the program with this r0 (e.g. the conformance "unwind" helper).
    Stop(u64),
    /// Continue at instruction 0 of another program (a successful tail call). The
    /// caller's registers and stack are kept.
    TailCall(Rc<Prepared>),
}

/// Why a helper call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HelperError {
    /// The table has no helper with this id.
    Unknown,
    /// The helper touched guest memory it may not.
    Memory(AccessError),
    /// Any other refusal, explained.
    Failed(String),
}

impl From<AccessError> for HelperError {
    fn from(e: AccessError) -> Self {
        HelperError::Memory(e)
    }
}

impl HelperError {
    /// The fault a failed call of helper `id` is.
    pub fn into_fault(self, id: i64) -> FaultKind {
        match self {
            HelperError::Unknown => FaultKind::UnknownHelper { id },
            HelperError::Memory(e) => FaultKind::Memory(e),
            HelperError::Failed(message) => FaultKind::Helper {
                id: id as i32,
                message,
            },
        }
    }
}

/// Guest memory as a helper sees it: writes are journaled while stepping.
#[derive(Debug)]
pub struct GuestMemory<'a> {
    pub(crate) memory: &'a mut Memory,
    pub(crate) journal: Option<&'a mut Vec<MemChange>>,
    /// Where the engine running the program keeps the regions' bytes, when that is not
    /// `memory` (the JIT's linear memory): reads come from there, and writes go there too.
    pub(crate) mirror: Option<&'a mut dyn Mirror>,
}

/// Another engine's copy of the regions' bytes (the JIT keeps them in the module's
/// linear memory), read and written in place during a helper call, so that the call
/// touches only the bytes the helper asks for.
pub trait Mirror {
    /// Fills `out` from region `region` at offset `off`, or returns `false` when the
    /// engine holds no copy of that region (then the region's own bytes are current).
    fn read(&self, region: usize, off: usize, out: &mut [u8]) -> bool;
    /// Writes `bytes` at offset `off` of the engine's copy of region `region`, if it has one.
    fn write(&mut self, region: usize, off: usize, bytes: &[u8]);
}

impl fmt::Debug for dyn Mirror + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mirror")
    }
}

impl GuestMemory<'_> {
    pub fn read_bytes(&self, addr: u64, len: usize) -> Result<Vec<u8>, AccessError> {
        let mut out = vec![0; len];
        match &self.mirror {
            Some(mirror) => {
                let (region, off) = self.memory.locate(addr, len, false)?;
                if !mirror.read(region, off, &mut out) {
                    self.memory.read_into(addr, &mut out)?;
                }
            }
            None => self.memory.read_into(addr, &mut out)?,
        }
        Ok(out)
    }

    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) -> Result<(), AccessError> {
        self.memory
            .write_bytes(addr, bytes, self.journal.as_deref_mut())?;
        if let Some(mirror) = &mut self.mirror {
            let (region, off) = self.memory.locate(addr, bytes.len(), true)?;
            mirror.write(region, off, bytes);
        }
        Ok(())
    }

    /// Makes shared bytes (a map value) addressable and returns their address.
    pub fn map_shared(&mut self, kind: RegionKind, data: &SharedBytes, writable: bool) -> u64 {
        self.memory.map_shared(kind, data, writable)
    }

    pub fn memory(&self) -> &Memory {
        self.memory
    }
}

/// A helper table, passed to each `run` and `step`, so that it can borrow state (an
/// emulated kernel) that outlives the run.
pub trait Helpers {
    /// Calls helper `id` with r1..r5.
    fn call(
        &mut self,
        id: i32,
        args: [u64; 5],
        memory: &mut GuestMemory<'_>,
    ) -> Result<HelperReturn, HelperError>;
}

/// No helpers at all: every call faults with an unknown-helper error.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHelpers;

impl Helpers for NoHelpers {
    fn call(
        &mut self,
        _: i32,
        _: [u64; 5],
        _: &mut GuestMemory<'_>,
    ) -> Result<HelperReturn, HelperError> {
        Err(HelperError::Unknown)
    }
}

/// The bpf_conformance harness's table: helper 5 is uBPF's "unwind" (return r1, and
/// stop the program when that is 0). Only the conformance plugin and tests use it;
/// in the kernel, helper 5 is `ktime_get_ns`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConformanceHelpers;

/// Helper id of uBPF's unwind helper.
pub const UNWIND_HELPER: i32 = 5;

impl Helpers for ConformanceHelpers {
    fn call(
        &mut self,
        id: i32,
        args: [u64; 5],
        _: &mut GuestMemory<'_>,
    ) -> Result<HelperReturn, HelperError> {
        match id {
            UNWIND_HELPER if args[0] == 0 => Ok(HelperReturn::Stop(0)),
            UNWIND_HELPER => Ok(HelperReturn::Value(args[0])),
            _ => Err(HelperError::Unknown),
        }
    }
}
