use super::memory::AccessError;
use crate::isa::CallKind;
use crate::prelude::*;
use core::fmt;

/// Why a run stopped abnormally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A load, store or helper access outside every region, or a write to read-only memory.
    Memory(AccessError),
    /// A call to a helper id the helper table does not have.
    UnknownHelper { id: i64 },
    /// A helper refused its arguments.
    Helper { id: i32, message: String },
    /// The instruction budget ran out.
    OutOfFuel { budget: u64 },
    /// r10, the frame pointer, is read-only.
    WriteToR10,
    /// Local calls nested deeper than the configured limit.
    CallDepthExceeded { limit: usize },
    /// A jump or call to a slot outside the program.
    JumpOutOfRange { target: i64 },
    /// Control reached the second slot of an `lddw`.
    JumpIntoImm64 { target: usize },
    /// Execution ran past the last instruction without `exit`.
    FellOffEnd,
    /// A call kind this emulator does not implement (kernel functions).
    UnsupportedCall { kind: CallKind, imm: i32 },
}

/// A fault at an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub pc: usize,
    pub kind: FaultKind,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::Memory(e) => write!(f, "{e}"),
            FaultKind::UnknownHelper { id } => write!(f, "call to unknown helper {id}"),
            FaultKind::Helper { id, message } => write!(f, "helper {id} failed: {message}"),
            FaultKind::OutOfFuel { budget } => {
                write!(
                    f,
                    "ran out of fuel after {budget} instructions (raise the budget or look for a loop)"
                )
            }
            FaultKind::WriteToR10 => f.write_str("r10 (the frame pointer) is read-only"),
            FaultKind::CallDepthExceeded { limit } => {
                write!(f, "local calls nested deeper than {limit} frames")
            }
            FaultKind::JumpOutOfRange { target } => {
                write!(f, "jump to instruction {target}, outside the program")
            }
            FaultKind::JumpIntoImm64 { target } => {
                write!(
                    f,
                    "jump to instruction {target}, the second half of an lddw"
                )
            }
            FaultKind::FellOffEnd => f.write_str("ran past the last instruction without exit"),
            FaultKind::UnsupportedCall { kind, imm } => {
                write!(
                    f,
                    "`{} {imm}` is not supported by this emulator",
                    kind.ubpf()
                )
            }
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault at instruction {}: {}", self.pc, self.kind)
    }
}

impl core::error::Error for Fault {}
