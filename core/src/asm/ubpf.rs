//! The bpf_conformance / uBPF syntax: `mnemonic operand, operand`.

use super::cursor::Cursor;
use super::lexer::{RegStyle, Tok};
use super::{AsmError, AsmErrorKind, Parsed, parse_call, parse_imm64_value};
use crate::isa::{AluOp, AtomicOp, ByteOrder, Cond, Insn, Reg, Size, Source, Width};
use crate::prelude::*;
use crate::syntax;

/// What a uBPF mnemonic denotes.
#[derive(Clone, Copy)]
enum Mnemonic {
    Alu(AluOp, Width),
    Neg(Width),
    Endian(ByteOrder, u8),
    Lddw,
    Packet(Size, bool),
    Load(Size, bool),
    Store(Size),
    StoreReg(Size),
    Lock,
    Ja,
    Ja32,
    Branch(Cond, Width),
    Call,
    Exit,
}

const WIDTHS: [Width; 2] = [Width::W64, Width::W32];
const END_BITS: [u8; 3] = [16, 32, 64];

/// Finds a mnemonic by composing every spelling from the ISA tables.
fn lookup(name: &str) -> Option<Mnemonic> {
    let fixed = match name {
        "lddw" => Some(Mnemonic::Lddw),
        "lock" => Some(Mnemonic::Lock),
        "ja" => Some(Mnemonic::Ja),
        "ja32" => Some(Mnemonic::Ja32),
        "call" => Some(Mnemonic::Call),
        "exit" => Some(Mnemonic::Exit),
        _ => None,
    };
    let widths = WIDTHS.iter().flat_map(|&w| {
        let alu = AluOp::ALL
            .iter()
            .map(move |&op| (syntax::alu_mnemonic(op, w), Mnemonic::Alu(op, w)));
        let branch = Cond::ALL
            .iter()
            .map(move |&c| (syntax::branch_mnemonic(c, w), Mnemonic::Branch(c, w)));
        alu.chain(branch).chain(core::iter::once((
            syntax::neg_mnemonic(w),
            Mnemonic::Neg(w),
        )))
    });
    let endian = ByteOrder::ALL.iter().flat_map(|&o| {
        END_BITS.iter().flat_map(move |&b| {
            let alias =
                (o == ByteOrder::Swap).then(|| (format!("swap{b}"), Mnemonic::Endian(o, b)));
            core::iter::once((syntax::endian_mnemonic(o, b), Mnemonic::Endian(o, b))).chain(alias)
        })
    });
    let memory = Size::ALL.iter().flat_map(|&s| {
        let narrow = s != Size::DW;
        [
            Some((syntax::load_mnemonic(s, false), Mnemonic::Load(s, false))),
            narrow.then(|| (syntax::load_mnemonic(s, true), Mnemonic::Load(s, true))),
            Some((syntax::store_mnemonic(s, false), Mnemonic::Store(s))),
            Some((syntax::store_mnemonic(s, true), Mnemonic::StoreReg(s))),
            narrow.then(|| {
                (
                    syntax::packet_mnemonic(s, false),
                    Mnemonic::Packet(s, false),
                )
            }),
            narrow.then(|| (syntax::packet_mnemonic(s, true), Mnemonic::Packet(s, true))),
        ]
        .into_iter()
        .flatten()
    });
    fixed.or_else(|| {
        widths
            .chain(endian)
            .chain(memory)
            .find(|(n, _)| n == name)
            .map(|(_, m)| m)
    })
}

type Result<T> = core::result::Result<T, AsmError>;

/// `%r3` or `r3`; `w3` belongs to the pseudo-C syntax.
fn reg(c: &mut Cursor<'_>) -> Result<Reg> {
    let col = c.col();
    let (r, style) = c.reg_any()?;
    if style == RegStyle::W {
        let found = format!("w{}", r.number());
        return Err(c.error_at(
            col,
            AsmErrorKind::WidthMismatch {
                expected: "an `%r`",
                found,
            },
        ));
    }
    Ok(r)
}

fn comma(c: &mut Cursor<'_>) -> Result<()> {
    c.punct(",", "`,`")
}

fn source(c: &mut Cursor<'_>) -> Result<Source> {
    if c.at_reg() {
        Ok(Source::Reg(reg(c)?))
    } else {
        Ok(Source::Imm(c.imm32()?))
    }
}

