//! Loads and stores: the LDX, STX, ST and XADD checks, check_mem_access by base type,
//! stack spill and fill, and the context access rules of each program type.

use super::state::{MAX_BPF_STACK, REG_SIZE, SlotType};
use super::{Check, LeakTarget, Reason, RegType, Verifier};
use crate::isa::table::mode;
use crate::isa::{RawInsn, Size};
use crate::linux::ProgType;
use crate::linux::ctx::{PT_REGS_SIZE, SKB_CTX_SIZE, SKB_FIELDS};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

impl Verifier<'_, '_> {
    pub(super) fn check_ldx(&mut self, idx: usize, insn: &RawInsn) -> Check {
        let s = self.check_reg_read(insn.src)?;
        let d = self.check_reg_write(insn.dst, false)?;
        let base = self.cur.regs[s];
        self.check_mem_access(s, insn.off.into(), insn.size(), Access::Read, Some(d))?;
        if insn.size() == Size::W {
            self.check_same_pointer(idx, base)?;
        }
        Ok(())
    }

    pub(super) fn check_stx(&mut self, idx: usize, insn: &RawInsn) -> Check {
        let s = self.check_reg_read(insn.src)?;
        let d = self.check_reg_read(insn.dst)?;
        let base = self.cur.regs[d];
        self.check_mem_access(d, insn.off.into(), insn.size(), Access::Write, Some(s))?;
        self.check_same_pointer(idx, base)
    }

    /// A 4-byte load (or any STX) must see the same kind of base on every path when
    /// one of them is ctx, because the ctx access gets rewritten.
    fn check_same_pointer(&mut self, idx: usize, base: RegType) -> Check {
        let kind = base.number();
        let mark = self.ptr_mark[idx];
        if mark == 0 {
            self.ptr_mark[idx] = kind;
        } else if kind != mark && (kind == RegType::Ctx.number() || mark == RegType::Ctx.number()) {
            return Err(self.reject(Reason::DifferentPointers));
        }
        Ok(())
    }

    pub(super) fn check_st(&mut self, insn: &RawInsn) -> Check {
        if insn.mode() != mode::MEM || insn.src != 0 {
            return Err(self.reject(Reason::StReserved));
        }
        let d = self.check_reg_read(insn.dst)?;
        self.check_mem_access(d, insn.off.into(), insn.size(), Access::Write, None)
    }

    /// 4.4.1's XADD: no pointer-leak check on the added value.
    pub(super) fn check_xadd(&mut self, insn: &RawInsn) -> Check {
        if !matches!(insn.size(), Size::W | Size::DW) || insn.imm != 0 {
            return Err(self.reject(Reason::XaddReserved));
        }
        self.check_reg_read(insn.src)?;
        let d = self.check_reg_read(insn.dst)?;
        self.check_mem_access(d, insn.off.into(), insn.size(), Access::Read, None)?;
        self.check_mem_access(d, insn.off.into(), insn.size(), Access::Write, None)
    }

