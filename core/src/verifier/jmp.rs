//! The checks of the JMP class: call, ja, exit, conditional jumps, and helper calls
//! with their argument checks (check_call, check_func_arg, check_cond_jmp).

use super::state::{MAX_BPF_STACK, SlotType};
use super::{Check, LeakTarget, MAX_PENDING, MapInfo, MapPart, Next, Reason, RegType, Verifier};
use crate::isa::table::op;
use crate::isa::{Cond, Profile, RawInsn};
use crate::linux::MapType;
use crate::linux::helpers::{ArgType, HELPERS, RetType, proto_of};

impl Verifier<'_, '_> {
    /// The JMP class: call, ja, exit and the conditional jumps.
    pub(super) fn check_jmp(&mut self, idx: usize, insn: &RawInsn) -> Check<Next> {
        let x = insn.has_reg_source();
        match insn.op() {
            op::CALL => {
                if x || insn.off != 0 || insn.src != 0 || insn.dst != 0 {
                    return Err(self.reject(Reason::CallReserved));
                }
                self.check_call(insn.imm)?;
                Ok(Next::Insn(idx + 1))
            }
            op::JA => {
                if x || insn.imm != 0 || insn.src != 0 || insn.dst != 0 {
                    return Err(self.reject(Reason::JaReserved));
                }
                Ok(Next::Insn(jump_target(idx, insn)))
            }
            op::EXIT => {
                if x || insn.imm != 0 || insn.src != 0 || insn.dst != 0 {
                    return Err(self.reject(Reason::ExitReserved));
                }
                self.check_reg_read(0)?;
                if self.is_pointer(0) {
                    return Err(self.reject(Reason::LeaksReturnValue));
                }
                Ok(Next::PathDone)
            }
            _ => self.check_cond_jmp(idx, insn),
        }
    }

    fn check_call(&mut self, func: i32) -> Check {
        // __BPF_FUNC_MAX_ID: one past the last helper id.
        if !(0..=HELPERS.len() as i32).contains(&func) {
            return Err(self.reject(Reason::InvalidFunc { func }));
        }
        let proto = match proto_of(func) {
            Some(p) if p.available(self.env.prog_type, self.env.privileged) => *p,
            _ => return Err(self.reject(Reason::UnknownFunc { func })),
        };
        if proto.gpl_only && !self.env.gpl_compatible {
            return Err(self.reject(Reason::GplOnly));
        }
        let mut map: Option<MapInfo> = None;
        for (i, arg) in proto.args.iter().enumerate() {
            self.check_func_arg(i + 1, *arg, &mut map)?;
        }
        for r in 0..6 {
            self.cur.regs[r] = RegType::NotInit;
        }
        self.cur.regs[0] = match proto.ret {
            RetType::Integer => RegType::Unknown,
            RetType::Void => RegType::NotInit,
            RetType::MapValueOrNull => match map {
                Some(m) => RegType::MapValueOrNull(m),
                None => return Err(self.reject(Reason::MisconfiguredVerifier)),
            },
        };
        // 4.4 pairs these helpers (tail_call; perf_event_read and _output) with their
        // map types, without a log message.
        let wrong_map = match (func, map) {
            (12, Some(m)) => m.map_type != MapType::ProgArray,
            (22 | 25, Some(m)) => m.map_type != MapType::PerfEventArray,
            _ => false,
        };
        if wrong_map {
            return Err(self.reject(Reason::HelperMapMismatch { func }));
        }
        Ok(())
    }

