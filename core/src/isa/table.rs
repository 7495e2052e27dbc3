//! The instruction-set description: every opcode field value the ISA knows, once.
//!
//! Each table row names a variant, its encoding, its spelling in the uBPF/conformance
//! syntax, its spelling in the kernel/LLVM pseudo-C syntax and the Linux release that
//! introduced it. The decoder, encoder, assembler and disassembler all read these rows;
//! nothing else in the crate lists opcodes.

use super::Release;

/// Generates a field enum plus its lookup functions from one table.
macro_rules! isa_table {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $code_ty:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $code:expr, $ubpf:literal, $llvm:literal, $since:ident; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant ),* }

        impl $name {
            /// Every variant, in table order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The encoding of this variant.
            pub const fn code(self) -> $code_ty {
                match self { $(Self::$variant => $code),* }
            }

            /// The variant with this encoding, if any.
            pub fn from_code(code: $code_ty) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// Spelling in the uBPF / bpf_conformance assembler.
            pub const fn ubpf(self) -> &'static str {
                match self { $(Self::$variant => $ubpf),* }
            }

            /// Spelling in the kernel / LLVM pseudo-C syntax.
            pub const fn llvm(self) -> &'static str {
                match self { $(Self::$variant => $llvm),* }
            }

            /// The first Linux release whose eBPF accepted this variant.
            pub const fn since(self) -> Release {
                match self { $(Self::$variant => Release::$since),* }
            }
        }
    };
}

isa_table! {
    /// ALU operations. The code is (operation bits, required `off` field): RFC 9669 tells
    /// sdiv from div and movsx from mov by the offset field.
    pub enum AluOp: (u8, i16) {
        Add = (0x00, 0), "add", "+=", V3_18;
        Sub = (0x10, 0), "sub", "-=", V3_18;
        Mul = (0x20, 0), "mul", "*=", V3_18;
        Div = (0x30, 0), "div", "/=", V3_18;
        SDiv = (0x30, 1), "sdiv", "s/=", V6_6;
        Or = (0x40, 0), "or", "|=", V3_18;
        And = (0x50, 0), "and", "&=", V3_18;
        Lsh = (0x60, 0), "lsh", "<<=", V3_18;
        Rsh = (0x70, 0), "rsh", ">>=", V3_18;
        Mod = (0x90, 0), "mod", "%=", V3_18;
        SMod = (0x90, 1), "smod", "s%=", V6_6;
        Xor = (0xa0, 0), "xor", "^=", V3_18;
        Mov = (0xb0, 0), "mov", "=", V3_18;
        MovSx8 = (0xb0, 8), "movsx8", "(s8)", V6_6;
        MovSx16 = (0xb0, 16), "movsx16", "(s16)", V6_6;
        MovSx32 = (0xb0, 32), "movsx32", "(s32)", V6_6;
        Arsh = (0xc0, 0), "arsh", "s>>=", V3_18;
    }
}

isa_table! {
    /// Conditions of conditional jumps (operation bits of the JMP / JMP32 classes).
    pub enum Cond: u8 {
        Eq = 0x10, "jeq", "==", V3_18;
        Gt = 0x20, "jgt", ">", V3_18;
        Ge = 0x30, "jge", ">=", V3_18;
        Set = 0x40, "jset", "&", V3_18;
        Ne = 0x50, "jne", "!=", V3_18;
        Sgt = 0x60, "jsgt", "s>", V3_18;
        Sge = 0x70, "jsge", "s>=", V3_18;
        Lt = 0xa0, "jlt", "<", V4_14;
        Le = 0xb0, "jle", "<=", V4_14;
        Slt = 0xc0, "jslt", "s<", V4_14;
        Sle = 0xd0, "jsle", "s<=", V4_14;
    }
}

isa_table! {
    /// Access sizes of loads and stores. The pseudo-C spelling is the C type.
    pub enum Size: u8 {
        W = 0x00, "w", "u32", V3_18;
        H = 0x08, "h", "u16", V3_18;
        B = 0x10, "b", "u8", V3_18;
        DW = 0x18, "dw", "u64", V3_18;
    }
}

impl Size {
    /// Bytes in an access of this size.
    pub const fn bytes(self) -> usize {
        match self {
            Size::B => 1,
            Size::H => 2,
            Size::W => 4,
            Size::DW => 8,
        }
    }
}

