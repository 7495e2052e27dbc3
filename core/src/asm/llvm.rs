//! The kernel / LLVM pseudo-C syntax, as printed by `llvm-objdump -d`, bpftool and the
//! verifier log: `r0 = *(u32 *)(r1 +4)`, `w0 += 1`, `if r1 == 0x11 goto +2`.

use super::cursor::Cursor;
use super::lexer::{RegStyle, Tok};
use super::{AsmError, AsmErrorKind, Parsed, parse_call, parse_imm64_value};
use crate::isa::{AluOp, AtomicOp, ByteOrder, Cond, Imm64Kind, Insn, Reg, Size, Source, Width};
use crate::prelude::*;
use crate::syntax;

type Result<T> = core::result::Result<T, AsmError>;

fn width_of(style: RegStyle) -> Width {
    if style == RegStyle::W {
        Width::W32
    } else {
        Width::W64
    }
}

fn reg_name(r: Reg, style: RegStyle) -> String {
    if style == RegStyle::W {
        format!("w{}", r.number())
    } else {
        format!("r{}", r.number())
    }
}

/// A register of the given width (`w` for 32-bit, `r` for 64-bit). `cast` accepts
/// either, for the verifier log's `(u32) r1` spelling.
fn reg_of(c: &mut Cursor<'_>, width: Width, cast: bool) -> Result<Reg> {
    let col = c.col();
    let (r, style) = c.reg_any()?;
    if cast || width_of(style) == width {
        return Ok(r);
    }
    let expected = if width == Width::W32 {
        "a 32-bit `w`"
    } else {
        "a 64-bit `r`"
    };
    Err(c.error_at(
        col,
        AsmErrorKind::WidthMismatch {
            expected,
            found: reg_name(r, style),
        },
    ))
}

/// A register that must repeat `dst`, as in `r0 = -r0` or `r0 = be16 r0`.
fn same_reg(c: &mut Cursor<'_>, dst: Reg) -> Result<()> {
    let col = c.col();
    let (r, style) = c.reg_any()?;
    if r == dst {
        Ok(())
    } else {
        Err(c.error_at(
            col,
            AsmErrorKind::RegisterMismatch {
                expected: format!("{dst}"),
                found: reg_name(r, style),
            },
        ))
    }
}

/// The verifier log's `(u32)` cast.
fn eat_u32_cast(c: &mut Cursor<'_>) -> bool {
    let is_cast = matches!(c.peek(), Some(Tok::Punct("(")))
        && matches!(c.peek_at(1), Some(Tok::Ident("u32")))
        && matches!(c.peek_at(2), Some(Tok::Punct(")")));
    if is_cast {
        c.next();
        c.next();
        c.next();
    }
    is_cast
}

/// `*(u32 *)`: the access size and whether it sign-extends (`s32`).
fn pointer_type(c: &mut Cursor<'_>) -> Result<(Size, bool)> {
    c.punct("*", "`*(`")?;
    c.punct("(", "`(`")?;
    let t = c_type(c)?;
    c.punct("*", "`*`")?;
    c.punct(")", "`)`")?;
    Ok(t)
}

fn c_type(c: &mut Cursor<'_>) -> Result<(Size, bool)> {
    let col = c.col();
    let (name, _) = c.ident("a type (u8, u16, u32, u64, s8, s16, s32)")?;
    Size::ALL
        .iter()
        .flat_map(|&s| [(s, false), (s, true)])
        .filter(|&(s, signed)| !(signed && s == Size::DW))
        .find(|&(s, signed)| syntax::c_type(s, signed) == name)
        .ok_or_else(|| {
            c.error_at(
                col,
                AsmErrorKind::Expected {
                    expected: "a type (u8, u16, u32, u64, s8, s16, s32)",
                    found: format!("`{name}`"),
                },
            )
        })
}

/// `(r1 +4)`, `(r1 + 0x4)`, `(r10 -8)`, `(r1)`.
fn address(c: &mut Cursor<'_>) -> Result<(Reg, i16)> {
    c.punct("(", "`(`")?;
    let base = reg_of(c, Width::W64, false)?;
    let off = offset(c)?;
    c.punct(")", "`)`")?;
    Ok((base, off))
}

