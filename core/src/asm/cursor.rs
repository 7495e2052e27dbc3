//! A cursor over one line's tokens, with the operand readers both syntaxes share.

use super::Target;
use super::error::{AsmError, AsmErrorKind};
use super::lexer::{RegStyle, Tok, Token};
use crate::isa::Reg;
use crate::prelude::*;

pub struct Cursor<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    line: usize,
    end_col: usize,
}

type Result<T> = core::result::Result<T, AsmError>;

impl<'a> Cursor<'a> {
    pub fn new(toks: Vec<Token<'a>>, line: usize, end_col: usize) -> Self {
        Cursor {
            toks,
            pos: 0,
            line,
            end_col,
        }
    }

    pub fn tokens(&self) -> &[Token<'a>] {
        &self.toks
    }

    pub fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.pos).map(|t| t.tok)
    }

    pub fn peek_at(&self, ahead: usize) -> Option<Tok<'a>> {
        self.toks.get(self.pos + ahead).map(|t| t.tok)
    }

    pub fn next(&mut self) -> Option<Token<'a>> {
        let t = self.toks.get(self.pos).copied();
        self.pos += usize::from(t.is_some());
        t
    }

    /// Column of the next token, or the column just past the end of the line.
    pub fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.col)
    }

    pub fn error(&self, kind: AsmErrorKind) -> AsmError {
        AsmError::new(self.line, self.col(), kind)
    }

    pub fn error_at(&self, col: usize, kind: AsmErrorKind) -> AsmError {
        AsmError::new(self.line, col, kind)
    }

    fn found(&self) -> String {
        self.toks
            .get(self.pos)
            .map_or_else(|| String::from("end of line"), |t| format!("`{}`", t.text))
    }

    pub fn expected(&self, expected: &'static str) -> AsmError {
        self.error(AsmErrorKind::Expected {
            expected,
            found: self.found(),
        })
    }

    pub fn eat_punct(&mut self, p: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Punct(q)) if q == p);
        self.pos += usize::from(hit);
        hit
    }

    pub fn punct(&mut self, p: &str, expected: &'static str) -> Result<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.expected(expected))
        }
    }

    pub fn eat_ident(&mut self, name: &str) -> bool {
        let hit = matches!(self.peek(), Some(Tok::Ident(n)) if n == name);
        self.pos += usize::from(hit);
        hit
    }

    pub fn ident(&mut self, expected: &'static str) -> Result<(&'a str, usize)> {
        match self.peek() {
            Some(Tok::Ident(n)) => {
                let col = self.col();
                self.pos += 1;
                Ok((n, col))
            }
            _ => Err(self.expected(expected)),
        }
    }

    /// Any register; the caller checks the style it allows.
    pub fn reg_any(&mut self) -> Result<(Reg, RegStyle)> {
        match self.next() {
            Some(Token {
                tok: Tok::Reg(style, n),
                col,
                text,
            }) => match Reg::new(n) {
                Some(r) => Ok((r, style)),
                None => Err(self.error_at(col, AsmErrorKind::InvalidRegister(text.into()))),
            },
            Some(_) => {
                self.pos -= 1;
                Err(self.expected("a register"))
            }
            None => Err(self.expected("a register")),
        }
    }

    pub fn at_reg(&self) -> bool {
        matches!(self.peek(), Some(Tok::Reg(..)))
    }

    /// End of the line: nothing may follow the instruction.
    pub fn end(&self) -> Result<()> {
        if self.pos < self.toks.len() {
            Err(self.expected("end of line"))
        } else {
            Ok(())
        }
    }

    /// An optionally signed literal: its value and whether it was written in hex.
    fn signed(&mut self, expected: &'static str) -> Result<(i128, bool, usize, String)> {
        let col = self.col();
        let negative = if self.eat_punct("-") {
            true
        } else {
            self.eat_punct("+");
            false
        };
        match self.next() {
            Some(Token {
                tok: Tok::Num(v),
                text,
                ..
            }) => {
                let hex = text.starts_with("0x") || text.starts_with("0X");
                let shown = format!("{}{text}", if negative { "-" } else { "" });
                Ok((
                    if negative { -(v as i128) } else { v as i128 },
                    hex,
                    col,
                    shown,
                ))
            }
            Some(_) => {
                self.pos -= 1;
                Err(self.expected(expected))
            }
            None => Err(self.expected(expected)),
        }
    }

    pub fn at_number(&self) -> bool {
        match self.peek() {
            Some(Tok::Num(_)) => true,
            Some(Tok::Punct("-" | "+")) => matches!(self.peek_at(1), Some(Tok::Num(_))),
            _ => false,
        }
    }

    /// A 32-bit immediate: signed decimal, or hex up to 0xffffffff taken as a bit pattern.
    pub fn imm32(&mut self) -> Result<i32> {
        let (v, hex, col, text) = self.signed("an immediate")?;
        let value = if hex && v >= 0 && v <= u32::MAX as i128 {
            Some(v as u32 as i32)
        } else {
            i32::try_from(v).ok()
        };
        value.ok_or_else(|| {
            self.error_at(
                col,
                AsmErrorKind::OutOfRange {
                    what: "32-bit immediate",
                    value: text,
                },
            )
        })
    }

    /// A 64-bit immediate: any value that fits u64 or i64.
    pub fn imm64(&mut self) -> Result<u64> {
        let (v, _, col, text) = self.signed("a 64-bit immediate")?;
        if v >= i64::MIN as i128 && v <= u64::MAX as i128 {
            Ok(v as u64)
        } else {
            Err(self.error_at(
                col,
                AsmErrorKind::OutOfRange {
                    what: "64-bit immediate",
                    value: text,
                },
            ))
        }
    }

    /// A signed 16-bit memory offset.
    pub fn off16(&mut self) -> Result<i16> {
        let (v, _, col, text) = self.signed("an offset")?;
        i16::try_from(v).map_err(|_| {
            self.error_at(
                col,
                AsmErrorKind::OutOfRange {
                    what: "16-bit offset",
                    value: text,
                },
            )
        })
    }

    /// A jump target: `+N`, `-N`, `pc+N` or a label. `wide` allows 32-bit offsets.
    pub fn target(&mut self, wide: bool) -> Result<Target> {
        if matches!(self.peek(), Some(Tok::Ident("pc")))
            && matches!(self.peek_at(1), Some(Tok::Punct("+" | "-")))
        {
            self.pos += 1;
        }
        match self.peek() {
            Some(Tok::Punct("+" | "-")) => {
                let (v, _, col, text) = self.signed("a jump offset")?;
                let fits = if wide {
                    i32::try_from(v).is_ok()
                } else {
                    i16::try_from(v).is_ok()
                };
                if fits {
                    Ok(Target::Offset(v as i32))
                } else {
                    Err(self.error_at(
                        col,
                        AsmErrorKind::OutOfRange {
                            what: "jump offset",
                            value: text,
                        },
                    ))
                }
            }
            Some(Tok::Ident(name)) => {
                let col = self.col();
                self.pos += 1;
                Ok(Target::Label {
                    name: name.into(),
                    col,
                })
            }
            _ => Err(self.expected("a jump target (`+N`, `-N` or a label)")),
        }
    }
}
