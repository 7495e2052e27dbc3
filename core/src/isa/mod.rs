//! The eBPF instruction set: wire format, the decoded [`Insn`] enum and programs.
//!
//! Bytes are decoded once into [`Insn`]; the interpreter, disassembler and (later)
//! verifier and JIT match on it exhaustively. [`table`] is the single description of
//! field encodings that decoding, encoding, assembling and printing all derive from.

mod decode;
mod encode;
mod error;
mod hex;
pub mod table;
#[cfg(test)]
mod tests;

pub use error::{DecodeError, DecodeErrorKind, Field, ProfileError};
pub use hex::{HexError, HexErrorKind, parse_hex_bytes, spaced_hex};
pub use table::{AluOp, AtomicOp, ByteOrder, CallKind, Cond, Imm64Kind, Size};

use crate::prelude::*;
use core::fmt;

/// Size of one instruction slot in bytes.
pub const INSN_SIZE: usize = 8;

/// A Linux release, used to say which kernel first accepted an instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Release {
    #[default]
    V3_18,
    V4_4,
    V4_14,
    V4_16,
    V5_0,
    V5_1,
    V5_2,
    V5_10,
    V5_12,
    V5_13,
    V5_14,
    V6_6,
    /// Defined by RFC 9669 or uBPF but never accepted by the Linux verifier.
    Never,
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = match self {
            Release::V3_18 => "3.18",
            Release::V4_4 => "4.4",
            Release::V4_14 => "4.14",
            Release::V4_16 => "4.16",
            Release::V5_0 => "5.0",
            Release::V5_1 => "5.1",
            Release::V5_2 => "5.2",
            Release::V5_10 => "5.10",
            Release::V5_12 => "5.12",
            Release::V5_13 => "5.13",
            Release::V5_14 => "5.14",
            Release::V6_6 => "6.6",
            Release::Never => return f.write_str("an extension no Linux release accepts"),
        };
        write!(f, "Linux {v}")
    }
}

/// Which instruction set and runtime semantics apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Exactly what Linux 4.4 accepted, with 4.4's interpreter semantics.
    Linux44,
    /// Everything in RFC 9669, with its semantics (the conformance suite's model).
    #[default]
    Rfc9669,
}

impl Profile {
    pub const ALL: [Profile; 2] = [Profile::Linux44, Profile::Rfc9669];

