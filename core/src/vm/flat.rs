//! The interpreter's flat form of a program: one [`Op`] per slot with a dense [`Kind`]
//! (operation, width and size folded into one opcode), so [`super::Vm::run_fast`]
//! dispatches with a single jump table instead of matching the nested [`Insn`] enum.
//! Most ALU operations share one entry of that table, [`Kind::Alu`], whose op then
//! takes two conditional branches and conditional moves ([`super::alu::select`]).
//!
//! It is derived from the decoded [`Insn`]s (never from wire bytes), built once per
//! program and kept with it in a [`super::Prepared`]. Anything the fast loop does not
//! execute itself becomes [`Kind::Slow`], which hands the instruction to `advance`.

use super::alu::{self, Selectable};
use crate::isa::{AluOp, ByteOrder, Cond, Insn, Reg, Size, Slot, Source, Width};
use crate::prelude::*;
use core::fmt;

/// A register index that is always zero in the fast loop's 16-entry register file, used
/// as the register operand of an instruction whose operand is an immediate.
pub(crate) const ZERO: u8 = 15;

/// One opcode per (operation, width, size) the fast loop executes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Computed by [`super::alu::select`], which [`Op::select`] names.
    Alu,
    Div64,
    SDiv64,
    Mod64,
    SMod64,
    Div32,
    SDiv32,
    Mod32,
    SMod32,
    Lddw,
    LdxB,
    LdxH,
    LdxW,
    LdxDW,
    LdxSB,
    LdxSH,
    LdxSW,
    StB,
    StH,
    StW,
    StDW,
    PktB,
    PktH,
    PktW,
    PktDW,
    Ja,
    Jeq64,
    Jgt64,
    Jge64,
    Jset64,
    Jne64,
    Jsgt64,
    Jsge64,
    Jlt64,
    Jle64,
    Jslt64,
    Jsle64,
    Jeq32,
    Jgt32,
    Jge32,
    Jset32,
    Jne32,
    Jsgt32,
    Jsge32,
    Jlt32,
    Jle32,
    Jslt32,
    Jsle32,
    /// Left to `advance`: calls, exit, atomics, an `lddw` tail, a write to r10, a jump
    /// out of the program or into an `lddw` tail, and a breakpoint ([`with_stops`]).
    Slow,
}

/// One slot in flat form. The register operand `src` is [`ZERO`] when the operand is
/// `imm`, and `imm` is 0 when it is a register, so the operand is `regs[src] | imm`.
/// `aux` is a jump's absolute target, a memory access's offset (sign-extended `i16`),
/// or for [`Kind::Alu`] the shift-amount mask of the operation's width
/// ([`alu::shift_mask`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Op {
    pub kind: Kind,
    /// The [`Selectable`] operation of a [`Kind::Alu`] op, [`NOT_SELECTED`] for every
    /// other kind.
    pub select: u8,
    pub dst: u8,
    pub src: u8,
    pub aux: u32,
    pub imm: u64,
    /// What a [`Kind::Alu`] op keeps of its result ([`alu::result_mask`]). Stored
    /// although `aux` implies it: deriving it in the loop, with a 16-byte `Op`, measured
    /// slower (1.75-1.79 against 1.55-1.71 ns/insn on alu_mix).
    pub mask: u64,
}

/// [`Op::select`] of every kind but [`Kind::Alu`]: one past the 16 operations of
/// [`super::alu::select`], so that a selected op is `select < NOT_SELECTED`.
pub(crate) const NOT_SELECTED: u8 = 16;

const SLOW: Op = Op {
    kind: Kind::Slow,
    select: NOT_SELECTED,
    dst: 0,
    src: ZERO,
    aux: 0,
    imm: 0,
    mask: u64::MAX,
};

/// The flat form of a program's slots (same length, same indexes).
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct FlatCode(Vec<Op>);

impl fmt::Debug for FlatCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FlatCode({} ops)", self.0.len())
    }
}

impl FlatCode {
    pub(crate) fn build(slots: &[Slot]) -> FlatCode {
        FlatCode((0..slots.len()).map(|pc| flatten(slots, pc)).collect())
    }

    pub(crate) fn ops(&self) -> &[Op] {
        &self.0
    }
}

/// A copy of `ops` whose ops at the pcs `marks` sets are [`Kind::Slow`], so that the
/// fast loop leaves them to `advance` and its caller sees the breakpoint.
pub(crate) fn with_stops(ops: &[Op], marks: &[bool]) -> Vec<Op> {
    let mut stopping = ops.to_vec();
    for (op, _) in stopping
        .iter_mut()
        .zip(marks)
        .filter(|(_, marked)| **marked)
    {
        *op = SLOW;
    }
    stopping
}

