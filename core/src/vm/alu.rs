//! Pure semantics of each ALU, byte-order and comparison operation.
//!
//! `None` means "Linux 4.4 aborts the program here with r0 = 0" (division or modulo
//! by zero); RFC 9669 defines a result instead.

use crate::isa::{AluOp, ByteOrder, Cond, Profile, Width};

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
/// plus negation and byte swaps. [`select`] branches on the two high bits: the
/// operations we expect most in compiled programs come first and those Linux 4.4 lacks
/// last, so that on real programs those branches should mostly go the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Selectable {
    Mov,
    Add,
    And,
    Lsh,
    /// Right shift of `dst` masked to the width first.
    Rsh,
    Or,
    Sub,
    Xor,
    Mul,
    /// 64-bit arithmetic right shift.
    Arsh,
    /// `-dst`; the operand is ignored.
    Neg,
    /// `dst` byte-swapped, then shifted right by the operand: 48, 32 or 0 for a 16-,
    /// 32- or 64-bit swap.
    Swap,
    MovSx8,
    MovSx16,
    MovSx32,
    /// 32-bit arithmetic right shift (the sign is bit 31).
    Arsh32,
}

/// What [`select`] keeps of a result of this width: the low 32 bits of a 32-bit
/// operation (which zero-extends), all of a 64-bit one.
pub(crate) const fn result_mask(width: Width) -> u64 {
    match width {
        Width::W64 => u64::MAX,
        Width::W32 => u32::MAX as u64,
    }
}

/// What [`select`] keeps of a shift amount at this width.
pub(crate) const fn shift_mask(width: Width) -> u32 {
    match width {
        Width::W64 => 63,
        Width::W32 => 31,
    }
}

/// The interpreter's fast path for [`Selectable`] operations (`op` as `u8`): two
/// conditional branches on the high bits of `op` choose a quarter, whose four results
/// are computed and picked by conditional moves on the low bits. `shift_mask` and `mask`
/// come from the op's width ([`shift_mask`], [`result_mask`]): the result is that of
/// [`alu64`] or of [`alu32`] zero-extended.
///
/// Why two branches: each branch is learned by the predictor from the instructions that
/// led to it, so on a program it has not learned yet (every program the first time,
/// many programs run in turn) each is a coin toss, and a misprediction costs more than
/// computing four results. Four branches (one per bit) were the fastest once learned
/// and the slowest before; conditional moves only, the slowest learned. The variants
/// measured are in BENCHMARKS.md ("Interpreter").
#[inline(always)]
pub(crate) fn select(op: u8, dst: u64, src: u64, shift_mask: u32, mask: u64) -> u64 {
    let bit = |b: u8| op & b != 0;
    let shift = src as u32 & shift_mask;
    // The low two bits choose among four results with conditional moves: no branch for
    // the predictor to learn.
    let pick = |r0: u64, r1: u64, r2: u64, r3: u64| {
        let low = core::hint::select_unpredictable(bit(1), r1, r0);
        let high = core::hint::select_unpredictable(bit(1), r3, r2);
        core::hint::select_unpredictable(bit(2), high, low)
    };
    let result = match (bit(8), bit(4)) {
        (false, false) => pick(src, dst.wrapping_add(src), dst & src, dst << shift),
        (false, true) => pick(
            (dst & mask) >> shift,
            dst | src,
            dst.wrapping_sub(src),
            dst ^ src,
        ),
        (true, false) => pick(
            dst.wrapping_mul(src),
            ((dst as i64) >> shift) as u64,
            dst.wrapping_neg(),
            dst.swap_bytes() >> (src & 63),
        ),
        (true, true) => pick(
            src as i8 as i64 as u64,
            src as i16 as i64 as u64,
            src as i32 as i64 as u64,
            // Computed for the other three too, whose 64-bit shift amount may pass 31.
            u64::from((dst as i32).wrapping_shr(shift) as u32),
        ),
    };
    result & mask
}