fn offset(c: &mut Cursor<'_>) -> Result<i16> {
    if matches!(c.peek(), Some(Tok::Punct("+" | "-"))) {
        c.off16()
    } else {
        Ok(0)
    }
}

/// `*(u64 *)(r1 +0)`: size and address of a memory operand.
fn memory(c: &mut Cursor<'_>) -> Result<(Size, bool, Reg, i16)> {
    let (size, signed) = pointer_type(c)?;
    let (base, off) = address(c)?;
    Ok((size, signed, base, off))
}

fn atomic_size(c: &Cursor<'_>, size: Size, col: usize) -> Result<Size> {
    match size {
        Size::W | Size::DW => Ok(size),
        _ => Err(c.error_at(
            col,
            AsmErrorKind::Expected {
                expected: "an atomic access of u32 or u64",
                found: format!("`{}`", size.llvm()),
            },
        )),
    }
}

pub(super) fn parse(c: &mut Cursor<'_>) -> Result<Parsed> {
    match c.peek() {
        Some(Tok::Ident("exit")) => {
            c.next();
            Ok(Parsed::plain(Insn::Exit))
        }
        Some(Tok::Ident("goto")) => {
            c.next();
            Ok(Parsed::jump(Insn::Ja { off: 0 }, c.target(false)?))
        }
        Some(Tok::Ident("gotol")) => {
            c.next();
            Ok(Parsed::jump(Insn::JaLong { off: 0 }, c.target(true)?))
        }
        Some(Tok::Ident("call")) => {
            c.next();
            parse_call(c)
        }
        Some(Tok::Ident("callx")) => {
            c.next();
            Ok(Parsed::plain(Insn::CallReg {
                reg: reg_of(c, Width::W64, false)?,
            }))
        }
        Some(Tok::Ident("if")) => {
            c.next();
            branch(c)
        }
        Some(Tok::Ident("lock")) => {
            c.next();
            let col = c.col();
            let (size, _, dst, off) = memory(c)?;
            let size = atomic_size(c, size, col)?;
            let op = match c.peek() {
                Some(Tok::Punct(p)) => AtomicOp::ALL.iter().copied().find(|o| o.llvm() == p),
                _ => None,
            }
            .ok_or_else(|| c.expected("`+=`, `|=`, `&=` or `^=`"))?;
            c.next();
            // bpftool and the kernel print r for 32-bit operands too; LLVM prints w.
            let src = c.reg_any()?.0;
            Ok(Parsed::plain(Insn::Atomic {
                size,
                op,
                dst,
                src,
                off,
            }))
        }
        Some(Tok::Punct("*")) => {
            let (size, signed, dst, off) = memory(c)?;
            if signed {
                return Err(c.expected("an unsigned store type"));
            }
            c.punct("=", "`=`")?;
            if c.at_reg() {
                let src = c.reg_any()?.0;
                Ok(Parsed::plain(Insn::StoreReg {
                    size,
                    dst,
                    src,
                    off,
                }))
            } else {
                Ok(Parsed::plain(Insn::Store {
                    size,
                    dst,
                    off,
                    imm: c.imm32()?,
                }))
            }
        }
        Some(Tok::Reg(..) | Tok::Punct("(")) => assignment(c),
        _ => Err(c.expected("an instruction")),
    }
}

fn branch(c: &mut Cursor<'_>) -> Result<Parsed> {
    let (dst, style) = c.reg_any()?;
    let width = width_of(style);
    let cond = match c.peek() {
        Some(Tok::Punct(p)) => Cond::ALL.iter().copied().find(|k| k.llvm() == p),
        _ => None,
    }
    .ok_or_else(|| c.expected("a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)"))?;
    c.next();
    let src = if c.at_reg() {
        Source::Reg(reg_of(c, width, false)?)
    } else {
        Source::Imm(c.imm32()?)
    };
    if !c.eat_ident("goto") {
        return Err(c.expected("`goto`"));
    }
    Ok(Parsed::jump(
        Insn::Branch {
            width,
            cond,
            dst,
            src,
            off: 0,
        },
        c.target(false)?,
    ))
}

