//! What one instruction does, as `advance` (stepping, and whatever the fast loop hands
//! over) executes it: ALU, loads and stores, atomics, packet loads, calls and jumps.

use super::*;
use crate::linux::ctx::packet_load_start;

impl Vm {
    pub(super) fn execute(
        &mut self,
        insn: &Insn,
        helpers: &mut impl Helpers,
        mut journal: Option<&mut Vec<MemChange>>,
    ) -> Result<Control, FaultKind> {
        let profile = self.config.profile;
        match *insn {
            Insn::Alu {
                width,
                op,
                dst,
                src,
            } => {
                let s = self.operand(src, width);
                let d = self.reg(dst);
                let value = match width {
                    Width::W64 => alu::alu64(op, d, s, profile),
                    Width::W32 => alu::alu32(op, d as u32, s as u32, profile).map(u64::from),
                };
                match value {
                    Some(v) => self.set(dst, v)?,
                    None => {
                        return Ok(Control::Exit {
                            r0: 0,
                            early: Some(EarlyExit::DivisionByZero),
                        });
                    }
                }
            }
            Insn::Neg { width, dst } => {
                let d = self.reg(dst);
                let v = match width {
                    Width::W64 => d.wrapping_neg(),
                    Width::W32 => u64::from((d as u32).wrapping_neg()),
                };
                self.set(dst, v)?;
            }
            Insn::Endian { order, bits, dst } => {
                let v = alu::endian(order, bits, self.reg(dst));
                self.set(dst, v)?;
            }
            Insn::LoadImm64 { dst, imm, .. } => self.set(dst, imm)?,
            Insn::LoadPacket { size, index, imm } => {
                let base = index.map_or(0, |r| self.reg(r) as u32);
                let off = (imm as u32).wrapping_add(base) as i32;
                match self.packet_load(off, size) {
                    Some(v) => self.regs[0] = v,
                    None => {
                        return Ok(Control::Exit {
                            r0: 0,
                            early: Some(EarlyExit::PacketOutOfBounds),
                        });
                    }
                }
            }
            Insn::Load {
                size,
                signed,
                dst,
                src,
                off,
            } => {
                let addr = self.reg(src).wrapping_add(off as i64 as u64);
                let raw = self
                    .memory
                    .read(addr, size.bytes())
                    .map_err(FaultKind::Memory)?;
                self.set(dst, if signed { sign_extend(raw, size) } else { raw })?;
            }
            Insn::Store {
                size,
                dst,
                off,
                imm,
            } => {
                let addr = self.reg(dst).wrapping_add(off as i64 as u64);
                self.memory
                    .write(addr, size.bytes(), imm as i64 as u64, journal)
                    .map_err(FaultKind::Memory)?;
            }
            Insn::StoreReg {
                size,
                dst,
                src,
                off,
            } => {
                let addr = self.reg(dst).wrapping_add(off as i64 as u64);
                let value = self.reg(src);
                self.memory
                    .write(addr, size.bytes(), value, journal)
                    .map_err(FaultKind::Memory)?;
            }
            Insn::Atomic {
                size,
                op,
                dst,
                src,
                off,
            } => {
                let addr = self.reg(dst).wrapping_add(off as i64 as u64);
                let n = size.bytes();
                let old = self.memory.read(addr, n).map_err(FaultKind::Memory)?;
                let (new, fetched) = atomic(op, old, self.reg(src), self.regs[0], size);
                self.memory
                    .write(addr, n, new, journal.as_deref_mut())
                    .map_err(FaultKind::Memory)?;
                if let Some(value) = fetched {
                    self.set(
                        if op == AtomicOp::CmpXchg {
                            Reg::R0
                        } else {
                            src
                        },
                        value,
                    )?;
                }
            }
            Insn::Ja { off } => return Ok(Control::Jump(off.into())),
            Insn::JaLong { off } => return Ok(Control::Jump(off.into())),
            Insn::Branch {
                width,
                cond,
                dst,
                src,
                off,
            } => {
                let a = self.reg(dst);
                let b = self.operand(src, width);
                let taken = match width {
                    Width::W64 => alu::cond64(cond, a, b),
                    Width::W32 => alu::cond32(cond, a as u32, b as u32),
                };
                if taken {
                    return Ok(Control::Jump(off.into()));
                }
            }
            Insn::Call {
                kind: CallKind::Helper,
                imm,
            } => return self.call_helper(helpers, imm.into(), journal),
            Insn::Call {
                kind: CallKind::Local,
                imm,
            } => {
                return Ok(Control::Call {
                    target_off: imm.into(),
                });
            }
            Insn::Call {
                kind: CallKind::Kfunc,
                imm,
            } => {
                return Err(FaultKind::UnsupportedCall {
                    kind: CallKind::Kfunc,
                    imm,
                });
            }
            Insn::CallReg { reg } => {
                return self.call_helper(helpers, self.reg(reg) as i64, journal);
            }
            Insn::Exit => {
                return Ok(Control::Exit {
                    r0: self.regs[0],
                    early: None,
                });
            }
        }
        Ok(Control::Next)
    }

