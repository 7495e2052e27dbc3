//! Text to instructions, in either [`Syntax`], with labels.
//!
//! Each line is one instruction, a label (`name:`), or both. Comments start with `#`
//! (at the start of a line or after a space), `;` or `//`. Lines pasted from
//! `llvm-objdump -d` (address and byte columns), bpftool and the kernel verifier log
//! (`3: (b7) r0 = 0`) are accepted as they are. Without an explicit syntax, each line is
//! read in the syntax it looks like, so the two can be mixed.

mod cursor;
mod error;
mod lexer;
mod llvm;
#[cfg(test)]
mod tests;
mod ubpf;

pub use error::{AsmError, AsmErrorKind};

use crate::isa::table::LDDW;
use crate::isa::{AluOp, CallKind, Imm64Kind, Insn, Program, Source, Width};
use crate::prelude::*;
use crate::syntax::Syntax;
use cursor::Cursor;
use lexer::{Tok, tokenize};

/// An assembled program and where each slot came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assembled {
    pub program: Program,
    /// 1-based source line of each slot (both slots of an `lddw` map to its line).
    pub lines: Vec<usize>,
}

/// A jump destination as written.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Offset(i32),
    Label { name: String, col: usize },
}

/// One parsed instruction whose jump offset may still name a label.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Parsed {
    insn: Insn,
    label: Option<(String, usize)>,
}

impl Parsed {
    fn plain(insn: Insn) -> Self {
        Parsed { insn, label: None }
    }

    /// `insn` with its jump offset taken from `target`.
    fn jump(insn: Insn, target: Target) -> Self {
        match target {
            Target::Offset(off) => Parsed {
                insn: insn.with_jump_offset(off),
                label: None,
            },
            Target::Label { name, col } => Parsed {
                insn,
                label: Some((name, col)),
            },
        }
    }
}

/// Whether `insn` stores its jump offset in the 16-bit `off` field.
fn has_short_offset(insn: &Insn) -> bool {
    matches!(insn, Insn::Ja { .. } | Insn::Branch { .. })
}

type Result<T> = core::result::Result<T, AsmError>;

/// The operand of `lddw`: a number, or a pseudo value such as `map_fd(3)`.
fn parse_imm64_value(c: &mut Cursor<'_>) -> Result<(Imm64Kind, u64)> {
    let kind = match c.peek() {
        Some(Tok::Ident(name)) => Imm64Kind::ALL
            .iter()
            .copied()
            .find(|k| *k != Imm64Kind::Imm && k.ubpf() == name),
        _ => None,
    };
    // bpftool and later kernels print map loads as `map[id:3]`; here ids are fds.
    if matches!(c.peek(), Some(Tok::Ident("map"))) && matches!(c.peek_at(1), Some(Tok::Punct("[")))
    {
        c.next();
        c.next();
        c.ident("`id` or `fd`")?;
        c.punct(":", "`:`")?;
        let fd = c.imm32()?;
        c.punct("]", "`]`")?;
        return Ok((Imm64Kind::MapFd, u64::from(fd as u32)));
    }
    let Some(kind) = kind else {
        if matches!(c.peek(), Some(Tok::Ident(_))) {
            return Err(c.expected("a 64-bit immediate or map_fd(N), map_value(N, OFF), ..."));
        }
        return Ok((Imm64Kind::Imm, c.imm64()?));
    };
    c.next();
    c.punct("(", "`(`")?;
    let lo = c.imm32()?;
    let hi = if c.eat_punct(",") { c.imm32()? } else { 0 };
    c.punct(")", "`)`")?;
    Ok((kind, u64::from(lo as u32) | (u64::from(hi as u32) << 32)))
}

/// The operands of `call`, shared by both syntaxes: a helper id or name
/// (`1`, `bpf_map_lookup_elem`, `map_lookup_elem#1`), `local TARGET` / `pc+N` / a label
/// (local call), `runtime N` / `kfunc N` (kernel function), or a register (callx).
fn parse_call(c: &mut Cursor<'_>) -> Result<Parsed> {
    let local = |c: &mut Cursor<'_>| {
        Ok(Parsed::jump(
            Insn::Call {
                kind: CallKind::Local,
                imm: 0,
            },
            c.target(true)?,
        ))
    };
    let helper = |imm| {
        Ok(Parsed::plain(Insn::Call {
            kind: CallKind::Helper,
            imm,
        }))
    };
    match c.peek() {
        Some(Tok::Ident("local")) => {
            c.next();
            local(c)
        }
        Some(Tok::Ident("pc")) => local(c),
        Some(Tok::Ident("runtime" | "kfunc")) => {
            c.next();
            Ok(Parsed::plain(Insn::Call {
                kind: CallKind::Kfunc,
                imm: c.imm32()?,
            }))
        }
        Some(Tok::Ident("helper")) if matches!(c.peek_at(1), Some(Tok::Reg(..) | Tok::Num(_))) => {
            c.next();
            parse_call(c)
        }
        Some(Tok::Reg(..)) => Ok(Parsed::plain(Insn::CallReg {
            reg: c.reg_any()?.0,
        })),
        Some(Tok::Ident(name)) => {
            let col = c.col();
            let (bare, id) = match name.split_once('#') {
                Some((bare, id)) => (bare, id.parse::<i32>().ok()),
                None => (name, None),
            };
            if let Some(id) = id.or_else(|| crate::linux::helpers::by_name(bare).map(|h| h.id)) {
                c.next();
                return helper(id);
            }
            if bare.starts_with("bpf_") || id.is_none() && name.contains('#') {
                return Err(c.error_at(col, AsmErrorKind::UnknownHelper(name.into())));
            }
            local(c)
        }
        _ if c.at_number() => helper(c.imm32()?),
        _ => Err(c.expected("a helper id or name, a label, `local`, `pc+N` or a register")),
    }
}

