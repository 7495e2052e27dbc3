//! The checks of the LD class: ld_imm64 and the legacy packet loads LD_ABS / LD_IND.

use super::{Check, Next, Reason, RegType, Verifier};
use crate::isa::table::mode;
use crate::isa::{RawInsn, Size};

impl Verifier<'_, '_> {
    /// The LD class, by mode.
    pub(super) fn check_ld(&mut self, idx: usize, insn: &RawInsn) -> Check<Next> {
        match insn.mode() {
            mode::ABS | mode::IND => self.check_ld_abs(insn)?,
            mode::IMM => {
                self.check_ld_imm(idx, insn)?;
                // The second slot is not an instruction of its own.
                return Ok(Next::Insn(idx + 2));
            }
            _ => return Err(self.reject(Reason::InvalidLdMode)),
        }
        Ok(Next::Insn(idx + 1))
    }

    fn check_ld_imm(&mut self, idx: usize, insn: &RawInsn) -> Check {
        if insn.size() != Size::DW {
            return Err(self.reject(Reason::InvalidLdImm));
        }
        if insn.off != 0 {
            return Err(self.reject(Reason::LdImm64Reserved));
        }
        let d = self.check_reg_write(insn.dst, true)?;
        if let Some(map) = self.map_at[idx] {
            self.cur.regs[d] = RegType::MapPtr(map);
        }
        Ok(())
    }

    fn check_ld_abs(&mut self, insn: &RawInsn) -> Check {
        if !self.env.prog_type.has_skb() {
            return Err(self.reject(Reason::LdAbsNotAllowed));
        }
        let abs = insn.mode() == mode::ABS;
        // kernel/bpf/verifier.c, check_ld_abs (4.4.1): `insn->dst_reg != BPF_REG_0 ||
        // insn->off != 0 || BPF_SIZE(insn->code) == BPF_DW || (mode == BPF_ABS &&
        // insn->src_reg != BPF_REG_0)` is refused as reserved fields. The size DW (0x38,
        // 0x58) is refused here because __bpf_prog_run has no jump-table entry for it.
        if insn.dst != 0 || insn.off != 0 || insn.size() == Size::DW || (abs && insn.src != 0) {
            return Err(self.reject(Reason::LdAbsReserved));
        }
        self.check_reg_read(6)?;
        if self.cur.regs[6] != RegType::Ctx {
            return Err(self.reject(Reason::LdAbsR6NotCtx));
        }
        if !abs {
            self.check_reg_read(insn.src)?;
        }
        for r in 0..6 {
            self.cur.regs[r] = RegType::NotInit;
        }
        self.cur.regs[0] = RegType::Unknown;
        Ok(())
    }
}
