use crate::prelude::*;
use core::fmt;

/// What went wrong while assembling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsmErrorKind {
    /// Something else was found where `expected` was needed.
    Expected {
        expected: &'static str,
        found: String,
    },
    UnknownMnemonic(String),
    /// A register other than r0..r10, or one written in the wrong form.
    InvalidRegister(String),
    /// A register of the other width (`w1` in a 64-bit operation).
    WidthMismatch {
        expected: &'static str,
        found: String,
    },
    BadNumber(String),
    /// A literal that does not fit its field.
    OutOfRange {
        what: &'static str,
        value: String,
    },
    UnexpectedChar(char),
    UnknownLabel(String),
    DuplicateLabel(String),
    /// A jump whose distance does not fit the 16-bit offset field.
    JumpTooFar {
        label: String,
        distance: i64,
    },
    UnknownHelper(String),
    /// The two sides of `dst = op(dst)` name different registers.
    RegisterMismatch {
        expected: String,
        found: String,
    },
}

/// An assembly error at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    pub line: usize,
    pub col: usize,
    pub kind: AsmErrorKind,
}

impl AsmError {
    pub fn new(line: usize, col: usize, kind: AsmErrorKind) -> Self {
        AsmError { line, col, kind }
    }
}

impl fmt::Display for AsmErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsmErrorKind::Expected { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            AsmErrorKind::UnknownMnemonic(m) => write!(f, "unknown mnemonic `{m}`"),
            AsmErrorKind::InvalidRegister(r) => {
                write!(f, "invalid register `{r}` (registers are r0 to r10)")
            }
            AsmErrorKind::WidthMismatch { expected, found } => {
                write!(f, "expected {expected} register, found `{found}`")
            }
            AsmErrorKind::BadNumber(n) => write!(f, "`{n}` is not a decimal or 0x-hex number"),
            AsmErrorKind::OutOfRange { what, value } => {
                write!(f, "{what} `{value}` is out of range")
            }
            AsmErrorKind::UnexpectedChar(c) => write!(f, "unexpected character `{c}`"),
            AsmErrorKind::UnknownLabel(l) => write!(f, "unknown label `{l}`"),
            AsmErrorKind::DuplicateLabel(l) => write!(f, "label `{l}` is defined twice"),
            AsmErrorKind::JumpTooFar { label, distance } => {
                write!(
                    f,
                    "jump to `{label}` spans {distance} slots, more than a 16-bit offset holds"
                )
            }
            AsmErrorKind::UnknownHelper(h) => {
                write!(f, "unknown helper `{h}` (Linux 4.4 has helpers 1 to 25)")
            }
            AsmErrorKind::RegisterMismatch { expected, found } => {
                write!(
                    f,
                    "expected the destination register `{expected}` again, found `{found}`"
                )
            }
        }
    }
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.col, self.kind)
    }
}

impl core::error::Error for AsmError {}
