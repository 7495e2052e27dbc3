//! Splits one line of assembly into tokens with their columns.

use super::error::{AsmError, AsmErrorKind};
use crate::prelude::*;

/// How a register was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegStyle {
    /// `%r3` (uBPF)
    Percent,
    /// `r3`
    R,
    /// `w3` (32-bit view, pseudo-C)
    W,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    Ident(&'a str),
    /// An unsigned literal; a leading `-` is a separate punctuation token.
    Num(u64),
    /// Register number as written; may be above 10 (the parser reports it).
    Reg(RegStyle, u8),
    Punct(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    /// 1-based column of the first character.
    pub col: usize,
    pub text: &'a str,
}

/// Punctuation, longest first so that `<<=` wins over `<`.
const PUNCT: &[&str] = &[
    "s>>=", "<<=", ">>=", "s/=", "s%=", "s>=", "s<=", "==", "!=", ">=", "<=", "+=", "-=", "*=",
    "/=", "|=", "&=", "^=", "%=", "s>", "s<", "=", "<", ">", "&", "(", ")", "[", "]", "*", "+",
    "-", ",", ":",
];

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'.'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'#'
}

/// `r7` / `w7` as a register, anything else as an identifier.
fn ident_or_reg(word: &str) -> Tok<'_> {
    let b = word.as_bytes();
    if b.len() >= 2
        && (b[0] == b'r' || b[0] == b'w')
        && b[1..].iter().all(u8::is_ascii_digit)
        && b.len() <= 4
        && let Ok(n) = word[1..].parse::<u8>()
    {
        return Tok::Reg(
            if b[0] == b'r' {
                RegStyle::R
            } else {
                RegStyle::W
            },
            n,
        );
    }
    Tok::Ident(word)
}

/// Tokenizes `line` (already stripped of comments). `line_no` is for errors.
pub fn tokenize(line: &str, line_no: usize, col_base: usize) -> Result<Vec<Token<'_>>, AsmError> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let col = col_base + i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        // `s>>=` and friends start with a letter; try them before identifiers.
        if let Some(p) = PUNCT.iter().find(|p| line[i..].starts_with(**p)) {
            let is_signed_op = p.starts_with('s');
            let word_continues = bytes.get(i + 1).is_some_and(|b| is_ident_char(*b));
            if !is_signed_op || !word_continues {
                out.push(Token {
                    tok: Tok::Punct(p),
                    col,
                    text: &line[i..i + p.len()],
                });
                i += p.len();
                continue;
            }
        }
        if c == b'%' && bytes.get(i + 1).is_some_and(|b| is_ident_start(*b)) {
            i += 1;
            while i < bytes.len() && is_ident_char(bytes[i]) {
                i += 1;
            }
            let text = &line[start..i];
            let tok = match ident_or_reg(&text[1..]) {
                Tok::Reg(RegStyle::R, n) => Tok::Reg(RegStyle::Percent, n),
                _ => {
                    return Err(AsmError::new(
                        line_no,
                        col,
                        AsmErrorKind::InvalidRegister(text.into()),
                    ));
                }
            };
            out.push(Token { tok, col, text });
        } else if is_ident_start(c) {
            while i < bytes.len() && is_ident_char(bytes[i]) {
                i += 1;
            }
            let text = &line[start..i];
            out.push(Token {
                tok: ident_or_reg(text),
                col,
                text,
            });
        } else if c.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let text = &line[start..i];
            let value = parse_number(text)
                .ok_or_else(|| AsmError::new(line_no, col, AsmErrorKind::BadNumber(text.into())))?;
            out.push(Token {
                tok: Tok::Num(value),
                col,
                text,
            });
        } else {
            let ch = line[i..].chars().next().unwrap_or('?');
            return Err(AsmError::new(
                line_no,
                col,
                AsmErrorKind::UnexpectedChar(ch),
            ));
        }
    }
    Ok(out)
}

/// Decimal or `0x` hex, as an unsigned 64-bit value.
fn parse_number(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