    fn check_func_arg(&mut self, regno: usize, arg: ArgType, map: &mut Option<MapInfo>) -> Check {
        if arg == ArgType::DontCare {
            return Ok(());
        }
        let reg = self.cur.regs[regno];
        if reg == RegType::NotInit {
            return Err(self.reject(Reason::RegNotReadable { reg: regno as u8 }));
        }
        if arg == ArgType::Anything {
            if self.is_pointer(regno) {
                return Err(self.reject(Reason::LeaksAddr {
                    reg: regno as u8,
                    into: LeakTarget::HelperFunction,
                }));
            }
            return Ok(());
        }
        let (matches, expected) = match arg {
            ArgType::PtrToStack | ArgType::PtrToMapKey | ArgType::PtrToMapValue => {
                (matches!(reg, RegType::Stack(_)), "fp")
            }
            ArgType::ConstStackSize => (matches!(reg, RegType::Imm(_)), "imm"),
            ArgType::ConstMapPtr => (matches!(reg, RegType::MapPtr(_)), "map_ptr"),
            _ => (reg == RegType::Ctx, "ctx"),
        };
        if !matches {
            return Err(self.reject(Reason::ArgType {
                reg: regno as u8,
                actual: reg,
                expected,
            }));
        }
        match (arg, reg) {
            (ArgType::ConstMapPtr, RegType::MapPtr(m)) => *map = Some(m),
            (ArgType::PtrToMapKey | ArgType::PtrToMapValue, _) => {
                let part = if arg == ArgType::PtrToMapKey {
                    MapPart::Key
                } else {
                    MapPart::Value
                };
                let Some(m) = *map else {
                    return Err(self.reject(Reason::MapArgWithoutMap { part }));
                };
                let size = match part {
                    MapPart::Key => m.key_size,
                    MapPart::Value => m.value_size,
                };
                self.check_stack_boundary(regno, size as i32)?;
            }
            (ArgType::ConstStackSize, RegType::Imm(size)) => {
                self.check_stack_boundary(regno - 1, size)?
            }
            _ => {}
        }
        Ok(())
    }

    fn check_stack_boundary(&mut self, regno: usize, access_size: i32) -> Check {
        let RegType::Stack(off) = self.cur.regs[regno] else {
            return Err(self.reject(Reason::SizeWithoutStackBuffer));
        };
        if !(-MAX_BPF_STACK..0).contains(&off)
            || off.saturating_add(access_size) > 0
            || access_size <= 0
        {
            return Err(self.reject(Reason::InvalidStackType {
                reg: regno as u8,
                off,
                access_size,
            }));
        }
        if let Some(i) = (0..access_size).find(|i| self.cur.slot(off + i) != SlotType::Misc) {
            return Err(self.reject(Reason::InvalidIndirectRead {
                off,
                first_bad: i,
                size: access_size,
            }));
        }
        Ok(())
    }

    /// check_cond_jmp_op: the next instruction when a constant comparison decides the
    /// jump (only that side is followed), else the fall-through with the target pending.
    fn check_cond_jmp(&mut self, idx: usize, insn: &RawInsn) -> Check<Next> {
        // 4.4 knows the conditions up to JSGE; later ones are invalid opcodes here.
        let Some(cond) = Cond::from_code(insn.op()).filter(|c| Profile::Linux44.allows(c.since()))
        else {
            return Err(self.reject(Reason::InvalidJmpOpcode { op: insn.op() }));
        };
        let k = !insn.has_reg_source();
        if !k {
            if insn.imm != 0 {
                return Err(self.reject(Reason::JmpReserved));
            }
            let s = self.check_reg_read(insn.src)?;
            if self.is_pointer(s) {
                return Err(self.reject(Reason::PointerComparison { reg: insn.src }));
            }
        } else if insn.src != 0 {
            return Err(self.reject(Reason::JmpReserved));
        }
        let d = self.check_reg_read(insn.dst)?;
        let eq_ne = matches!(cond, Cond::Eq | Cond::Ne);
        let target = jump_target(idx, insn);
        if k && eq_ne && self.cur.regs[d] == RegType::Imm(insn.imm) {
            return Ok(Next::Insn(if cond == Cond::Eq { target } else { idx + 1 }));
        }
        let mut other = self.cur.clone();
        match self.cur.regs[d] {
            RegType::MapValueOrNull(m) if k && insn.imm == 0 && eq_ne => {
                let (taken, fallthrough) = if cond == Cond::Eq {
                    (RegType::Imm(0), RegType::MapValue(m))
                } else {
                    (RegType::MapValue(m), RegType::Imm(0))
                };
                other.regs[d] = taken;
                self.cur.regs[d] = fallthrough;
            }
            _ if self.is_pointer(d) => {
                return Err(self.reject(Reason::PointerComparison { reg: insn.dst }));
            }
            _ if k && cond == Cond::Eq => other.regs[d] = RegType::Imm(insn.imm),
            _ if k && cond == Cond::Ne => self.cur.regs[d] = RegType::Imm(insn.imm),
            _ => {}
        }
        self.pending.push((other, target, idx));
        if self.pending.len() > MAX_PENDING {
            return Err(self.reject(Reason::TooComplex));
        }
        if self.env.log {
            self.log_state_line();
        }
        Ok(Next::Insn(idx + 1))
    }
}

/// Where a jump at `idx` goes (the control-flow check has kept it in the program).
fn jump_target(idx: usize, insn: &RawInsn) -> usize {
    (idx as i64 + i64::from(insn.off) + 1) as usize
}