/// Everything that starts with a destination register.
fn assignment(c: &mut Cursor<'_>) -> Result<Parsed> {
    let cast = eat_u32_cast(c);
    let (dst, style) = c.reg_any()?;
    let width = if cast { Width::W32 } else { width_of(style) };
    let plain = |insn| Ok(Parsed::plain(insn));
    let compound = match c.peek() {
        Some(Tok::Punct(p)) if p != "=" => AluOp::ALL
            .iter()
            .copied()
            .find(|o| o.llvm() == p && *o != AluOp::Mov),
        _ => None,
    };
    if let Some(op) = compound {
        c.next();
        let src_cast = eat_u32_cast(c);
        let src = if c.at_reg() {
            Source::Reg(reg_of(c, width, cast || src_cast)?)
        } else {
            Source::Imm(c.imm32()?)
        };
        return plain(Insn::Alu {
            width,
            op,
            dst,
            src,
        });
    }
    match c.peek() {
        Some(Tok::Punct("=")) => {
            c.next();
        }
        // The 4.4 verifier log prints negation as `r1 neg 0`.
        Some(Tok::Ident("neg")) => {
            c.next();
            eat_u32_cast(c);
            c.imm32()?;
            return plain(Insn::Neg { width, dst });
        }
        _ => return Err(c.expected("`=` or an operator such as `+=`")),
    }
    // `dst = ...`
    match c.peek() {
        Some(Tok::Punct("*")) => {
            let (size, signed) = pointer_type(c)?;
            if c.eat_ident("skb") {
                return packet(c, dst, size);
            }
            let (src, off) = address(c)?;
            plain(Insn::Load {
                size,
                signed,
                dst,
                src,
                off,
            })
        }
        Some(Tok::Punct("-")) if matches!(c.peek_at(1), Some(Tok::Reg(..))) => {
            c.next();
            same_reg(c, dst)?;
            plain(Insn::Neg { width, dst })
        }
        Some(Tok::Punct("(")) if !matches!(c.peek_at(1), Some(Tok::Ident("u32"))) => {
            c.next();
            let col = c.col();
            let (size, signed) = c_type(c)?;
            c.punct(")", "`)`")?;
            let op = match (size, signed) {
                (Size::B, true) => AluOp::MovSx8,
                (Size::H, true) => AluOp::MovSx16,
                (Size::W, true) if width == Width::W64 => AluOp::MovSx32,
                _ => {
                    return Err(c.error_at(
                        col,
                        AsmErrorKind::Expected {
                            expected: "a sign-extending cast (s8, s16, or s32 for r registers)",
                            found: format!("`{}`", syntax::c_type(size, signed)),
                        },
                    ));
                }
            };
            let src = reg_of(c, width, false)?;
            plain(Insn::Alu {
                width,
                op,
                dst,
                src: Source::Reg(src),
            })
        }
        Some(Tok::Ident(name)) => {
            if let Some((order, bits)) = endian(name) {
                c.next();
                same_reg(c, dst)?;
                return plain(Insn::Endian { order, bits, dst });
            }
            if let Some(insn) = atomic_call(c, name, dst, width)? {
                return plain(insn);
            }
            let (kind, imm) = parse_imm64_value(c)?;
            c.eat_ident("ll");
            plain(Insn::LoadImm64 { dst, kind, imm })
        }
        _ => {
            let src_cast = eat_u32_cast(c);
            if c.at_reg() {
                let src = reg_of(c, width, cast || src_cast)?;
                return plain(Insn::Alu {
                    width,
                    op: AluOp::Mov,
                    dst,
                    src: Source::Reg(src),
                });
            }
            let is_wide = matches!(c.peek_at(1), Some(Tok::Ident("ll")))
                || matches!(c.peek_at(2), Some(Tok::Ident("ll")));
            if is_wide {
                let imm = c.imm64()?;
                c.eat_ident("ll");
                return plain(Insn::LoadImm64 {
                    dst,
                    kind: Imm64Kind::Imm,
                    imm,
                });
            }
            plain(Insn::Alu {
                width,
                op: AluOp::Mov,
                dst,
                src: Source::Imm(c.imm32()?),
            })
        }
    }
}

