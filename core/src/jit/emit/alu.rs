//! Arithmetic: the ALU operations in both widths (division by zero as the profile
//! defines it) and the inline byte swap.

use super::{Emitter, L_A, L_ADDR, L_B};
use crate::isa::{AluOp, Profile};
use crate::jit::abi::EarlyExitCode;
use wasm_encoder::{BlockType, ValType};

impl Emitter<'_> {
    /// `L_A op L_B` in 64 bits, leaving the i64 result on the stack.
    pub(super) fn alu64(&mut self, pc: usize, op: AluOp) {
        let rfc = self.config.profile == Profile::Rfc9669;
        // Division and modulo by zero: RFC 9669 defines a result, Linux 4.4 ends the program.
        if matches!(op, AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod) {
            let by_zero_result = match op {
                AluOp::Div | AluOp::SDiv => Some(0),
                _ => None, // dst unchanged
            };
            let signed = matches!(op, AluOp::SDiv | AluOp::SMod);
            self.s.local_get(L_B).i64_eqz();
            self.s.if_(BlockType::Result(ValType::I64));
            self.nest += 1;
            if rfc || signed {
                match by_zero_result {
                    Some(v) => self.s.i64_const(v),
                    None => self.s.local_get(L_A),
                };
            } else {
                self.early_exit(pc, EarlyExitCode::DivisionByZero);
            }
            self.open_if_else();
            match op {
                AluOp::Div => {
                    self.s.local_get(L_A).local_get(L_B).i64_div_u();
                }
                AluOp::Mod => {
                    self.s.local_get(L_A).local_get(L_B).i64_rem_u();
                }
                AluOp::SMod => {
                    // wasm's rem_s of i64::MIN by -1 is 0, as wrapping_rem.
                    self.s.local_get(L_A).local_get(L_B).i64_rem_s();
                }
                _ => {
                    // div_s traps on i64::MIN / -1; wrapping_div gives i64::MIN = -dst.
                    self.s.local_get(L_B).i64_const(-1).i64_eq();
                    self.s.if_(BlockType::Result(ValType::I64));
                    self.s.i64_const(0).local_get(L_A).i64_sub();
                    self.s.else_();
                    self.s.local_get(L_A).local_get(L_B).i64_div_s();
                    self.s.end();
                }
            }
            self.close();
            return;
        }
        let s = &mut self.s;
        match op {
            AluOp::Mov => {
                s.local_get(L_B);
            }
            AluOp::MovSx8 => {
                s.local_get(L_B).i64_extend8_s();
            }
            AluOp::MovSx16 => {
                s.local_get(L_B).i64_extend16_s();
            }
            AluOp::MovSx32 => {
                s.local_get(L_B).i64_extend32_s();
            }
            _ => {
                s.local_get(L_A).local_get(L_B);
                match op {
                    AluOp::Add => s.i64_add(),
                    AluOp::Sub => s.i64_sub(),
                    AluOp::Mul => s.i64_mul(),
                    AluOp::Or => s.i64_or(),
                    AluOp::And => s.i64_and(),
                    AluOp::Lsh => s.i64_shl(),
                    AluOp::Rsh => s.i64_shr_u(),
                    AluOp::Arsh => s.i64_shr_s(),
                    AluOp::Xor => s.i64_xor(),
                    _ => unreachable!("handled above"),
                };
            }
        }
    }

    /// `L_A op L_B` on the low 32 bits, leaving the zero-extended i64 result.
    pub(super) fn alu32(&mut self, pc: usize, op: AluOp) {
        let rfc = self.config.profile == Profile::Rfc9669;
        if matches!(op, AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod) {
            let signed = matches!(op, AluOp::SDiv | AluOp::SMod);
            self.s.local_get(L_B).i32_wrap_i64().i32_eqz();
            self.s.if_(BlockType::Result(ValType::I64));
            self.nest += 1;
            if rfc || signed {
                match op {
                    AluOp::Div | AluOp::SDiv => self.s.i64_const(0),
                    _ => self.s.local_get(L_A).i64_const(0xffff_ffff).i64_and(),
                };
            } else {
                self.early_exit(pc, EarlyExitCode::DivisionByZero);
            }
            self.open_if_else();
            let s = &mut self.s;
            match op {
                AluOp::Div => {
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_div_u();
                }
                AluOp::Mod => {
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_rem_u();
                }
                AluOp::SMod => {
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_rem_s();
                }
                _ => {
                    s.local_get(L_B).i32_wrap_i64().i32_const(-1).i32_eq();
                    s.if_(BlockType::Result(ValType::I32));
                    s.i32_const(0).local_get(L_A).i32_wrap_i64().i32_sub();
                    s.else_();
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_div_s();
                    s.end();
                }
            }
            s.i64_extend_i32_u();
            self.close();
            return;
        }
        let s = &mut self.s;
        match op {
            AluOp::Mov | AluOp::MovSx32 => {
                s.local_get(L_B).i32_wrap_i64();
            }
            AluOp::MovSx8 => {
                s.local_get(L_B).i32_wrap_i64().i32_extend8_s();
            }
            AluOp::MovSx16 => {
                s.local_get(L_B).i32_wrap_i64().i32_extend16_s();
            }
            _ => {
                s.local_get(L_A)
                    .i32_wrap_i64()
                    .local_get(L_B)
                    .i32_wrap_i64();
                match op {
                    AluOp::Add => s.i32_add(),
                    AluOp::Sub => s.i32_sub(),
                    AluOp::Mul => s.i32_mul(),
                    AluOp::Or => s.i32_or(),
                    AluOp::And => s.i32_and(),
                    AluOp::Lsh => s.i32_shl(),
                    AluOp::Rsh => s.i32_shr_u(),
                    AluOp::Arsh => s.i32_shr_s(),
                    AluOp::Xor => s.i32_xor(),
                    _ => unreachable!("handled above"),
                };
            }
        }
        s.i64_extend_i32_u();
    }

    /// Reverses the 8 bytes of the i64 on the stack (inline, using `L_ADDR`: a call
    /// would make the engine spill registers around it).
    pub(super) fn bswap(&mut self) {
        const M8: i64 = 0x00ff_00ff_00ff_00ff;
        const M16: i64 = 0x0000_ffff_0000_ffff;
        let s = &mut self.s;
        s.local_tee(L_ADDR)
            .i64_const(M8)
            .i64_and()
            .i64_const(8)
            .i64_shl();
        s.local_get(L_ADDR)
            .i64_const(8)
            .i64_shr_u()
            .i64_const(M8)
            .i64_and()
            .i64_or();
        s.local_tee(L_ADDR)
            .i64_const(M16)
            .i64_and()
            .i64_const(16)
            .i64_shl();
        s.local_get(L_ADDR)
            .i64_const(16)
            .i64_shr_u()
            .i64_const(M16)
            .i64_and()
            .i64_or();
        s.i64_const(32).i64_rotl();
    }
}