isa_table! {
    /// Operations of the atomic (formerly XADD) store class, encoded in `imm`.
    /// The pseudo-C column is the compound operator or the kernel's function name.
    pub enum AtomicOp: i32 {
        Add = 0x00, "add", "+=", V3_18;
        Or = 0x40, "or", "|=", V5_12;
        And = 0x50, "and", "&=", V5_12;
        Xor = 0xa0, "xor", "^=", V5_12;
        FetchAdd = 0x01, "fetch add", "fetch_add", V5_12;
        FetchOr = 0x41, "fetch or", "fetch_or", V5_12;
        FetchAnd = 0x51, "fetch and", "fetch_and", V5_12;
        FetchXor = 0xa1, "fetch xor", "fetch_xor", V5_12;
        Xchg = 0xe1, "xchg", "xchg", V5_12;
        CmpXchg = 0xf1, "cmpxchg", "cmpxchg", V5_12;
    }
}

isa_table! {
    /// Byte-order operations. The code is (class, source bit) of the END opcode.
    pub enum ByteOrder: u8 {
        Le = 0xd4, "le", "le", V3_18;
        Be = 0xdc, "be", "be", V3_18;
        Swap = 0xd7, "bswap", "bswap", V6_6;
    }
}

isa_table! {
    /// Meanings of the `src` field of `lddw` (RFC 9669 §5.4 and later kernels).
    /// Both spellings are the function-like name used by this project's assembler.
    pub enum Imm64Kind: u8 {
        Imm = 0, "imm", "imm", V3_18;
        MapFd = 1, "map_fd", "map_fd", V3_18;
        MapValue = 2, "map_value", "map_value", V5_2;
        BtfId = 3, "btf_id", "btf_id", V5_10;
        Func = 4, "func", "func", V5_13;
        MapIdx = 5, "map_idx", "map_idx", V5_14;
        MapIdxValue = 6, "map_idx_value", "map_idx_value", V5_14;
    }
}

isa_table! {
    /// Meanings of the `src` field of `call` (opcode 0x85).
    pub enum CallKind: u8 {
        Helper = 0, "call", "call", V3_18;
        Local = 1, "call local", "call pc", V4_16;
        Kfunc = 2, "call runtime", "call kfunc", V5_13;
    }
}

/// Instruction classes (low three bits of the opcode).
pub mod class {
    /// The class bits.
    pub const MASK: u8 = 0x07;
    pub const LD: u8 = 0x00;
    pub const LDX: u8 = 0x01;
    pub const ST: u8 = 0x02;
    pub const STX: u8 = 0x03;
    pub const ALU: u8 = 0x04;
    pub const JMP: u8 = 0x05;
    pub const JMP32: u8 = 0x06;
    pub const ALU64: u8 = 0x07;
}

/// Memory modes (top three bits of load/store opcodes).
pub mod mode {
    /// The mode bits.
    pub const MASK: u8 = 0xe0;
    pub const IMM: u8 = 0x00;
    pub const ABS: u8 = 0x20;
    pub const IND: u8 = 0x40;
    pub const MEM: u8 = 0x60;
    pub const MEMSX: u8 = 0x80;
    pub const ATOMIC: u8 = 0xc0;
}

/// Operation bits of the ALU and JMP classes that are not in the tables above.
pub mod op {
    /// The operation bits (top four) of ALU and JMP opcodes.
    pub const MASK: u8 = 0xf0;
    pub const NEG: u8 = 0x80;
    pub const END: u8 = 0xd0;
    pub const JA: u8 = 0x00;
    pub const CALL: u8 = 0x80;
    pub const EXIT: u8 = 0x90;
    /// Source bit: register operand.
    pub const X: u8 = 0x08;
}

/// The size bits of load/store opcodes ([`Size`] codes).
pub const SIZE_MASK: u8 = 0x18;

/// Opcode of the first slot of `lddw`.
pub const LDDW: u8 = class::LD | mode::IMM | Size::DW.code();

/// The opcode fields of a raw slot, for readers that must see malformed encodings
/// (the verifier) rather than decode them.
impl super::RawInsn {
    pub const fn class(self) -> u8 {
        self.opcode & class::MASK
    }

    /// The memory mode of a load or store.
    pub const fn mode(self) -> u8 {
        self.opcode & mode::MASK
    }

    /// The operation bits of an ALU or JMP opcode.
    pub const fn op(self) -> u8 {
        self.opcode & op::MASK
    }

    /// Whether the second operand is a register (the X bit).
    pub const fn has_reg_source(self) -> bool {
        self.opcode & op::X != 0
    }

    /// The access size of a load or store.
    pub fn size(self) -> Size {
        // The two size bits take all four values of the table, so DW is never a fallback.
        Size::from_code(self.opcode & SIZE_MASK).unwrap_or(Size::DW)
    }
}
