//! Pure semantics of each ALU, byte-order and comparison operation.
//!
//! `None` means "Linux 4.4 aborts the program here with r0 = 0" (division or modulo
//! by zero); RFC 9669 defines a result instead.

use crate::isa::{AluOp, ByteOrder, Cond, Profile};

/// A 64-bit ALU operation; `src` is already sign-extended when it came from `imm`.
#[inline]
pub fn alu64(op: AluOp, dst: u64, src: u64, profile: Profile) -> Option<u64> {
    let rfc = profile == Profile::Rfc9669;
    Some(match op {
        AluOp::Add => dst.wrapping_add(src),
        AluOp::Sub => dst.wrapping_sub(src),
        AluOp::Mul => dst.wrapping_mul(src),
        AluOp::Div if src == 0 => return rfc.then_some(0),
        AluOp::Div => dst / src,
        AluOp::SDiv if src == 0 => 0,
        AluOp::SDiv => (dst as i64).wrapping_div(src as i64) as u64,
        AluOp::Or => dst | src,
        AluOp::And => dst & src,
        AluOp::Lsh => dst << (src & 63),
        AluOp::Rsh => dst >> (src & 63),
        AluOp::Arsh => ((dst as i64) >> (src & 63)) as u64,
        AluOp::Mod if src == 0 => return rfc.then_some(dst),
        AluOp::Mod => dst % src,
        AluOp::SMod if src == 0 => dst,
        AluOp::SMod => (dst as i64).wrapping_rem(src as i64) as u64,
        AluOp::Xor => dst ^ src,
        AluOp::Mov => src,
        AluOp::MovSx8 => src as i8 as i64 as u64,
        AluOp::MovSx16 => src as i16 as i64 as u64,
        AluOp::MovSx32 => src as i32 as i64 as u64,
    })
}

/// A 32-bit ALU operation on the low halves; the caller zero-extends the result.
#[inline]
pub fn alu32(op: AluOp, dst: u32, src: u32, profile: Profile) -> Option<u32> {
    let rfc = profile == Profile::Rfc9669;
    Some(match op {
        AluOp::Add => dst.wrapping_add(src),
        AluOp::Sub => dst.wrapping_sub(src),
        AluOp::Mul => dst.wrapping_mul(src),
        AluOp::Div if src == 0 => return rfc.then_some(0),
        AluOp::Div => dst / src,
        AluOp::SDiv if src == 0 => 0,
        AluOp::SDiv => (dst as i32).wrapping_div(src as i32) as u32,
        AluOp::Or => dst | src,
        AluOp::And => dst & src,
        AluOp::Lsh => dst << (src & 31),
        AluOp::Rsh => dst >> (src & 31),
        AluOp::Arsh => ((dst as i32) >> (src & 31)) as u32,
        AluOp::Mod if src == 0 => return rfc.then_some(dst),
        AluOp::Mod => dst % src,
        AluOp::SMod if src == 0 => dst,
        AluOp::SMod => (dst as i32).wrapping_rem(src as i32) as u32,
        AluOp::Xor => dst ^ src,
        // The decoder rejects movsx32 in the 32-bit class, so it is a plain move here.
        AluOp::Mov | AluOp::MovSx32 => src,
        AluOp::MovSx8 => src as i8 as i32 as u32,
        AluOp::MovSx16 => src as i16 as i32 as u32,
    })
}

/// Byte-order conversion on a little-endian machine: `le` truncates, `be` and `bswap`
/// swap; both zero-extend from `bits`.
#[inline]
pub fn endian(order: ByteOrder, bits: u8, value: u64) -> u64 {
    let swap = order != ByteOrder::Le;
    match (bits, swap) {
        (16, false) => value & 0xffff,
        (16, true) => u64::from((value as u16).swap_bytes()),
        (32, false) => value & 0xffff_ffff,
        (32, true) => u64::from((value as u32).swap_bytes()),
        (_, false) => value,
        (_, true) => value.swap_bytes(),
    }
}

/// A 64-bit comparison.
#[inline]
pub fn cond64(cond: Cond, a: u64, b: u64) -> bool {
    let (sa, sb) = (a as i64, b as i64);
    match cond {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::Gt => a > b,
        Cond::Ge => a >= b,
        Cond::Lt => a < b,
        Cond::Le => a <= b,
        Cond::Set => a & b != 0,
        Cond::Sgt => sa > sb,
        Cond::Sge => sa >= sb,
        Cond::Slt => sa < sb,
        Cond::Sle => sa <= sb,
    }
}

/// A 32-bit comparison (JMP32 class) of the low halves.
#[inline]
pub fn cond32(cond: Cond, a: u32, b: u32) -> bool {
    let (sa, sb) = (a as i32, b as i32);
    match cond {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::Gt => a > b,
        Cond::Ge => a >= b,
        Cond::Lt => a < b,
        Cond::Le => a <= b,
        Cond::Set => a & b != 0,
        Cond::Sgt => sa > sb,
        Cond::Sge => sa >= sb,
        Cond::Slt => sa < sb,
        Cond::Sle => sa <= sb,
    }
}

/// The operations [`select`] computes: the ALU operations but division and modulo,
/// plus negation and byte swaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Selectable {
    Add,
    Sub,
    Mul,
    Or,
    And,
    Xor,
    Mov,
    Lsh,
    Rsh,
    Arsh,
    MovSx8,
    MovSx16,
    MovSx32,
    /// `-dst`; the operand is ignored.
    Neg,
    /// `dst` byte-swapped, then shifted right by the operand: 48, 32 or 0 for a 16-,
    /// 32- or 64-bit swap.
    Swap,
}

/// The interpreter's fast path for [`Selectable`] operations: computes all of them and
/// keeps the one asked for. On a varied mix of operations a jump to the one operation
/// is mispredicted on most instructions, which costs far more than a dozen cheap
/// operations. `NARROW` is 32 for a 32-bit operation (the result is that of [`alu32`],
/// zero-extended) and 0 for a 64-bit one; a constant, so that the masks it implies cost
/// nothing. `op` is a [`Selectable`] as `u8`.
#[inline(always)]
pub(crate) fn select<const NARROW: u32>(op: u8, dst: u64, src: u64) -> u64 {
    let mask = u64::MAX >> NARROW;
    let shift = (src & (63 >> (NARROW / 32))) as u32;
    let signed = ((dst << NARROW) as i64) >> NARROW;
    let results = [
        dst.wrapping_add(src),
        dst.wrapping_sub(src),
        dst.wrapping_mul(src),
        dst | src,
        dst & src,
        dst ^ src,
        src,
        dst << shift,
        (dst & mask) >> shift,
        (signed >> shift) as u64,
        src as i8 as i64 as u64,
        src as i16 as i64 as u64,
        src as i32 as i64 as u64,
        dst.wrapping_neg(),
        dst.swap_bytes() >> (src & 63),
        0,
    ];
    // Halving by one bit of `op` at a time, from the lowest: LLVM turns this into
    // conditional moves and a couple of early (cheaply mispredicted) jumps.
    let pick = |bit: u8, from: &[u64]| -> [u64; 8] {
        core::array::from_fn(|i| match from.get(2 * i..2 * i + 2) {
            Some(&[even, odd]) => {
                if op & bit != 0 {
                    odd
                } else {
                    even
                }
            }
            _ => 0,
        })
    };
    let halves = pick(1, &results);
    let quarters = pick(2, &halves);
    let eighths = pick(4, &quarters);
    pick(8, &eighths)[0] & mask
}
