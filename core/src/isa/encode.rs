//! [`Insn`] to wire form: the inverse of decoding, from the same tables.

use super::table::{LDDW, class, mode, op};
use super::*;

fn width_class(width: Width, narrow: u8, wide: u8) -> u8 {
    match width {
        Width::W32 => narrow,
        Width::W64 => wide,
    }
}

/// Opcode bit and the (src register, imm) pair of a second operand.
fn operand(src: Source) -> (u8, u8, i32) {
    match src {
        Source::Reg(r) => (op::X, r.number(), 0),
        Source::Imm(imm) => (0, 0, imm),
    }
}

/// The slot(s) of one instruction; the second is present only for `lddw`.
pub(super) fn encode(insn: &Insn) -> (RawInsn, Option<RawInsn>) {
    let one = |opcode, dst: u8, src: u8, off: i16, imm: i32| {
        (
            RawInsn {
                opcode,
                dst,
                src,
                off,
                imm,
            },
            None,
        )
    };
    match *insn {
        Insn::Alu {
            width,
            op: alu,
            dst,
            src,
        } => {
            let (x, src, imm) = operand(src);
            let (bits, off) = alu.code();
            one(
                width_class(width, class::ALU, class::ALU64) | bits | x,
                dst.number(),
                src,
                off,
                imm,
            )
        }
        Insn::Neg { width, dst } => one(
            width_class(width, class::ALU, class::ALU64) | op::NEG,
            dst.number(),
            0,
            0,
            0,
        ),
        Insn::Endian { order, bits, dst } => one(order.code(), dst.number(), 0, 0, bits.into()),
        Insn::LoadImm64 { dst, kind, imm } => (
            RawInsn {
                opcode: LDDW,
                dst: dst.number(),
                src: kind.code(),
                off: 0,
                imm: imm as u32 as i32,
            },
            Some(RawInsn {
                imm: (imm >> 32) as u32 as i32,
                ..RawInsn::default()
            }),
        ),
        Insn::LoadPacket { size, index, imm } => match index {
            None => one(class::LD | mode::ABS | size.code(), 0, 0, 0, imm),
            Some(r) => one(class::LD | mode::IND | size.code(), 0, r.number(), 0, imm),
        },
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        } => {
            let m = if signed { mode::MEMSX } else { mode::MEM };
            one(
                class::LDX | m | size.code(),
                dst.number(),
                src.number(),
                off,
                0,
            )
        }
        Insn::Store {
            size,
            dst,
            off,
            imm,
        } => one(
            class::ST | mode::MEM | size.code(),
            dst.number(),
            0,
            off,
            imm,
        ),
        Insn::StoreReg {
            size,
            dst,
            src,
            off,
        } => one(
            class::STX | mode::MEM | size.code(),
            dst.number(),
            src.number(),
            off,
            0,
        ),
        Insn::Atomic {
            size,
            op: atomic,
            dst,
            src,
            off,
        } => one(
            class::STX | mode::ATOMIC | size.code(),
            dst.number(),
            src.number(),
            off,
            atomic.code(),
        ),
        Insn::Ja { off } => one(class::JMP | op::JA, 0, 0, off, 0),
        Insn::JaLong { off } => one(class::JMP32 | op::JA, 0, 0, 0, off),
        Insn::Branch {
            width,
            cond,
            dst,
            src,
            off,
        } => {
            let (x, src, imm) = operand(src);
            one(
                width_class(width, class::JMP32, class::JMP) | cond.code() | x,
                dst.number(),
                src,
                off,
                imm,
            )
        }
        Insn::Call { kind, imm } => one(class::JMP | op::CALL, 0, kind.code(), 0, imm),
        Insn::CallReg { reg } => one(class::JMP | op::CALL | op::X, reg.number(), 0, 0, 0),
        Insn::Exit => one(class::JMP | op::EXIT, 0, 0, 0, 0),
    }
}