/// The value of a `; key value` comment line of a program's text, trimmed: the header
/// with which the shipped examples and scripts declare their program type, profile,
/// maps and expected result (`header(text, "type:")`). The first matching line wins.
pub fn header<'a>(source: &'a str, key: &str) -> Option<&'a str> {
    source.lines().find_map(|l| {
        l.trim_start()
            .strip_prefix(';')?
            .trim()
            .strip_prefix(key)
            .map(str::trim)
    })
}

/// Assembles `source`. With `syntax = None` each line's syntax is detected.
pub fn assemble(source: &str, syntax: Option<Syntax>) -> Result<Assembled> {
    let mut labels: Vec<(String, usize)> = Vec::new(); // name, slot
    let mut parsed: Vec<(Parsed, usize, usize)> = Vec::new(); // insn, slot, line
    let mut slot = 0usize;
    for (index, raw_line) in source.lines().enumerate() {
        let line_no = index + 1;
        let (text, col_base, announced) = match strip_line(raw_line) {
            Line::Empty => continue,
            Line::Symbol(name, col) => {
                define_label(&mut labels, name, col, slot, line_no)?;
                continue;
            }
            Line::Code(text, col, opcode) => (text, col, opcode),
        };
        let mut tokens = tokenize(text, line_no, col_base)?;
        let label = match tokens.as_slice() {
            [first, colon, ..] if colon.tok == Tok::Punct(":") => match first.tok {
                Tok::Ident(name) => Some((name, first.col)),
                _ => None,
            },
            _ => None,
        };
        if let Some((name, col)) = label {
            define_label(&mut labels, name, col, slot, line_no)?;
            tokens.drain(..2);
        }
        if tokens.is_empty() || matches!(tokens[0].tok, Tok::Ident(d) if d.starts_with('.')) {
            continue;
        }
        let end_col = col_base + text.len();
        let mut cursor = Cursor::new(tokens, line_no, end_col);
        let line_syntax = syntax.unwrap_or_else(|| detect(&cursor));
        let p = match line_syntax {
            Syntax::Ubpf => ubpf::parse(&mut cursor)?,
            Syntax::Llvm => llvm::parse(&mut cursor)?,
        };
        cursor.end()?;
        let p = match (announced, p.insn) {
            // The kernel logs `(18) r1 = 0x3a6c1e00` for lddw: only the opcode tells.
            (
                Some(LDDW),
                Insn::Alu {
                    width: Width::W64,
                    op: AluOp::Mov,
                    dst,
                    src: Source::Imm(imm),
                },
            ) => Parsed::plain(Insn::LoadImm64 {
                dst,
                kind: Imm64Kind::Imm,
                imm: u64::from(imm as u32),
            }),
            _ => p,
        };
        let width = p.insn.slots();
        parsed.push((p, slot, line_no));
        slot += width;
    }

    let first_exit = parsed
        .iter()
        .find(|(p, _, _)| p.insn == Insn::Exit)
        .map(|(_, at, _)| *at);
    let mut insns = Vec::with_capacity(parsed.len());
    let mut lines = Vec::with_capacity(slot);
    for (p, at, line_no) in parsed {
        let insn = match p.label {
            None => p.insn,
            Some((name, col)) => {
                let dest = resolve(&labels, &name, &first_exit).ok_or_else(|| {
                    AsmError::new(line_no, col, AsmErrorKind::UnknownLabel(name.clone()))
                })?;
                let distance = dest as i64 - (at as i64 + 1);
                let fits = if has_short_offset(&p.insn) {
                    i16::try_from(distance).is_ok()
                } else {
                    i32::try_from(distance).is_ok()
                };
                if !fits {
                    return Err(AsmError::new(
                        line_no,
                        col,
                        AsmErrorKind::JumpTooFar {
                            label: name,
                            distance,
                        },
                    ));
                }
                p.insn.with_jump_offset(distance as i32)
            }
        };
        lines.extend(core::iter::repeat_n(line_no, insn.slots()));
        insns.push(insn);
    }
    Ok(Assembled {
        program: Program::from_insns(insns),
        lines,
    })
}

