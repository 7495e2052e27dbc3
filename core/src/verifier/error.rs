//! Why the verifier refuses a program: one [`Reason`] per message of 4.4.1's verifier
//! (`kernel-4.4.md` §6.12), with the values it prints and the errno it returns.

use super::state::RegType;
use crate::linux::Errno;
use core::fmt;

/// What a rejected access stored into, for the unprivileged pointer-leak checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeakTarget {
    Map,
    Ctx,
    HelperFunction,
}

/// Which part of a map a helper argument points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapPart {
    Key,
    Value,
}

/// One message of 4.4's verifier, with the values it prints. `Display` writes the
/// message exactly as 4.4's log does (without the newline); the silent ones, where 4.4
/// fails without a log line, write nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    // The pre-pass (replace_map_fd_with_map_ptr).
    /// An LDX whose mode is not MEM or whose imm is set.
    LdxReserved,
    /// An STX whose mode is neither MEM nor XADD, or whose imm is set.
    StxReserved,
    /// An ld_imm64 that is the last slot, or whose second slot is not blank.
    InvalidLdImm64,
    /// An ld_imm64 with a src other than 0 (constant) or 1 (map fd).
    UnrecognizedLdImm64,
    /// A map load whose fd is not open (EBADF) or not a map (EINVAL).
    BadMapFd {
        fd: i32,
        errno: Errno,
    },
    /// More than 64 distinct maps (no message).
    TooManyMaps,

    // The control-flow check.
    JumpOutOfRange {
        from: usize,
        to: i64,
    },
    BackEdge {
        from: usize,
        to: usize,
    },
    Unreachable {
        insn: usize,
    },
    /// A `ja` with the X bit set (no message).
    JaWithSourceBit,
    /// The depth-first walk met a state it does not know (a verifier bug).
    InsnStateInternalBug,

    // The path walk (do_check).
    /// The walk left the program (a verifier bug: the control-flow check prevents it).
    InvalidInsnIdx {
        idx: usize,
        insn_cnt: usize,
    },
    /// More than 32768 instructions visited; 4.4 prints the count with its typo.
    TooLarge {
        processed: u32,
    },
    /// More than 1024 branches pending.
    TooComplex,
    UnknownInsnClass {
        class: u8,
    },
    InvalidReg {
        reg: u8,
    },
    RegNotReadable {
        reg: u8,
    },
    FramePointerReadOnly,

    // ALU.
    NegReserved,
    EndReserved,
    MovReserved,
    AluReserved,
    /// Operation bits 0xe0 or 0xf0.
    InvalidAluOpcode {
        op: u8,
    },
    DivByZero,
    InvalidShift {
        imm: i32,
    },
    PointerArithmetic {
        reg: u8,
    },
    PartialPointerCopy {
        reg: u8,
    },

    // Memory accesses.
    MisalignedAccess {
        off: i32,
        size: i32,
    },
    MapValueOutOfBounds {
        value_size: u32,
        off: i32,
        size: i32,
    },
    InvalidCtxAccess {
        off: i32,
        size: i32,
    },
    InvalidStackOff {
        off: i32,
        size: i32,
    },
    InvalidSpillSize,
    CorruptedSpill,
    /// A stack read of bytes never written: `first_bad` counts from `off`.
    InvalidStackRead {
        off: i32,
        first_bad: i32,
        size: i32,
    },
    CorruptSpilledPointer,
    LeaksAddr {
        reg: u8,
        into: LeakTarget,
    },
    LeaksReturnValue,
    /// The base of a load or store is not a pointer to memory: `base` is its type.
    InvalidMemAccess {
        reg: u8,
        base: RegType,
    },
    XaddReserved,
    DifferentPointers,
    StReserved,

    // Jumps and calls.
    CallReserved,
    JaReserved,
    ExitReserved,
    /// Operation bits above EXIT (0xa0 and up).
    InvalidJmpOpcode {
        op: u8,
    },
    JmpReserved,
    PointerComparison {
        reg: u8,
    },
    InvalidFunc {
        func: i32,
    },
    UnknownFunc {
        func: i32,
    },
    GplOnly,
    /// A helper argument of the wrong type; `expected` is the type name 4.4 prints.
    ArgType {
        reg: u8,
        actual: RegType,
        expected: &'static str,
    },
    InvalidStackType {
        reg: u8,
        off: i32,
        access_size: i32,
    },
    /// A helper buffer with a byte never written: `first_bad` counts from `off`.
    InvalidIndirectRead {
        off: i32,
        first_bad: i32,
        size: i32,
    },
    /// A key or value argument before any map argument (a helper-table bug).
    MapArgWithoutMap {
        part: MapPart,
    },
    /// A size argument not preceded by a stack buffer (a helper-table bug; no message).
    SizeWithoutStackBuffer,
    /// A helper returning a map value without a map argument (a helper-table bug).
    MisconfiguredVerifier,
    /// tail_call or perf_event_read/output given the wrong map type (no message).
    HelperMapMismatch {
        func: i32,
    },

    // LD.
    /// An LD IMM of a size other than DW, e.g. a jump into an ld_imm64's second slot.
    InvalidLdImm,
    LdImm64Reserved,
    LdAbsNotAllowed,
    /// LD_ABS or LD_IND with dst, off or (ABS) src set, or of size DW.
    LdAbsReserved,
    LdAbsR6NotCtx,
    InvalidLdMode,
}

