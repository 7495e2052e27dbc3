//! print_bpf_insn of 4.4: how the verifier log shows one raw instruction.

use crate::isa::RawInsn;
use crate::isa::table::{class, mode, op};
use core::fmt;

const ALU_OPS: [Option<&str>; 16] = [
    Some("+="),
    Some("-="),
    Some("*="),
    Some("/="),
    Some("|="),
    Some("&="),
    Some("<<="),
    Some(">>="),
    Some("neg"),
    Some("%="),
    Some("^="),
    Some("="),
    Some("s>>="),
    Some("endian"),
    None,
    None,
];

const JMP_OPS: [Option<&str>; 16] = [
    Some("jmp"),
    Some("=="),
    Some(">"),
    Some(">="),
    Some("&"),
    Some("!="),
    Some("s>"),
    Some("s>="),
    Some("call"),
    Some("exit"),
    None,
    None,
    None,
    None,
    None,
    None,
];

/// A missing table entry prints as the kernel's vsnprintf prints NULL.
fn op_name(table: &[Option<&'static str>; 16], op: u8) -> &'static str {
    table[usize::from(op >> 4)].unwrap_or("(null)")
}

/// One instruction as 4.4's verifier log prints it, without the index and newline.
/// Written straight into the log (no intermediate `String`).
pub(super) struct LoggedInsn<'a>(pub(super) &'a RawInsn);

impl fmt::Display for LoggedInsn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let insn = *self.0;
        let RawInsn {
            opcode: code,
            dst,
            src,
            off,
            imm,
        } = insn;
        // The C type names are the pseudo-C spelling of the sizes.
        let size = insn.size().llvm();
        match insn.class() {
            class @ (class::ALU | class::ALU64) => {
                let cast = if class == class::ALU { "(u32) " } else { "" };
                let op = op_name(&ALU_OPS, insn.op());
                if insn.has_reg_source() {
                    write!(f, "({code:02x}) {cast}r{dst} {op} {cast}r{src}")
                } else {
                    write!(f, "({code:02x}) {cast}r{dst} {op} {cast}{imm}")
                }
            }
            class::STX => match insn.mode() {
                mode::MEM => write!(f, "({code:02x}) *({size} *)(r{dst} {off:+}) = r{src}"),
                mode::ATOMIC => {
                    write!(f, "({code:02x}) lock *({size} *)(r{dst} {off:+}) += r{src}")
                }
                _ => write!(f, "BUG_{code:02x}"),
            },
            class::ST if insn.mode() != mode::MEM => write!(f, "BUG_st_{code:02x}"),
            class::ST => write!(f, "({code:02x}) *({size} *)(r{dst} {off:+}) = {imm}"),
            class::LDX if insn.mode() != mode::MEM => write!(f, "BUG_ldx_{code:02x}"),
            class::LDX => write!(f, "({code:02x}) r{dst} = *({size} *)(r{src} {off:+})"),
            class::LD => match insn.mode() {
                mode::ABS => write!(f, "({code:02x}) r0 = *({size} *)skb[{imm}]"),
                mode::IND => write!(f, "({code:02x}) r0 = *({size} *)skb[r{src} + {imm}]"),
                mode::IMM => write!(f, "({code:02x}) r{dst} = 0x{:x}", imm as u32),
                _ => write!(f, "BUG_ld_{code:02x}"),
            },
            class::JMP => {
                let op = insn.op();
                if op == op::CALL {
                    write!(f, "({code:02x}) call {imm}")
                } else if code == class::JMP | op::JA {
                    write!(f, "({code:02x}) goto pc{off:+}")
                } else if code == class::JMP | op::EXIT {
                    write!(f, "({code:02x}) exit")
                } else if insn.has_reg_source() {
                    write!(
                        f,
                        "({code:02x}) if r{dst} {} r{src} goto pc{off:+}",
                        op_name(&JMP_OPS, op)
                    )
                } else {
                    write!(
                        f,
                        "({code:02x}) if r{dst} {} 0x{:x} goto pc{off:+}",
                        op_name(&JMP_OPS, op),
                        imm as u32
                    )
                }
            }
            _ => write!(f, "({code:02x}) BUG"),
        }
    }
}