/// `skb[12]` or `skb[r1 + 14]` after `r0 = *(u8 *)`.
fn packet(c: &mut Cursor<'_>, dst: Reg, size: Size) -> Result<Parsed> {
    if dst != Reg::R0 {
        return Err(c.expected("r0 as the destination of a packet load"));
    }
    if size == Size::DW {
        return Err(c.expected("a packet load of u8, u16 or u32"));
    }
    c.punct("[", "`[`")?;
    let index = if c.at_reg() {
        let r = reg_of(c, Width::W64, false)?;
        if !c.eat_punct("+") && !matches!(c.peek(), Some(Tok::Punct("-"))) {
            return Err(c.expected("`+`"));
        }
        Some(r)
    } else {
        None
    };
    let imm = c.imm32()?;
    c.punct("]", "`]`")?;
    Ok(Parsed::plain(Insn::LoadPacket { size, index, imm }))
}

fn endian(name: &str) -> Option<(ByteOrder, u8)> {
    ByteOrder::ALL
        .iter()
        .flat_map(|&o| [16u8, 32, 64].map(|b| (o, b)))
        .find(|&(o, b)| syntax::endian_mnemonic(o, b) == name)
}

/// `atomic64_fetch_add((u64 *)(r1 +0), r2)`, `atomic_cmpxchg((u32 *)(r1 +0), w0, w2)`, and
/// LLVM's `atomic_fetch_add((u64 *)(r1 + 0), r2)`, `xchg_64(r1 + 0, r2)`, `cmpxchg32_32(...)`.
fn atomic_call(c: &mut Cursor<'_>, name: &str, dst: Reg, width: Width) -> Result<Option<Insn>> {
    let llvm_short = match name {
        "xchg_64" => Some((AtomicOp::Xchg, Size::DW)),
        "xchg32_32" => Some((AtomicOp::Xchg, Size::W)),
        "cmpxchg_64" => Some((AtomicOp::CmpXchg, Size::DW)),
        "cmpxchg32_32" => Some((AtomicOp::CmpXchg, Size::W)),
        _ => None,
    };
    let fetching = |op: &AtomicOp| {
        !matches!(
            op,
            AtomicOp::Add | AtomicOp::Or | AtomicOp::And | AtomicOp::Xor
        )
    };
    // `atomic64_*` is 64-bit; `atomic_*` (kernel 32-bit, or LLVM any width) takes the
    // width from its pointer type.
    let named = AtomicOp::ALL
        .iter()
        .copied()
        .filter(fetching)
        .find_map(|op| {
            if name == syntax::atomic_function(op, Size::DW) {
                Some((op, Some(Size::DW)))
            } else if name == syntax::atomic_function(op, Size::W) {
                Some((op, None))
            } else {
                None
            }
        });
    if llvm_short.is_none() && named.is_none() {
        return Ok(None);
    }
    c.next();
    c.punct("(", "`(`")?;
    let (op, size, base, off) = match (llvm_short, named) {
        (Some((op, size)), _) => {
            let base = reg_of(c, Width::W64, false)?;
            (op, size, base, offset(c)?)
        }
        (None, Some((op, fixed))) => {
            c.punct("(", "`(`")?;
            let col = c.col();
            let (size, _) = c_type(c)?;
            let size = atomic_size(c, fixed.unwrap_or(size), col)?;
            c.punct("*", "`*`")?;
            c.punct(")", "`)`")?;
            let (base, off) = address(c)?;
            (op, size, base, off)
        }
        (None, None) => return Ok(None),
    };
    let expected_width = if size == Size::DW {
        Width::W64
    } else {
        Width::W32
    };
    if width != expected_width {
        return Err(c.expected("a destination register of the access width"));
    }
    c.punct(",", "`,`")?;
    if op == AtomicOp::CmpXchg {
        same_reg(c, Reg::R0)?;
        c.punct(",", "`,`")?;
    }
    let src = reg_of(c, width, false)?;
    c.punct(")", "`)`")?;
    if op != AtomicOp::CmpXchg && src != dst {
        return Err(c.expected(
            "the same register on both sides (the old value is written to the source register)",
        ));
    }
    if op == AtomicOp::CmpXchg && dst != Reg::R0 {
        return Err(c.expected("r0 as the destination of cmpxchg"));
    }
    Ok(Some(Insn::Atomic {
        size,
        op,
        dst: base,
        src,
        off,
    }))
}