/// An ALU operation in flat form: [`Kind::Alu`] and its [`Selectable`], or a kind of
/// its own.
pub(crate) const fn alu_op(width: Width, op: AluOp) -> (Kind, u8) {
    use AluOp as A;
    use Kind as K;
    use Selectable as S;
    let kind = match (width, op) {
        (Width::W64, A::Div) => K::Div64,
        (Width::W64, A::SDiv) => K::SDiv64,
        (Width::W64, A::Mod) => K::Mod64,
        (Width::W64, A::SMod) => K::SMod64,
        (Width::W32, A::Div) => K::Div32,
        (Width::W32, A::SDiv) => K::SDiv32,
        (Width::W32, A::Mod) => K::Mod32,
        (Width::W32, A::SMod) => K::SMod32,
        (_, A::Add) => return (K::Alu, S::Add as u8),
        (_, A::Sub) => return (K::Alu, S::Sub as u8),
        (_, A::Mul) => return (K::Alu, S::Mul as u8),
        (_, A::Or) => return (K::Alu, S::Or as u8),
        (_, A::And) => return (K::Alu, S::And as u8),
        (_, A::Xor) => return (K::Alu, S::Xor as u8),
        (_, A::Lsh) => return (K::Alu, S::Lsh as u8),
        (_, A::Rsh) => return (K::Alu, S::Rsh as u8),
        (Width::W64, A::Arsh) => return (K::Alu, S::Arsh as u8),
        (Width::W32, A::Arsh) => return (K::Alu, S::Arsh32 as u8),
        (_, A::Mov) => return (K::Alu, S::Mov as u8),
        (_, A::MovSx8) => return (K::Alu, S::MovSx8 as u8),
        (_, A::MovSx16) => return (K::Alu, S::MovSx16 as u8),
        (_, A::MovSx32) => return (K::Alu, S::MovSx32 as u8),
    };
    (kind, NOT_SELECTED)
}

const fn cond_kind(width: Width, cond: Cond) -> Kind {
    use Cond as C;
    use Kind as K;
    match width {
        Width::W64 => match cond {
            C::Eq => K::Jeq64,
            C::Gt => K::Jgt64,
            C::Ge => K::Jge64,
            C::Set => K::Jset64,
            C::Ne => K::Jne64,
            C::Sgt => K::Jsgt64,
            C::Sge => K::Jsge64,
            C::Lt => K::Jlt64,
            C::Le => K::Jle64,
            C::Slt => K::Jslt64,
            C::Sle => K::Jsle64,
        },
        Width::W32 => match cond {
            C::Eq => K::Jeq32,
            C::Gt => K::Jgt32,
            C::Ge => K::Jge32,
            C::Set => K::Jset32,
            C::Ne => K::Jne32,
            C::Sgt => K::Jsgt32,
            C::Sge => K::Jsge32,
            C::Lt => K::Jlt32,
            C::Le => K::Jle32,
            C::Slt => K::Jslt32,
            C::Sle => K::Jsle32,
        },
    }
}

/// `(register, imm)` for a second operand: `regs[register] | imm` is its value.
fn operand(src: Source) -> (u8, u64) {
    match src {
        Source::Reg(r) => (r.number(), 0),
        Source::Imm(i) => (ZERO, i as i64 as u64),
    }
}

/// The absolute target of a jump at `pc` by `off`, if it lands on an instruction.
fn target(slots: &[Slot], pc: usize, off: i64) -> Option<u32> {
    let target = (pc as i64).wrapping_add(1).wrapping_add(off) as usize;
    if !matches!(slots.get(target), Some(Slot::Insn(_))) {
        return None;
    }
    u32::try_from(target).ok()
}

/// An op with the masks of an ALU operation of this width, to fill in.
const fn of_width(width: Width) -> Op {
    Op {
        aux: alu::shift_mask(width),
        mask: alu::result_mask(width),
        ..SLOW
    }
}

/// A [`Kind::Alu`] op of this width with an immediate operand of 0, to fill in.
const fn selected(select: Selectable, width: Width) -> Op {
    Op {
        kind: Kind::Alu,
        select: select as u8,
        ..of_width(width)
    }
}

