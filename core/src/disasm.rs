//! Instructions to text, in either [`Syntax`]. The output assembles back to the same bytes.

use crate::isa::{
    AluOp, AtomicOp, CallKind, Imm64Kind, Insn, ProfileError, Program, Reg, Release, Size, Slot,
    Source, Width,
};
use crate::prelude::*;
use crate::syntax::{self, Syntax};
use core::fmt;

/// One line per instruction (an `lddw` is one line), each ending in `\n`.
pub fn disassemble(program: &Program, syntax: Syntax) -> String {
    let mut out = String::new();
    for (_, insn) in program.insns() {
        out.push_str(&format_insn(insn, syntax));
        out.push('\n');
    }
    out
}

/// Disassembly annotated with slot numbers, like `llvm-objdump -d` without bytes.
pub fn listing(program: &Program, syntax: Syntax) -> Vec<(usize, String)> {
    program
        .slots()
        .iter()
        .enumerate()
        .filter_map(|(pc, slot)| match slot {
            Slot::Insn(insn) => Some((pc, format_insn(insn, syntax))),
            Slot::Imm64Tail => None,
        })
        .collect()
}

/// The text of one instruction.
pub fn format_insn(insn: &Insn, syntax: Syntax) -> String {
    match syntax {
        Syntax::Ubpf => ubpf(insn),
        Syntax::Llvm => llvm(insn),
    }
}

/// The uBPF mnemonic alone (`jlt32`, `lock fetch add`, `callx`), for messages.
pub fn mnemonic(insn: &Insn) -> String {
    match *insn {
        Insn::Alu { width, op, .. } => syntax::alu_mnemonic(op, width),
        Insn::Neg { width, .. } => syntax::neg_mnemonic(width),
        Insn::Endian { order, bits, .. } => syntax::endian_mnemonic(order, bits),
        Insn::LoadImm64 {
            kind: Imm64Kind::Imm,
            ..
        } => String::from("lddw"),
        Insn::LoadImm64 { kind, .. } => format!("lddw {}", kind.ubpf()),
        Insn::LoadPacket { size, index, .. } => syntax::packet_mnemonic(size, index.is_some()),
        Insn::Load { size, signed, .. } => syntax::load_mnemonic(size, signed),
        Insn::Store { size, .. } => syntax::store_mnemonic(size, false),
        Insn::StoreReg { size, .. } => syntax::store_mnemonic(size, true),
        Insn::Atomic { size, op, .. } => format!("lock {}", syntax::atomic_mnemonic(op, size)),
        Insn::Ja { .. } => String::from("ja"),
        Insn::JaLong { .. } => String::from("ja32"),
        Insn::Branch { width, cond, .. } => syntax::branch_mnemonic(cond, width),
        Insn::Call { kind, .. } => String::from(kind.ubpf()),
        Insn::CallReg { .. } => String::from("callx"),
        Insn::Exit => String::from("exit"),
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ProfileError {
            pc,
            insn,
            since,
            profile,
        } = self;
        let mnemonic = mnemonic(insn);
        match since {
            Release::Never => write!(
                f,
                "instruction {pc}: {mnemonic} is not accepted by any Linux release (profile {profile})"
            ),
            _ => write!(
                f,
                "instruction {pc}: {mnemonic} needs {since} (profile {profile})"
            ),
        }
    }
}

fn signed_offset(off: i64) -> String {
    if off < 0 {
        format!("{off}")
    } else {
        format!("+{off}")
    }
}

fn imm64_value(kind: Imm64Kind, imm: u64) -> String {
    let lo = imm as u32 as i32;
    let hi = (imm >> 32) as u32 as i32;
    if kind == Imm64Kind::Imm {
        format!("0x{imm:x}")
    } else if hi != 0 || syntax::imm64_has_offset(kind) {
        format!("{}({lo}, {hi})", kind.ubpf())
    } else {
        format!("{}({lo})", kind.ubpf())
    }
}

fn ubpf(insn: &Insn) -> String {
    let mem = |r: Reg, off: i16| format!("[%{r}{}]", signed_offset(off.into()));
    let src = |s: Source| match s {
        Source::Reg(r) => format!("%{r}"),
        Source::Imm(i) => format!("{i}"),
    };
    match *insn {
        Insn::Alu {
            width,
            op,
            dst,
            src: s,
        } => format!("{} %{dst}, {}", syntax::alu_mnemonic(op, width), src(s)),
        Insn::Neg { width, dst } => format!("{} %{dst}", syntax::neg_mnemonic(width)),
        Insn::Endian { order, bits, dst } => {
            format!("{} %{dst}", syntax::endian_mnemonic(order, bits))
        }
        Insn::LoadImm64 { dst, kind, imm } => format!("lddw %{dst}, {}", imm64_value(kind, imm)),
        Insn::LoadPacket {
            size,
            index: None,
            imm,
        } => format!("{} {imm}", syntax::packet_mnemonic(size, false)),
        Insn::LoadPacket {
            size,
            index: Some(r),
            imm,
        } => {
            format!("{} %{r}, {imm}", syntax::packet_mnemonic(size, true))
        }
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        } => {
            format!(
                "{} %{dst}, {}",
                syntax::load_mnemonic(size, signed),
                mem(src, off)
            )
        }
        Insn::Store {
            size,
            dst,
            off,
            imm,
        } => format!(
            "{} {}, {imm}",
            syntax::store_mnemonic(size, false),
            mem(dst, off)
        ),
        Insn::StoreReg {
            size,
            dst,
            src,
            off,
        } => {
            format!(
                "{} {}, %{src}",
                syntax::store_mnemonic(size, true),
                mem(dst, off)
            )
        }
        Insn::Atomic {
            size,
            op,
            dst,
            src,
            off,
        } => {
            format!(
                "lock {} {}, %{src}",
                syntax::atomic_mnemonic(op, size),
                mem(dst, off)
            )
        }
        Insn::Ja { off } => format!("ja {}", signed_offset(off.into())),
        Insn::JaLong { off } => format!("ja32 {}", signed_offset(off.into())),
        Insn::Branch {
            width,
            cond,
            dst,
            src: s,
            off,
        } => {
            format!(
                "{} %{dst}, {}, {}",
                syntax::branch_mnemonic(cond, width),
                src(s),
                signed_offset(off.into())
            )
        }
        Insn::Call {
            kind: CallKind::Helper,
            imm,
        } => format!("call {imm}"),
        Insn::Call {
            kind: CallKind::Local,
            imm,
        } => format!("call local {}", signed_offset(imm.into())),
        Insn::Call {
            kind: CallKind::Kfunc,
            imm,
        } => format!("call runtime {imm}"),
        Insn::CallReg { reg } => format!("call %{reg}"),
        Insn::Exit => String::from("exit"),
    }
}

