//! print_bpf_insn of 4.4: how the verifier log shows one raw instruction.

use crate::isa::RawInsn;
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

fn size_name(code: u8) -> &'static str {
    match code & 0x18 {
        0x00 => "u32",
        0x08 => "u16",
        0x10 => "u8",
        _ => "u64",
    }
}

/// A missing table entry prints as the kernel's vsnprintf prints NULL.
fn op_name(table: &[Option<&'static str>; 16], code: u8) -> &'static str {
    table[usize::from(code >> 4)].unwrap_or("(null)")
}

/// One instruction as 4.4's verifier log prints it, without the index and newline.
/// Written straight into the log (no intermediate `String`).
pub(super) struct LoggedInsn<'a>(pub(super) &'a RawInsn);

impl fmt::Display for LoggedInsn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RawInsn {
            opcode: code,
            dst,
            src,
            off,
            imm,
        } = *self.0;
        let x = code & 8 != 0;
        match code & 7 {
            class @ (4 | 7) => {
                let cast = if class == 4 { "(u32) " } else { "" };
                let op = op_name(&ALU_OPS, code & 0xf0);
                if x {
                    write!(f, "({code:02x}) {cast}r{dst} {op} {cast}r{src}")
                } else {
                    write!(f, "({code:02x}) {cast}r{dst} {op} {cast}{imm}")
                }
            }
            3 => match code & 0xe0 {
                0x60 => write!(
                    f,
                    "({code:02x}) *({} *)(r{dst} {off:+}) = r{src}",
                    size_name(code)
                ),
                0xc0 => write!(
                    f,
                    "({code:02x}) lock *({} *)(r{dst} {off:+}) += r{src}",
                    size_name(code)
                ),
                _ => write!(f, "BUG_{code:02x}"),
            },
            2 if code & 0xe0 != 0x60 => write!(f, "BUG_st_{code:02x}"),
            2 => write!(
                f,
                "({code:02x}) *({} *)(r{dst} {off:+}) = {imm}",
                size_name(code)
            ),
            1 if code & 0xe0 != 0x60 => write!(f, "BUG_ldx_{code:02x}"),
            1 => write!(
                f,
                "({code:02x}) r{dst} = *({} *)(r{src} {off:+})",
                size_name(code)
            ),
            0 => match code & 0xe0 {
                0x20 => write!(f, "({code:02x}) r0 = *({} *)skb[{imm}]", size_name(code)),
                0x40 => write!(
                    f,
                    "({code:02x}) r0 = *({} *)skb[r{src} + {imm}]",
                    size_name(code)
                ),
                0x00 => write!(f, "({code:02x}) r{dst} = 0x{:x}", imm as u32),
                _ => write!(f, "BUG_ld_{code:02x}"),
            },
            5 => {
                let op = code & 0xf0;
                if op == 0x80 {
                    write!(f, "({code:02x}) call {imm}")
                } else if code == 0x05 {
                    write!(f, "({code:02x}) goto pc{off:+}")
                } else if code == 0x95 {
                    write!(f, "({code:02x}) exit")
                } else if x {
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
