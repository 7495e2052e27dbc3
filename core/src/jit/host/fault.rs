//! The interpreter's exact fault, rebuilt from what a module reported to `env.fault`.

use super::JitRun;
use crate::isa::{CallKind, Insn, Size, Slot};
use crate::jit::abi::FaultCode;
use crate::vm::{AccessError, AccessProblem, FaultKind};

impl JitRun {
    /// The interpreter's fault kind at `pc` from the module's code and detail.
    pub(super) fn fault_kind(&self, pc: usize, code: FaultCode, detail: i64) -> FaultKind {
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
    /// reads before it writes, as the interpreter does. Only the regions' lengths and
    /// permissions matter, so the regions' bytes need not be current.
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
}
