//! The two assembly syntaxes and the spellings they share between the assembler and
//! the disassembler. Every composed mnemonic is built here, from [`crate::isa::table`].

use crate::isa::{AluOp, AtomicOp, ByteOrder, Cond, Imm64Kind, Size, Width};
use crate::prelude::*;

/// An assembly syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Syntax {
    /// The bpf_conformance / uBPF syntax: `mov %r0, 1`, `ldxw %r0, [%r1+4]`.
    Ubpf,
    /// The kernel / LLVM pseudo-C syntax: `r0 = *(u32 *)(r1 +4)`, `if r1 == 0x11 goto +2`.
    #[default]
    Llvm,
}

impl Syntax {
    pub const ALL: [Syntax; 2] = [Syntax::Ubpf, Syntax::Llvm];

    pub const fn name(self) -> &'static str {
        match self {
            Syntax::Ubpf => "ubpf",
            Syntax::Llvm => "llvm",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

const fn width_suffix(width: Width) -> &'static str {
    match width {
        Width::W32 => "32",
        Width::W64 => "",
    }
}

/// uBPF mnemonic of an ALU operation: `add`, `add32`, `movsx864`, `movsx1632`.
pub fn alu_mnemonic(op: AluOp, width: Width) -> String {
    match op {
        // movsx always names its width: movsx864 / movsx832.
        AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => {
            format!(
                "{}{}",
                op.ubpf(),
                if width == Width::W64 { "64" } else { "32" }
            )
        }
        _ => format!("{}{}", op.ubpf(), width_suffix(width)),
    }
}

pub fn neg_mnemonic(width: Width) -> String {
    format!("neg{}", width_suffix(width))
}

pub fn branch_mnemonic(cond: Cond, width: Width) -> String {
    format!("{}{}", cond.ubpf(), width_suffix(width))
}

pub fn endian_mnemonic(order: ByteOrder, bits: u8) -> String {
    format!("{}{bits}", order.ubpf())
}

pub fn load_mnemonic(size: Size, signed: bool) -> String {
    format!("ldx{}{}", if signed { "s" } else { "" }, size.ubpf())
}

pub fn store_mnemonic(size: Size, reg: bool) -> String {
    format!("st{}{}", if reg { "x" } else { "" }, size.ubpf())
}

pub fn packet_mnemonic(size: Size, indirect: bool) -> String {
    format!(
        "{}{}",
        if indirect { "ldind" } else { "ldabs" },
        size.ubpf()
    )
}

/// uBPF operation word after `lock`: `add`, `fetch add32`, `cmpxchg`.
pub fn atomic_mnemonic(op: AtomicOp, size: Size) -> String {
    format!("{}{}", op.ubpf(), if size == Size::W { "32" } else { "" })
}

/// The C type of a load or store: `u32`, or `s32` for sign-extending loads.
pub fn c_type(size: Size, signed: bool) -> String {
    let t = size.llvm();
    if signed {
        format!("s{}", &t[1..])
    } else {
        String::from(t)
    }
}

/// Kernel spelling of a fetching atomic: `atomic64_fetch_add`, `atomic_xchg`.
pub fn atomic_function(op: AtomicOp, size: Size) -> String {
    format!(
        "atomic{}_{}",
        if size == Size::DW { "64" } else { "" },
        op.llvm()
    )
}

/// Whether an `lddw` pseudo kind carries two 32-bit values (fd or index, and offset).
pub const fn imm64_has_offset(kind: Imm64Kind) -> bool {
    matches!(kind, Imm64Kind::MapValue | Imm64Kind::MapIdxValue)
}