impl Reason {
    /// The errno 4.4 returns with this message.
    pub const fn errno(&self) -> Errno {
        match self {
            Reason::BadMapFd { errno, .. } => *errno,
            Reason::TooManyMaps | Reason::TooLarge { .. } => Errno::E2BIG,
            Reason::InsnStateInternalBug | Reason::InvalidInsnIdx { .. } | Reason::TooComplex => {
                Errno::EFAULT
            }
            Reason::RegNotReadable { .. }
            | Reason::FramePointerReadOnly
            | Reason::PointerArithmetic { .. }
            | Reason::PartialPointerCopy { .. }
            | Reason::MisalignedAccess { .. }
            | Reason::MapValueOutOfBounds { .. }
            | Reason::InvalidCtxAccess { .. }
            | Reason::InvalidStackOff { .. }
            | Reason::InvalidSpillSize
            | Reason::CorruptedSpill
            | Reason::InvalidStackRead { .. }
            | Reason::CorruptSpilledPointer
            | Reason::LeaksAddr { .. }
            | Reason::LeaksReturnValue
            | Reason::InvalidMemAccess { .. }
            | Reason::PointerComparison { .. }
            | Reason::ArgType { .. }
            | Reason::InvalidStackType { .. }
            | Reason::InvalidIndirectRead { .. }
            | Reason::MapArgWithoutMap { .. }
            | Reason::SizeWithoutStackBuffer => Errno::EACCES,
            _ => Errno::EINVAL,
        }
    }