fn flatten(slots: &[Slot], pc: usize) -> Op {
    let Some(Slot::Insn(insn)) = slots.get(pc) else {
        return SLOW;
    };
    let writes_r10 = |dst: Reg| dst == Reg::R10;
    let mem_off = |off: i16| off as i32 as u32;
    match *insn {
        Insn::Alu {
            width,
            op,
            dst,
            src,
        } if !writes_r10(dst) => {
            let (src, imm) = operand(src);
            let (kind, select) = alu_op(width, op);
            Op {
                kind,
                select,
                dst: dst.number(),
                src,
                imm,
                ..of_width(width)
            }
        }
        Insn::Neg { width, dst } if !writes_r10(dst) => Op {
            dst: dst.number(),
            ..selected(Selectable::Neg, width)
        },
        // `le` truncates: an `and` with the low `bits` set. `be` and `bswap` swap all
        // eight bytes and shift the wanted ones down.
        Insn::Endian {
            order: ByteOrder::Le,
            bits,
            dst,
        } if !writes_r10(dst) => Op {
            dst: dst.number(),
            imm: u64::MAX >> (64 - bits),
            ..selected(Selectable::And, Width::W64)
        },
        Insn::Endian { bits, dst, .. } if !writes_r10(dst) => Op {
            dst: dst.number(),
            imm: u64::from(64 - bits),
            ..selected(Selectable::Swap, Width::W64)
        },
        Insn::LoadImm64 { dst, imm, .. } if !writes_r10(dst) => Op {
            kind: Kind::Lddw,
            dst: dst.number(),
            imm,
            ..SLOW
        },
        Insn::Load {
            size,
            signed,
            dst,
            src,
            off,
        } if !writes_r10(dst) => {
            let kind = match (size, signed) {
                (Size::B, false) => Kind::LdxB,
                (Size::H, false) => Kind::LdxH,
                (Size::W, false) => Kind::LdxW,
                (Size::DW, _) => Kind::LdxDW,
                (Size::B, true) => Kind::LdxSB,
                (Size::H, true) => Kind::LdxSH,
                (Size::W, true) => Kind::LdxSW,
            };
            Op {
                kind,
                dst: dst.number(),
                src: src.number(),
                aux: mem_off(off),
                imm: 0,
                ..SLOW
            }
        }
        Insn::Store {
            size,
            dst,
            off,
            imm,
        } => Op {
            kind: store_kind(size),
            dst: dst.number(),
            src: ZERO,
            aux: mem_off(off),
            imm: imm as i64 as u64,
            ..SLOW
        },
        Insn::StoreReg {
            size,
            dst,
            src,
            off,
        } => Op {
            kind: store_kind(size),
            dst: dst.number(),
            src: src.number(),
            aux: mem_off(off),
            imm: 0,
            ..SLOW
        },
        Insn::LoadPacket { size, index, imm } => {
            let kind = match size {
                Size::B => Kind::PktB,
                Size::H => Kind::PktH,
                Size::W => Kind::PktW,
                Size::DW => Kind::PktDW,
            };
            let src = index.map_or(ZERO, Reg::number);
            Op {
                kind,
                dst: 0,
                src,
                aux: 0,
                imm: imm as i64 as u64,
                ..SLOW
            }
        }
        Insn::Ja { off } => target(slots, pc, off.into()).map_or(SLOW, |aux| Op {
            kind: Kind::Ja,
            aux,
            ..SLOW
        }),
        Insn::JaLong { off } => target(slots, pc, off.into()).map_or(SLOW, |aux| Op {
            kind: Kind::Ja,
            aux,
            ..SLOW
        }),
        Insn::Branch {
            width,
            cond,
            dst,
            src,
            off,
        } => match target(slots, pc, off.into()) {
            Some(aux) => {
                let (src, imm) = operand(src);
                Op {
                    kind: cond_kind(width, cond),
                    dst: dst.number(),
                    src,
                    aux,
                    imm,
                    ..SLOW
                }
            }
            None => SLOW,
        },
        Insn::Alu { .. }
        | Insn::Neg { .. }
        | Insn::Endian { .. }
        | Insn::LoadImm64 { .. }
        | Insn::Load { .. }
        | Insn::Atomic { .. }
        | Insn::Call { .. }
        | Insn::CallReg { .. }
        | Insn::Exit => SLOW,
    }
}

const fn store_kind(size: Size) -> Kind {
    match size {
        Size::B => Kind::StB,
        Size::H => Kind::StH,
        Size::W => Kind::StW,
        Size::DW => Kind::StDW,
    }
}