    /// check_mem_access: `value` is the register stored (write) or loaded into (read).
    fn check_mem_access(
        &mut self,
        base: usize,
        mut off: i32,
        size: Size,
        t: Access,
        value: Option<usize>,
    ) -> Check {
        let reg = self.cur.regs[base];
        if let RegType::Stack(k) = reg {
            off = off.wrapping_add(k);
        }
        let size = size.bytes() as i32;
        if off % size != 0 {
            return Err(self.reject(Reason::MisalignedAccess { off, size }));
        }
        match reg {
            RegType::MapValue(map) => {
                if let Some(v) = value.filter(|v| t == Access::Write && self.is_pointer(*v)) {
                    return Err(self.reject(Reason::LeaksAddr {
                        reg: v as u8,
                        into: LeakTarget::Map,
                    }));
                }
                if off < 0 || i64::from(off) + i64::from(size) > i64::from(map.value_size) {
                    return Err(self.reject(Reason::MapValueOutOfBounds {
                        value_size: map.value_size,
                        off,
                        size,
                    }));
                }
                if let (Access::Read, Some(v)) = (t, value) {
                    self.cur.regs[v] = RegType::Unknown;
                }
            }
            RegType::Ctx => {
                if let Some(v) = value.filter(|v| t == Access::Write && self.is_pointer(*v)) {
                    return Err(self.reject(Reason::LeaksAddr {
                        reg: v as u8,
                        into: LeakTarget::Ctx,
                    }));
                }
                if !self.ctx_access_ok(off, size, t) {
                    return Err(self.reject(Reason::InvalidCtxAccess { off, size }));
                }
                if let (Access::Read, Some(v)) = (t, value) {
                    self.cur.regs[v] = RegType::Unknown;
                }
            }
            RegType::FramePtr | RegType::Stack(_) => {
                if !(-MAX_BPF_STACK..0).contains(&off) {
                    return Err(self.reject(Reason::InvalidStackOff { off, size }));
                }
                if t == Access::Write {
                    if !self.env.privileged
                        && self.cur.slot(off) == SlotType::Spill
                        && size != REG_SIZE
                    {
                        return Err(self.reject(Reason::CorruptSpilledPointer));
                    }
                    self.stack_write(off, size, value)?;
                } else {
                    self.stack_read(off, size, value)?;
                }
            }
            other => {
                return Err(self.reject(Reason::InvalidMemAccess {
                    reg: base as u8,
                    base: other,
                }));
            }
        }
        Ok(())
    }

    /// `off` is aligned to `size` (checked by the caller).
    fn stack_write(&mut self, off: i32, size: i32, value: Option<usize>) -> Check {
        let at = (MAX_BPF_STACK + off) as usize;
        let spilled = value.map(|v| self.cur.regs[v]).filter(|r| r.is_spillable());
        match spilled {
            Some(reg) => {
                if size != REG_SIZE {
                    return Err(self.reject(Reason::InvalidSpillSize));
                }
                self.cur.set_spilled(at / REG_SIZE as usize, reg);
                self.cur.mark_bytes(at, REG_SIZE as usize, SlotType::Spill);
            }
            None => {
                self.cur
                    .set_spilled(at / REG_SIZE as usize, RegType::NotInit);
                self.cur.mark_bytes(at, size as usize, SlotType::Misc);
            }
        }
        Ok(())
    }

    fn stack_read(&mut self, off: i32, size: i32, value: Option<usize>) -> Check {
        let at = (MAX_BPF_STACK + off) as usize;
        if self.cur.byte(at) == SlotType::Spill {
            if size != REG_SIZE {
                return Err(self.reject(Reason::InvalidSpillSize));
            }
            if (at + 1..at + REG_SIZE as usize).any(|i| self.cur.byte(i) != SlotType::Spill) {
                return Err(self.reject(Reason::CorruptedSpill));
            }
            if let Some(v) = value {
                self.cur.regs[v] = self.cur.spilled_at(at / REG_SIZE as usize);
            }
        } else {
            if let Some(i) = (0..size).find(|i| self.cur.byte(at + *i as usize) != SlotType::Misc) {
                return Err(self.reject(Reason::InvalidStackRead {
                    off,
                    first_bad: i,
                    size,
                }));
            }
            if let Some(v) = value {
                self.cur.regs[v] = RegType::Unknown;
            }
        }
        Ok(())
    }

    /// The program type's is_valid_access.
    fn ctx_access_ok(&self, off: i32, size: i32, t: Access) -> bool {
        match self.env.prog_type {
            ProgType::Kprobe => {
                t == Access::Read && off >= 0 && (off as usize) < PT_REGS_SIZE && off % size == 0
            }
            skb_type => {
                if off < 0 || off as usize >= SKB_CTX_SIZE || off % size != 0 || size != 4 {
                    return false;
                }
                let tc = skb_type != ProgType::SocketFilter;
                SKB_FIELDS
                    .iter()
                    .find(|f| f.offset == off as usize)
                    .is_some_and(|f| {
                        let (socket, tc_ok) = if t == Access::Read { f.read } else { f.write };
                        if tc { tc_ok } else { socket }
                    })
            }
        }
    }
}
