//! The checks of the ALU and ALU64 classes (check_alu_op).

use super::{Check, Reason, RegType, Verifier};
use crate::isa::table::{class, op};
use crate::isa::{AluOp, RawInsn};

impl Verifier<'_, '_> {
    /// check_alu_op. 4.4 reads only the operation bits, so RFC 9669's offset-selected
    /// variants (sdiv, movsx) fail the reserved-field checks here.
    pub(super) fn check_alu(&mut self, insn: &RawInsn) -> Check {
        let x = insn.has_reg_source();
        let alu64 = insn.class() == class::ALU64;
        match (insn.op(), AluOp::from_code((insn.op(), 0))) {
            (op::NEG | op::END, _) => {
                if insn.op() == op::NEG && (x || insn.src != 0 || insn.off != 0 || insn.imm != 0) {
                    return Err(self.reject(Reason::NegReserved));
                }
                if insn.op() == op::END
                    && (insn.src != 0 || insn.off != 0 || !matches!(insn.imm, 16 | 32 | 64))
                {
                    return Err(self.reject(Reason::EndReserved));
                }
                let d = self.check_reg_read(insn.dst)?;
                if self.is_pointer(d) {
                    return Err(self.reject(Reason::PointerArithmetic { reg: insn.dst }));
                }
                self.check_reg_write(insn.dst, true)?;
            }
            (_, Some(AluOp::Mov)) => {
                if x {
                    if insn.imm != 0 || insn.off != 0 {
                        return Err(self.reject(Reason::MovReserved));
                    }
                    self.check_reg_read(insn.src)?;
                } else if insn.src != 0 || insn.off != 0 {
                    return Err(self.reject(Reason::MovReserved));
                }
                let d = self.check_reg_write(insn.dst, true)?;
                if x {
                    let s = usize::from(insn.src);
                    if alu64 {
                        self.cur.regs[d] = self.cur.regs[s];
                    } else {
                        if self.is_pointer(s) {
                            return Err(self.reject(Reason::PartialPointerCopy { reg: insn.src }));
                        }
                        self.cur.regs[d] = RegType::Unknown;
                    }
                } else {
                    self.cur.regs[d] = RegType::Imm(insn.imm);
                }
            }
            (bits, None) => return Err(self.reject(Reason::InvalidAluOpcode { op: bits })),
            (_, Some(alu_op)) => self.check_binary_alu(insn, alu_op, alu64)?,
        }
        Ok(())
    }

    /// ADD SUB MUL DIV OR AND LSH RSH MOD XOR ARSH.
    fn check_binary_alu(&mut self, insn: &RawInsn, alu_op: AluOp, alu64: bool) -> Check {
        let x = insn.has_reg_source();
        if x {
            if insn.imm != 0 || insn.off != 0 {
                return Err(self.reject(Reason::AluReserved));
            }
            self.check_reg_read(insn.src)?;
        } else if insn.src != 0 || insn.off != 0 {
            return Err(self.reject(Reason::AluReserved));
        }
        let d = self.check_reg_read(insn.dst)?;
        if matches!(alu_op, AluOp::Div | AluOp::Mod) && !x && insn.imm == 0 {
            return Err(self.reject(Reason::DivByZero));
        }
        if matches!(alu_op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) && !x {
            let size = if alu64 { 64 } else { 32 };
            if insn.imm < 0 || insn.imm >= size {
                return Err(self.reject(Reason::InvalidShift { imm: insn.imm }));
            }
        }
        let stack_relative =
            alu_op == AluOp::Add && alu64 && self.cur.regs[d] == RegType::FramePtr && !x;
        if !stack_relative {
            if self.is_pointer(d) {
                return Err(self.reject(Reason::PointerArithmetic { reg: insn.dst }));
            }
            if x && self.is_pointer(usize::from(insn.src)) {
                return Err(self.reject(Reason::PointerArithmetic { reg: insn.src }));
            }
        }
        self.check_reg_write(insn.dst, true)?;
        if stack_relative {
            self.cur.regs[d] = RegType::Stack(insn.imm);
        }
        Ok(())
    }
}