/// `[%r1+4]`, `[%r1-8]` or `[%r1]`.
fn memory(c: &mut Cursor<'_>) -> Result<(Reg, i16)> {
    c.punct("[", "a memory operand like `[%r1+4]`")?;
    let base = reg(c)?;
    let off = if matches!(c.peek(), Some(Tok::Punct("+" | "-"))) {
        c.off16()?
    } else {
        0
    };
    c.punct("]", "`]`")?;
    Ok((base, off))
}

pub(super) fn parse(c: &mut Cursor<'_>) -> Result<Parsed> {
    let (name, col) = c.ident("a mnemonic")?;
    let mnemonic =
        lookup(name).ok_or_else(|| c.error_at(col, AsmErrorKind::UnknownMnemonic(name.into())))?;
    let insn = match mnemonic {
        Mnemonic::Alu(op, width) => {
            let dst = reg(c)?;
            comma(c)?;
            let src = source(c)?;
            let movsx = matches!(op, AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32);
            if movsx && matches!(src, Source::Imm(_)) {
                return Err(c.expected("a source register (movsx has no immediate form)"));
            }
            Insn::Alu {
                width,
                op,
                dst,
                src,
            }
        }
        Mnemonic::Neg(width) => Insn::Neg {
            width,
            dst: reg(c)?,
        },
        Mnemonic::Endian(order, bits) => Insn::Endian {
            order,
            bits,
            dst: reg(c)?,
        },
        Mnemonic::Lddw => {
            let dst = reg(c)?;
            comma(c)?;
            let (kind, imm) = parse_imm64_value(c)?;
            Insn::LoadImm64 { dst, kind, imm }
        }
        Mnemonic::Packet(size, indirect) => {
            let index = if indirect {
                let r = reg(c)?;
                comma(c)?;
                Some(r)
            } else {
                None
            };
            Insn::LoadPacket {
                size,
                index,
                imm: c.imm32()?,
            }
        }
        Mnemonic::Load(size, signed) => {
            let dst = reg(c)?;
            comma(c)?;
            let (src, off) = memory(c)?;
            Insn::Load {
                size,
                signed,
                dst,
                src,
                off,
            }
        }
        Mnemonic::Store(size) => {
            let (dst, off) = memory(c)?;
            comma(c)?;
            Insn::Store {
                size,
                dst,
                off,
                imm: c.imm32()?,
            }
        }
        Mnemonic::StoreReg(size) => {
            let (dst, off) = memory(c)?;
            comma(c)?;
            Insn::StoreReg {
                size,
                dst,
                src: reg(c)?,
                off,
            }
        }
        Mnemonic::Lock => {
            let fetch = c.eat_ident("fetch");
            let (word, col) = c.ident("an atomic operation (add, or, and, xor, xchg, cmpxchg)")?;
            let name = if fetch {
                format!("fetch {word}")
            } else {
                String::from(word)
            };
            let (op, size) = AtomicOp::ALL
                .iter()
                .flat_map(|&op| [Size::DW, Size::W].map(|s| (op, s)))
                .find(|&(op, s)| syntax::atomic_mnemonic(op, s) == name)
                .ok_or_else(|| {
                    c.error_at(col, AsmErrorKind::UnknownMnemonic(format!("lock {name}")))
                })?;
            let (dst, off) = memory(c)?;
            comma(c)?;
            Insn::Atomic {
                size,
                op,
                dst,
                src: reg(c)?,
                off,
            }
        }
        Mnemonic::Ja => return Ok(Parsed::jump(Insn::Ja { off: 0 }, c.target(false)?)),
        Mnemonic::Ja32 => return Ok(Parsed::jump(Insn::JaLong { off: 0 }, c.target(true)?)),
        Mnemonic::Branch(cond, width) => {
            let dst = reg(c)?;
            comma(c)?;
            let src = source(c)?;
            comma(c)?;
            return Ok(Parsed::jump(
                Insn::Branch {
                    width,
                    cond,
                    dst,
                    src,
                    off: 0,
                },
                c.target(false)?,
            ));
        }
        Mnemonic::Call => return parse_call(c),
        Mnemonic::Exit => Insn::Exit,
    };
    Ok(Parsed::plain(insn))
}