    pub const fn name(self) -> &'static str {
        match self {
            Profile::Linux44 => "linux-4.4",
            Profile::Rfc9669 => "rfc9669",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether an instruction introduced in `release` exists in this profile.
    pub fn allows(self, release: Release) -> bool {
        match self {
            Profile::Linux44 => release <= Release::V4_4,
            Profile::Rfc9669 => true,
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A register, r0 to r10. r10 is the read-only frame pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reg(u8);

impl Reg {
    pub const R0: Reg = Reg(0);
    pub const R1: Reg = Reg(1);
    pub const R2: Reg = Reg(2);
    pub const R6: Reg = Reg(6);
    pub const R10: Reg = Reg(10);
    /// Number of registers.
    pub const COUNT: usize = 11;

    pub const fn new(n: u8) -> Option<Reg> {
        if n <= 10 { Some(Reg(n)) } else { None }
    }

    pub const fn index(self) -> usize {
        self.0 as usize
    }

    pub const fn number(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// Operand width of ALU and jump instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    W32,
    W64,
}

/// Second operand of ALU and conditional-jump instructions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Reg(Reg),
    Imm(i32),
}

/// One decoded eBPF instruction. `lddw` is one `Insn` that occupies two slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Insn {
    /// `dst op= src` for every binary ALU operation, including mov, sdiv and movsx.
    Alu {
        width: Width,
        op: AluOp,
        dst: Reg,
        src: Source,
    },
    /// `dst = -dst`.
    Neg {
        width: Width,
        dst: Reg,
    },
    /// Byte-order conversion of the low `bits` (16, 32 or 64) of `dst`.
    Endian {
        order: ByteOrder,
        bits: u8,
        dst: Reg,
    },
    /// `lddw`: a 64-bit immediate, or a pseudo value (map fd, ...) chosen by `kind`.
    LoadImm64 {
        dst: Reg,
        kind: Imm64Kind,
        imm: u64,
    },
    /// Legacy packet load into r0, big-endian: `LD_ABS` at `imm` when `index` is
    /// `None`, `LD_IND` at `index + imm` otherwise.
    LoadPacket {
        size: Size,
        index: Option<Reg>,
        imm: i32,
    },
    /// `dst = *(size *)(src + off)`, sign-extending when `signed` (MEMSX).
    Load {
        size: Size,
        signed: bool,
        dst: Reg,
        src: Reg,
        off: i16,
    },
    /// `*(size *)(dst + off) = imm`.
    Store {
        size: Size,
        dst: Reg,
        off: i16,
        imm: i32,
    },
    /// `*(size *)(dst + off) = src`.
    StoreReg {
        size: Size,
        dst: Reg,
        src: Reg,
        off: i16,
    },
    /// Atomic read-modify-write of `*(size *)(dst + off)` with `src` (size W or DW).
    Atomic {
        size: Size,
        op: AtomicOp,
        dst: Reg,
        src: Reg,
        off: i16,
    },
    /// Unconditional jump by `off` slots (`ja`).
    Ja {
        off: i16,
    },
    /// Unconditional jump by a 32-bit offset (`ja32` / `gotol`).
    JaLong {
        off: i32,
    },
    /// Conditional jump by `off` slots.
    Branch {
        width: Width,
        cond: Cond,
        dst: Reg,
        src: Source,
        off: i16,
    },
    /// Call a helper by id, a local function by relative offset, or a kernel function.
    Call {
        kind: CallKind,
        imm: i32,
    },
    /// Call the helper whose id is in a register (`callx`).
    CallReg {
        reg: Reg,
    },
    Exit,
}

impl AtomicOp {
    /// Whether the operation puts the old value in a register (src, or r0 for cmpxchg).
    pub const fn fetches(self) -> bool {
        !matches!(
            self,
            AtomicOp::Add | AtomicOp::Or | AtomicOp::And | AtomicOp::Xor
        )
    }
}

impl Insn {
    /// Number of 8-byte slots this instruction occupies.
    pub const fn slots(&self) -> usize {
        match self {
            Insn::LoadImm64 { .. } => 2,
            _ => 1,
        }
    }

    /// The first Linux release that accepted this instruction.
    pub fn since(&self) -> Release {
        match *self {
            Insn::Alu { width, op, .. } => match (width, op) {
                (Width::W32, AluOp::Arsh) => Release::V5_0,
                _ => op.since(),
            },
            Insn::Neg { .. } | Insn::Exit | Insn::Ja { .. } => Release::V3_18,
            Insn::Endian { order, .. } => order.since(),
            Insn::LoadImm64 { kind, .. } => kind.since(),
            Insn::LoadPacket { .. } => Release::V3_18,
            Insn::Load { signed, .. } => {
                if signed {
                    Release::V6_6
                } else {
                    Release::V3_18
                }
            }
            Insn::Store { .. } | Insn::StoreReg { .. } => Release::V3_18,
            Insn::Atomic { op, .. } => op.since(),
            Insn::JaLong { .. } => Release::V6_6,
            Insn::Branch { width, cond, .. } => match width {
                Width::W32 => cond.since().max(Release::V5_1),
                Width::W64 => cond.since(),
            },
            Insn::Call { kind, .. } => kind.since(),
            Insn::CallReg { .. } => Release::Never,
        }
    }

    /// Whether executing the instruction writes `reg`, as the interpreter runs it: a
    /// helper call writes r0 only, and the frame switch of a local call (r10, and r6..r10
    /// restored on return) is not counted, its callee being other instructions.
    pub fn writes(&self, reg: Reg) -> bool {
        match *self {
            Insn::Alu { dst, .. }
            | Insn::Neg { dst, .. }
            | Insn::Endian { dst, .. }
            | Insn::LoadImm64 { dst, .. }
            | Insn::Load { dst, .. } => dst == reg,
            Insn::Atomic {
                op: AtomicOp::CmpXchg,
                ..
            } => reg == Reg::R0,
            Insn::Atomic { op, src, .. } => op.fetches() && src == reg,
            Insn::LoadPacket { .. } | Insn::Call { .. } | Insn::CallReg { .. } => reg == Reg::R0,
            Insn::Store { .. }
            | Insn::StoreReg { .. }
            | Insn::Ja { .. }
            | Insn::JaLong { .. }
            | Insn::Branch { .. }
            | Insn::Exit => false,
        }
    }

    /// The same jump or local call with jump distance `off` (see [`Insn::jump_offset`]);
    /// other instructions are returned unchanged. The caller range-checks `off` for the
    /// 16-bit field of `ja` and conditional jumps.
    pub fn with_jump_offset(self, off: i32) -> Insn {
        match self {
            Insn::Ja { .. } => Insn::Ja { off: off as i16 },
            Insn::Branch {
                width,
                cond,
                dst,
                src,
                ..
            } => Insn::Branch {
                width,
                cond,
                dst,
                src,
                off: off as i16,
            },
            Insn::JaLong { .. } => Insn::JaLong { off },
            Insn::Call {
                kind: CallKind::Local,
                ..
            } => Insn::Call {
                kind: CallKind::Local,
                imm: off,
            },
            other => other,
        }
    }

    /// Relative jump distance in slots, for instructions that transfer control
    /// within the program (jumps and local calls).
    pub fn jump_offset(&self) -> Option<i32> {
        match *self {
            Insn::Ja { off } | Insn::Branch { off, .. } => Some(off as i32),
            Insn::JaLong { off } => Some(off),
            Insn::Call {
                kind: CallKind::Local,
                imm,
            } => Some(imm),
            _ => None,
        }
    }
}

/// One 8-byte slot in wire form: opcode, registers, offset and immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct RawInsn {
    pub opcode: u8,
    pub dst: u8,
    pub src: u8,
    pub off: i16,
    pub imm: i32,
}

impl RawInsn {
    /// Reads a slot (little-endian fields, dst in the low nibble).
    pub fn from_bytes(b: [u8; INSN_SIZE]) -> Self {
        RawInsn {
            opcode: b[0],
            dst: b[1] & 0x0f,
            src: b[1] >> 4,
            off: i16::from_le_bytes([b[2], b[3]]),
            imm: i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    pub fn to_bytes(self) -> [u8; INSN_SIZE] {
        let off = self.off.to_le_bytes();
        let imm = self.imm.to_le_bytes();
        [
            self.opcode,
            (self.src << 4) | (self.dst & 0x0f),
            off[0],
            off[1],
            imm[0],
            imm[1],
            imm[2],
            imm[3],
        ]
    }
}

/// A slot of a decoded program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    Insn(Insn),
    /// Second half of the `lddw` in the previous slot.
    Imm64Tail,
}

/// A decoded program: one entry per 8-byte slot, so jump offsets index it directly.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Program {
    slots: Vec<Slot>,
    /// The newest release any of its instructions needs, so that checking a profile
    /// that allows it (every `Vm::new`) is one comparison.
    newest: Release,
}

impl Program {
    /// Decodes wire bytes. Never panics; every invalid encoding is a [`DecodeError`].
    pub fn decode(bytes: &[u8]) -> Result<Program, DecodeError> {
        decode::decode(bytes)
    }

    /// Builds a program from instructions, laying out `lddw` tails.
    pub fn from_insns(insns: impl IntoIterator<Item = Insn>) -> Program {
        let mut slots = Vec::new();
        for insn in insns {
            slots.push(Slot::Insn(insn));
            if insn.slots() == 2 {
                slots.push(Slot::Imm64Tail);
            }
        }
        Program::from_slots(slots)
    }

    fn from_slots(slots: Vec<Slot>) -> Program {
        let mut program = Program {
            slots,
            newest: Release::default(),
        };
        program.newest = program
            .insns()
            .map(|(_, insn)| insn.since())
            .max()
            .unwrap_or_default();
        program
    }

    /// Wire bytes of the whole program.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.slots.len() * INSN_SIZE);
        for insn in self.insns().map(|(_, i)| i) {
            let (first, second) = encode::encode(insn);
            out.extend_from_slice(&first.to_bytes());
            if let Some(second) = second {
                out.extend_from_slice(&second.to_bytes());
            }
        }
        out
    }

    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Number of 8-byte slots (what the kernel calls `insn_cnt`).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The instruction starting at slot `pc`, if one does.
    pub fn get(&self, pc: usize) -> Option<&Insn> {
        match self.slots.get(pc) {
            Some(Slot::Insn(insn)) => Some(insn),
            _ => None,
        }
    }

    /// Instructions with the slot index each starts at.
    pub fn insns(&self) -> impl Iterator<Item = (usize, &Insn)> {
        self.slots.iter().enumerate().filter_map(|(pc, s)| match s {
            Slot::Insn(insn) => Some((pc, insn)),
            Slot::Imm64Tail => None,
        })
    }

    /// Fails on the first instruction the profile does not include.
    pub fn check_profile(&self, profile: Profile) -> Result<(), ProfileError> {
        if profile.allows(self.newest) {
            return Ok(());
        }
        for (pc, insn) in self.insns() {
            let since = insn.since();
            if !profile.allows(since) {
                return Err(ProfileError {
                    pc,
                    insn: *insn,
                    since,
                    profile,
                });
            }
        }
        Ok(())
    }
}

/// Formats bytes as hex, one 8-byte slot (16 digits) per line.
pub fn hex_lines(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2 + bytes.len() / 8);
    for chunk in bytes.chunks(INSN_SIZE) {
        for b in chunk {
            let _ = write!(out, "{b:02x}");
        }
        out.push('\n');
    }
    out
}