    fn call_helper(
        &mut self,
        helpers: &mut impl Helpers,
        id: i64,
        journal: Option<&mut Vec<MemChange>>,
    ) -> Result<Control, FaultKind> {
        let id32 = i32::try_from(id).map_err(|_| FaultKind::UnknownHelper { id })?;
        let args = [
            self.regs[1],
            self.regs[2],
            self.regs[3],
            self.regs[4],
            self.regs[5],
        ];
        let mut guest = GuestMemory {
            memory: &mut self.memory,
            journal,
            mirror: None,
        };
        match helpers.call(id32, args, &mut guest) {
            Ok(HelperReturn::Value(v)) => {
                self.regs[0] = v;
                Ok(Control::Next)
            }
            Ok(HelperReturn::Void) => Ok(Control::Next),
            Ok(HelperReturn::TailCall(program)) => Ok(Control::TailCall(program)),
            Ok(HelperReturn::Stop(r0)) => Ok(Control::Exit {
                r0,
                early: Some(EarlyExit::HelperStop { id: id32 }),
            }),
            Err(e) => Err(e.into_fault(id)),
        }
    }

    /// Big-endian packet read at `off`, as `LD_ABS`/`LD_IND` do.
    fn packet_load(&self, off: i32, size: Size) -> Option<u64> {
        let base = self.memory.region(RegionKind::Packet)?.base;
        let raw = self
            .memory
            .read(packet_address(base, off)?, size.bytes())
            .ok()?;
        Some(big_endian(raw, size))
    }
}

/// Where `LD_ABS`/`LD_IND` at `off` read in a packet mapped at `base` (negative offsets
/// reach the headers, see [`packet_load_start`]).
pub(super) fn packet_address(base: u64, off: i32) -> Option<u64> {
    Some(base + u64::from(packet_load_start(off)?))
}

/// A packet value read little-endian, as the big-endian value `LD_ABS`/`LD_IND` give.
pub(super) fn big_endian(raw: u64, size: Size) -> u64 {
    raw.swap_bytes() >> (64 - 8 * size.bytes())
}

pub(super) fn sign_extend(raw: u64, size: Size) -> u64 {
    match size {
        Size::B => raw as u8 as i8 as i64 as u64,
        Size::H => raw as u16 as i16 as i64 as u64,
        Size::W => raw as u32 as i32 as i64 as u64,
        Size::DW => raw,
    }
}

/// New memory value, and the value fetched into a register (for fetch, xchg, cmpxchg).
fn atomic(op: AtomicOp, old: u64, src: u64, r0: u64, size: Size) -> (u64, Option<u64>) {
    use AtomicOp as A;
    let mask = if size == Size::W {
        0xffff_ffff
    } else {
        u64::MAX
    };
    let (old, src, r0) = (old & mask, src & mask, r0 & mask);
    let (new, fetch) = match op {
        A::Add => (old.wrapping_add(src), false),
        A::Or => (old | src, false),
        A::And => (old & src, false),
        A::Xor => (old ^ src, false),
        A::FetchAdd => (old.wrapping_add(src), true),
        A::FetchOr => (old | src, true),
        A::FetchAnd => (old & src, true),
        A::FetchXor => (old ^ src, true),
        A::Xchg => (src, true),
        A::CmpXchg => (if old == r0 { src } else { old }, true),
    };
    (new & mask, fetch.then_some(old))
}
