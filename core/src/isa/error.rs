use super::{Insn, Profile, Release};
use core::fmt;

/// An instruction field, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Dst,
    Src,
    Off,
    Imm,
    Opcode,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Dst => "dst",
            Field::Src => "src",
            Field::Off => "offset",
            Field::Imm => "imm",
            Field::Opcode => "opcode",
        })
    }
}

/// Why bytes are not a valid instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The byte length is not a multiple of 8; `len` bytes are left over.
    TrailingBytes {
        len: usize,
    },
    UnknownOpcode,
    /// A register field names r11..r15.
    BadRegister {
        field: Field,
        value: u8,
    },
    /// A field this opcode does not use is not zero.
    ReservedField {
        field: Field,
        value: i64,
    },
    /// `le`/`be`/`bswap` with a width other than 16, 32 or 64.
    BadEndWidth {
        imm: i32,
    },
    /// An atomic instruction whose `imm` names no operation.
    BadAtomicOp {
        imm: i32,
    },
    /// An ALU offset other than the sdiv/smod (1) or movsx (8, 16, 32) modifiers.
    BadAluOffset {
        off: i16,
    },
    /// `lddw` or `call` with a `src` value that names no pseudo kind.
    BadPseudoSrc {
        src: u8,
    },
    /// `lddw` in the last slot.
    MissingImm64Tail,
    /// The second slot of `lddw` has a non-zero field other than `imm`.
    BadImm64Tail {
        field: Field,
        value: i64,
    },
}

/// An invalid encoding, located by slot index and opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Slot index of the offending instruction.
    pub pc: usize,
    pub opcode: u8,
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let DecodeErrorKind::TrailingBytes { len } = self.kind {
            return write!(
                f,
                "program is not a whole number of 8-byte instructions: {len} byte(s) left after instruction {}",
                self.pc
            );
        }
        write!(
            f,
            "instruction {} (opcode 0x{:02x}): ",
            self.pc, self.opcode
        )?;
        match self.kind {
            DecodeErrorKind::TrailingBytes { .. } => Ok(()),
            DecodeErrorKind::UnknownOpcode => f.write_str("unknown opcode"),
            DecodeErrorKind::BadRegister { field, value } => {
                write!(
                    f,
                    "{field} register is r{value}, but registers are r0 to r10"
                )
            }
            DecodeErrorKind::ReservedField { field, value } => {
                write!(
                    f,
                    "{field} field is unused by this instruction and must be 0, found {value}"
                )
            }
            DecodeErrorKind::BadEndWidth { imm } => {
                write!(f, "byte swap width (imm) must be 16, 32 or 64, found {imm}")
            }
            DecodeErrorKind::BadAtomicOp { imm } => {
                write!(f, "imm 0x{imm:x} names no atomic operation")
            }
            DecodeErrorKind::BadAluOffset { off } => write!(
                f,
                "offset {off} is not valid here (only sdiv/smod use 1 and movsx uses 8, 16 or 32)"
            ),
            DecodeErrorKind::BadPseudoSrc { src } => {
                write!(f, "src field {src} names no pseudo kind for this opcode")
            }
            DecodeErrorKind::MissingImm64Tail => {
                f.write_str("lddw needs a second slot, but the program ends here")
            }
            DecodeErrorKind::BadImm64Tail { field, value } => {
                write!(
                    f,
                    "the second slot of lddw must have {field} = 0, found {value}"
                )
            }
        }
    }
}

impl core::error::Error for DecodeError {}

/// A valid instruction that the chosen profile does not include. Its `Display`, which
/// names the instruction by its mnemonic, is in [`crate::disasm`], where mnemonics are
/// spelled, so that `isa` imports nothing else of the crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    pub pc: usize,
    pub insn: Insn,
    pub since: Release,
    pub profile: Profile,
}

impl core::error::Error for ProfileError {}