/// `r3` or `w3`.
fn wreg(r: Reg, width: Width) -> String {
    match width {
        Width::W32 => format!("w{}", r.number()),
        Width::W64 => format!("{r}"),
    }
}

fn llvm(insn: &Insn) -> String {
    let mem = |size: Size, signed: bool, r: Reg, off: i16| {
        format!(
            "*({} *)({r} {})",
            syntax::c_type(size, signed),
            signed_offset(off.into())
        )
    };
    match *insn {
        Insn::Alu {
            width,
            op,
            dst,
            src,
        } => {
            let d = wreg(dst, width);
            let s = match src {
                Source::Reg(r) => wreg(r, width),
                Source::Imm(i) => format!("{i}"),
            };
            match op {
                AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => {
                    format!("{d} = {}{s}", op.llvm())
                }
                _ => format!("{d} {} {s}", op.llvm()),
            }
        }
        Insn::Neg { width, dst } => {
            let d = wreg(dst, width);
            format!("{d} = -{d}")
        }
        Insn::Endian { order, bits, dst } => {
            format!("{dst} = {} {dst}", syntax::endian_mnemonic(order, bits))
        }
        Insn::LoadImm64 { dst, kind, imm } => format!("{dst} = {} ll", imm64_value(kind, imm)),
        Insn::LoadPacket {
            size,
            index: None,
            imm,
        } => format!("r0 = *({} *)skb[{imm}]", size.llvm()),
        Insn::LoadPacket {
            size,
            index: Some(r),
            imm,
        } => format!("r0 = *({} *)skb[{r} + {imm}]", size.llvm()),
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        } => format!("{dst} = {}", mem(size, signed, src, off)),
        Insn::Store {
            size,
            dst,
            off,
            imm,
        } => format!("{} = {imm}", mem(size, false, dst, off)),
        Insn::StoreReg {
            size,
            dst,
            src,
            off,
        } => format!("{} = {src}", mem(size, false, dst, off)),
        Insn::Atomic {
            size,
            op,
            dst,
            src,
            off,
        } => {
            let width = if size == Size::DW {
                Width::W64
            } else {
                Width::W32
            };
            let place = format!("({} *)({dst} {})", size.llvm(), signed_offset(off.into()));
            match op {
                AtomicOp::Add | AtomicOp::Or | AtomicOp::And | AtomicOp::Xor => {
                    format!("lock {} {} {src}", mem(size, false, dst, off), op.llvm())
                }
                AtomicOp::CmpXchg => {
                    let s = wreg(src, width);
                    let r0 = wreg(Reg::R0, width);
                    format!(
                        "{r0} = {}({place}, {r0}, {s})",
                        syntax::atomic_function(op, size)
                    )
                }
                _ => {
                    let s = wreg(src, width);
                    format!("{s} = {}({place}, {s})", syntax::atomic_function(op, size))
                }
            }
        }
        Insn::Ja { off } => format!("goto {}", signed_offset(off.into())),
        Insn::JaLong { off } => format!("gotol {}", signed_offset(off.into())),
        Insn::Branch {
            width,
            cond,
            dst,
            src,
            off,
        } => {
            let s = match src {
                Source::Reg(r) => wreg(r, width),
                Source::Imm(i) if i < 0 => format!("{i}"),
                Source::Imm(i) => format!("0x{i:x}"),
            };
            format!(
                "if {} {} {s} goto {}",
                wreg(dst, width),
                cond.llvm(),
                signed_offset(off.into())
            )
        }
        Insn::Call {
            kind: CallKind::Helper,
            imm,
        } => format!("call {imm}"),
        Insn::Call {
            kind: CallKind::Local,
            imm,
        } => format!("call pc{}", signed_offset(imm.into())),
        Insn::Call {
            kind: CallKind::Kfunc,
            imm,
        } => format!("call kfunc {imm}"),
        Insn::CallReg { reg } => format!("callx {reg}"),
        Insn::Exit => String::from("exit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::RawInsn;

    #[test]
    fn lddw_prints_both_halves_as_one_value() {
        let half = |opcode, dst, imm| {
            RawInsn {
                opcode,
                dst,
                src: 0,
                off: 0,
                imm,
            }
            .to_bytes()
        };
        let program =
            Program::decode(&[half(0x18, 3, 0x5566_7788), half(0, 0, 0x1122_3344)].concat())
                .unwrap();
        let insn = program.get(0).unwrap();
        assert_eq!(
            format_insn(insn, Syntax::Llvm),
            "r3 = 0x1122334455667788 ll"
        );
        assert_eq!(
            format_insn(insn, Syntax::Ubpf),
            "lddw %r3, 0x1122334455667788"
        );
    }
}