    /// Whether 4.4 fails without writing a log line.
    pub const fn is_silent(&self) -> bool {
        matches!(
            self,
            Reason::TooManyMaps
                | Reason::JaWithSourceBit
                | Reason::SizeWithoutStackBuffer
                | Reason::HelperMapMismatch { .. }
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Reason::LdxReserved => "BPF_LDX uses reserved fields",
            Reason::StxReserved => "BPF_STX uses reserved fields",
            Reason::InvalidLdImm64 => "invalid bpf_ld_imm64 insn",
            Reason::UnrecognizedLdImm64 => "unrecognized bpf_ld_imm64 insn",
            Reason::BadMapFd { fd, .. } => {
                return write!(f, "fd {fd} is not pointing to valid bpf_map");
            }
            Reason::TooManyMaps
            | Reason::JaWithSourceBit
            | Reason::SizeWithoutStackBuffer
            | Reason::HelperMapMismatch { .. } => "",
            Reason::JumpOutOfRange { from, to } => {
                return write!(f, "jump out of range from insn {from} to {to}");
            }
            Reason::BackEdge { from, to } => {
                return write!(f, "back-edge from insn {from} to {to}");
            }
            Reason::Unreachable { insn } => return write!(f, "unreachable insn {insn}"),
            Reason::InsnStateInternalBug => "insn state internal bug",
            Reason::InvalidInsnIdx { idx, insn_cnt } => {
                return write!(f, "invalid insn idx {idx} insn_cnt {insn_cnt}");
            }
            Reason::TooLarge { processed } => {
                return write!(f, "BPF program is too large. Proccessed {processed} insn");
            }
            Reason::TooComplex => "BPF program is too complex",
            Reason::UnknownInsnClass { class } => return write!(f, "unknown insn class {class}"),
            Reason::InvalidReg { reg } => return write!(f, "R{reg} is invalid"),
            Reason::RegNotReadable { reg } => return write!(f, "R{reg} !read_ok"),
            Reason::FramePointerReadOnly => "frame pointer is read only",
            Reason::NegReserved => "BPF_NEG uses reserved fields",
            Reason::EndReserved => "BPF_END uses reserved fields",
            Reason::MovReserved => "BPF_MOV uses reserved fields",
            Reason::AluReserved => "BPF_ALU uses reserved fields",
            Reason::InvalidAluOpcode { op } => return write!(f, "invalid BPF_ALU opcode {op:x}"),
            Reason::DivByZero => "div by zero",
            Reason::InvalidShift { imm } => return write!(f, "invalid shift {imm}"),
            Reason::PointerArithmetic { reg } => {
                return write!(f, "R{reg} pointer arithmetic prohibited");
            }
            Reason::PartialPointerCopy { reg } => {
                return write!(f, "R{reg} partial copy of pointer");
            }
            Reason::MisalignedAccess { off, size } => {
                return write!(f, "misaligned access off {off} size {size}");
            }
            Reason::MapValueOutOfBounds {
                value_size,
                off,
                size,
            } => {
                return write!(
                    f,
                    "invalid access to map value, value_size={value_size} off={off} size={size}"
                );
            }
            Reason::InvalidCtxAccess { off, size } => {
                return write!(f, "invalid bpf_context access off={off} size={size}");
            }
            Reason::InvalidStackOff { off, size } => {
                return write!(f, "invalid stack off={off} size={size}");
            }
            Reason::InvalidSpillSize => "invalid size of register spill",
            Reason::CorruptedSpill => "corrupted spill memory",
            Reason::InvalidStackRead {
                off,
                first_bad,
                size,
            } => {
                return write!(
                    f,
                    "invalid read from stack off {off}+{first_bad} size {size}"
                );
            }
            Reason::CorruptSpilledPointer => "attempt to corrupt spilled pointer on stack",
            Reason::LeaksAddr { reg, into } => {
                let into = match into {
                    LeakTarget::Map => "map",
                    LeakTarget::Ctx => "ctx",
                    LeakTarget::HelperFunction => "helper function",
                };
                return write!(f, "R{reg} leaks addr into {into}");
            }
            Reason::LeaksReturnValue => "R0 leaks addr as return value",
            Reason::InvalidMemAccess { reg, base } => {
                return write!(f, "R{reg} invalid mem access '{}'", base.name());
            }
            Reason::XaddReserved => "BPF_XADD uses reserved fields",
            Reason::DifferentPointers => "same insn cannot be used with different pointers",
            Reason::StReserved => "BPF_ST uses reserved fields",
            Reason::CallReserved => "BPF_CALL uses reserved fields",
            Reason::JaReserved => "BPF_JA uses reserved fields",
            Reason::ExitReserved => "BPF_EXIT uses reserved fields",
            Reason::InvalidJmpOpcode { op } => return write!(f, "invalid BPF_JMP opcode {op:x}"),
            Reason::JmpReserved => "BPF_JMP uses reserved fields",
            Reason::PointerComparison { reg } => {
                return write!(f, "R{reg} pointer comparison prohibited");
            }
            Reason::InvalidFunc { func } => return write!(f, "invalid func {func}"),
            Reason::UnknownFunc { func } => return write!(f, "unknown func {func}"),
            Reason::GplOnly => "cannot call GPL only function from proprietary program",
            Reason::ArgType {
                reg,
                actual,
                expected,
            } => return write!(f, "R{reg} type={} expected={expected}", actual.name()),
            Reason::InvalidStackType {
                reg,
                off,
                access_size,
            } => {
                return write!(
                    f,
                    "invalid stack type R{reg} off={off} access_size={access_size}"
                );
            }
            Reason::InvalidIndirectRead {
                off,
                first_bad,
                size,
            } => {
                return write!(
                    f,
                    "invalid indirect read from stack off {off}+{first_bad} size {size}"
                );
            }
            Reason::MapArgWithoutMap { part: MapPart::Key } => "invalid map_ptr to access map->key",
            Reason::MapArgWithoutMap {
                part: MapPart::Value,
            } => "invalid map_ptr to access map->value",
            Reason::MisconfiguredVerifier => "kernel subsystem misconfigured verifier",
            Reason::InvalidLdImm => "invalid BPF_LD_IMM insn",
            Reason::LdImm64Reserved => "BPF_LD_IMM64 uses reserved fields",
            Reason::LdAbsNotAllowed => {
                "BPF_LD_ABS|IND instructions not allowed for this program type"
            }
            Reason::LdAbsReserved => "BPF_LD_ABS uses reserved fields",
            Reason::LdAbsR6NotCtx => "at the time of BPF_LD_ABS|IND R6 != pointer to skb",
            Reason::InvalidLdMode => "invalid BPF_LD mode",
        };
        f.write_str(text)
    }
}

/// Why the verifier stopped, located at an instruction when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The instruction being checked, if the error came from the path walk.
    pub pc: Option<usize>,
    pub reason: Reason,
}

impl Rejection {
    /// The errno of the load.
    pub const fn errno(&self) -> Errno {
        self.reason.errno()
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.reason.fmt(f)
    }
}

impl core::error::Error for Rejection {}