fn define_label(
    labels: &mut Vec<(String, usize)>,
    name: &str,
    col: usize,
    slot: usize,
    line_no: usize,
) -> Result<()> {
    if labels.iter().any(|(n, _)| n == name) {
        return Err(AsmError::new(
            line_no,
            col,
            AsmErrorKind::DuplicateLabel(name.into()),
        ));
    }
    labels.push((name.into(), slot));
    Ok(())
}

/// Slot of a label. `exit` without a label of that name is the first `exit` (uBPF rule).
fn resolve(labels: &[(String, usize)], name: &str, first_exit: &Option<usize>) -> Option<usize> {
    let defined = labels
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, slot)| *slot);
    defined.or(if name == "exit" { *first_exit } else { None })
}

/// Picks the syntax a line is written in.
fn detect(cursor: &Cursor<'_>) -> Syntax {
    let toks = cursor.tokens();
    let assigns = toks.iter().any(|t| matches!(t.tok, Tok::Punct(p) if p.ends_with('=') && p != "==" && p != "!=" && p != ">=" && p != "<="));
    let first = toks.first().map(|t| t.tok);
    let second = toks.get(1).map(|t| t.tok);
    match (first, second) {
        (Some(Tok::Ident("if" | "goto" | "gotol" | "callx")), _) => Syntax::Llvm,
        (Some(Tok::Ident("lock")), Some(Tok::Punct("*"))) => Syntax::Llvm,
        (Some(Tok::Ident("call")), Some(Tok::Ident("pc" | "kfunc"))) => Syntax::Llvm,
        (Some(Tok::Punct(_)), _) | (Some(Tok::Reg(..)), _) => Syntax::Llvm,
        _ if assigns => Syntax::Llvm,
        _ => Syntax::Ubpf,
    }
}

/// What a source line holds once comments and pasted prefixes are gone.
enum Line<'a> {
    Empty,
    /// An llvm-objdump symbol line, `0000000000000000 <name>:`.
    Symbol(&'a str, usize),
    /// Text to tokenize, with its 1-based starting column and the opcode that a
    /// bpftool / verifier-log prefix (`3: (18) ...`) announced.
    Code(&'a str, usize, Option<u8>),
}

fn column_of(line: &str, part: &str) -> usize {
    part.as_ptr() as usize - line.as_ptr() as usize + 1
}

fn strip_line(line: &str) -> Line<'_> {
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        let after_space = i == 0 || line.as_bytes()[i - 1].is_ascii_whitespace();
        if c == ';' || line[i..].starts_with("//") || (c == '#' && after_space) {
            end = i;
            break;
        }
    }
    let mut text = line[..end].trim();
    if text.starts_with("Disassembly of section") || text.contains("file format") {
        return Line::Empty;
    }
    if let Some((addr, rest)) = text.split_once(" <")
        && !addr.is_empty()
        && addr.bytes().all(|b| b.is_ascii_hexdigit())
        && let Some(name) = rest.strip_suffix(">:")
    {
        return Line::Symbol(name, column_of(line, name));
    }
    let mut opcode = None;
    if let Some((rest, announced)) = strip_address_prefix(text) {
        if rest.starts_with("R_") {
            return Line::Empty; // relocation line
        }
        text = rest;
        opcode = announced;
    }
    // llvm-objdump appends the target label to jumps: `goto +2 <LBB0_3>`.
    if text.ends_with('>')
        && let Some(open) = text.rfind(" <")
    {
        text = text[..open].trim_end();
    }
    if text.is_empty() {
        Line::Empty
    } else {
        Line::Code(text, column_of(line, text), opcode)
    }
}

/// Strips `  12:\tb7 00 .. 00\t` (llvm-objdump) or `12: (b7) ` (bpftool, verifier log),
/// returning the rest and, for the latter, the announced opcode.
fn strip_address_prefix(text: &str) -> Option<(&str, Option<u8>)> {
    let (addr, rest) = text.split_once(':')?;
    if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let r = rest.trim_start();
    let b = r.as_bytes();
    if b.len() >= 4
        && b[0] == b'('
        && b[1].is_ascii_hexdigit()
        && b[2].is_ascii_hexdigit()
        && b[3] == b')'
    {
        return Some((&r[4..], u8::from_str_radix(&r[1..3], 16).ok()));
    }
    if r.starts_with("R_") {
        return Some((r, None));
    }
    let mut s = r;
    let mut groups = 0;
    loop {
        let sb = s.as_bytes();
        if sb.len() >= 3
            && sb[0].is_ascii_hexdigit()
            && sb[1].is_ascii_hexdigit()
            && sb[2].is_ascii_whitespace()
        {
            groups += 1;
            s = s[3..].trim_start();
        } else {
            break;
        }
    }
    (groups >= 8).then_some((s, None))
}
