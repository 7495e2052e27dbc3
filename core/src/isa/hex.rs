//! Hex text as people paste it, read into bytes; and bytes printed as spaced hex.
//!
//! [`parse_hex_bytes`] reads three forms:
//! - plain hex: `b7 00 ..`, `b700..`, words with or without `0x`;
//! - a C array or any comma-separated list: `{ 0x02, 0x0, 0xff }` (a `0x` word of one
//!   digit is one byte, as in C);
//! - a hex dump with an offset column, as `text2pcap` reads it (`od -Ax -tx1`,
//!   `hexdump -C`, Wireshark's "Copy as Hex Dump", and `xxd` with its `offset:` and
//!   two-byte groups): each line starts with the offset of its first byte (more than
//!   two hex digits), the first line's is 0, and the text after the bytes (the ASCII
//!   column) is ignored. How many bytes a line holds is the next line's offset minus
//!   its own, so an ASCII column that looks like hex is never read as bytes.
//!
//! Lines starting with `#` are comments, as for `text2pcap`. An error names the line
//! and column of what could not be read.

use crate::prelude::*;
use core::fmt;

/// Reads hex text in any of the forms of the module documentation.
pub fn parse_hex_bytes(text: &str) -> Result<Vec<u8>, HexError> {
    let lines: Vec<Vec<Word<'_>>> = text
        .lines()
        .enumerate()
        .map(|(i, line)| words(i + 1, line))
        .filter(|words| !words.is_empty())
        .collect();
    // A dump's first line is offset 0 and bytes (od's last line is an offset alone).
    match lines.first() {
        Some(first) if first.len() > 1 && offset_of(&first[0]) == Some(0) => read_dump(&lines),
        _ => read_plain(lines.iter().flatten()),
    }
}

/// A word of the text, where it starts (1-based line and column).
#[derive(Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    line: usize,
    col: usize,
}

impl Word<'_> {
    fn error(&self, kind: HexErrorKind) -> HexError {
        HexError {
            line: self.line,
            col: self.col,
            word: self.text.to_owned(),
            kind,
        }
    }
}

/// The words of a line: separated by whitespace, commas and C's braces and
/// semicolons; none for a `#` comment line. Up to a `{`, a line is a C declaration
/// (`unsigned char pkt[] = {`), not data.
fn words(line_number: usize, line: &str) -> Vec<Word<'_>> {
    if line.trim_start().starts_with('#') {
        return Vec::new();
    }
    let start = line.rfind('{').map_or(0, |i| i + 1);
    let separator = |c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}' | ';');
    let mut out = Vec::new();
    let mut word_start = None;
    for (i, c) in line[start..].char_indices().map(|(i, c)| (i + start, c)) {
        match (separator(c), word_start) {
            (true, Some(s)) => {
                out.push(word(line_number, line, s, i));
                word_start = None;
            }
            (false, None) => word_start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = word_start {
        out.push(word(line_number, line, s, line.len()));
    }
    out
}

fn word<'a>(line_number: usize, line: &'a str, from: usize, to: usize) -> Word<'a> {
    Word {
        text: &line[from..to],
        line: line_number,
        col: line[..from].chars().count() + 1,
    }
}

/// The value of a dump line's offset column: more than two hex digits, or any hex
/// digits followed by `:` (xxd).
fn offset_of(word: &Word<'_>) -> Option<u64> {
    let (digits, colon) = match word.text.strip_suffix(':') {
        Some(digits) => (digits, true),
        None => (word.text, false),
    };
    let is_offset = (colon || digits.len() > 2)
        && digits.len() <= 16
        && digits.bytes().all(|b| b.is_ascii_hexdigit());
    is_offset.then(|| u64::from_str_radix(digits, 16).ok())?
}

/// Plain hex or a list: every word is bytes.
fn read_plain<'a>(words: impl Iterator<Item = &'a Word<'a>>) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    for word in words {
        let (digits, prefixed) = match word
            .text
            .strip_prefix("0x")
            .or_else(|| word.text.strip_prefix("0X"))
        {
            Some(digits) => (digits, true),
            None => (word.text, false),
        };
        // `0x2` in a C array is the byte 2.
        if prefixed && digits.is_empty() {
            return Err(word.error(HexErrorKind::NoDigits));
        } else if prefixed && digits.len() == 1 {
            out.push(digit(word, 2)?);
        } else {
            push_digits(word, word.text.len() - digits.len(), &mut out)?;
        }
    }
    Ok(out)
}

/// A dump: each line's bytes, as many as the next line's offset says (the last line:
/// its hex words before the column where the other lines' ASCII text starts).
fn read_dump(lines: &[Vec<Word<'_>>]) -> Result<Vec<u8>, HexError> {
    let mut out = Vec::new();
    let mut ascii_col = None;
    for (i, line) in lines.iter().enumerate() {
        let offset = offset_of(&line[0]).ok_or_else(|| line[0].error(HexErrorKind::NoOffset))?;
        if offset != out.len() as u64 {
            return Err(line[0].error(HexErrorKind::Offset {
                expected: out.len() as u64,
            }));
        }
        let next = lines.get(i + 1).and_then(|l| offset_of(&l[0]));
        let want = next.map(|n| n.saturating_sub(offset));
        let start = out.len();
        let mut words = line[1..].iter();
        for word in words.by_ref() {
            let had = (out.len() - start) as u64;
            if want.is_some_and(|want| had >= want) {
                ascii_col = ascii_col.or(Some(word.col));
                break;
            }
            if want.is_none() && ascii_col.is_some_and(|col| word.col >= col) {
                break;
            }
            let is_bytes = word.text.len().is_multiple_of(2)
                && word.text.bytes().all(|b| b.is_ascii_hexdigit());
            if !is_bytes {
                if want.is_some() {
                    return Err(word.error(HexErrorKind::ShortLine {
                        bytes: had,
                        expected: want.unwrap_or(0),
                    }));
                }
                break;
            }
            push_digits(word, 0, &mut out)?;
        }
        let had = (out.len() - start) as u64;
        if let Some(want) = want
            && had != want
        {
            let at = line.last().unwrap_or(&line[0]);
            return Err(at.error(HexErrorKind::ShortLine {
                bytes: had,
                expected: want,
            }));
        }
    }
    Ok(out)
}

/// Pairs of hex digits of `word` from byte `skip` on.
fn push_digits(word: &Word<'_>, skip: usize, out: &mut Vec<u8>) -> Result<(), HexError> {
    let digits = &word.text.as_bytes()[skip..];
    for (i, _) in digits.iter().enumerate() {
        digit(word, skip + i)?;
    }
    if !digits.len().is_multiple_of(2) {
        return Err(word.error(HexErrorKind::OddLength));
    }
    for i in (0..digits.len()).step_by(2) {
        out.push(digit(word, skip + i)? << 4 | digit(word, skip + i + 1)?);
    }
    Ok(())
}

/// The value of the hex digit at byte `at` of `word`, or an error pointing at it.
fn digit(word: &Word<'_>, at: usize) -> Result<u8, HexError> {
    let text = word.text;
    let c = text[at..].chars().next().unwrap_or(' ');
    c.to_digit(16).map(|d| d as u8).ok_or_else(|| HexError {
        col: word.col + text[..at].chars().count(),
        ..word.error(HexErrorKind::NotHex(c))
    })
}

/// Why hex text could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexError {
    /// 1-based line and column of the character (or word) that could not be read.
    pub line: usize,
    pub col: usize,
    /// The word it is in.
    pub word: String,
    pub kind: HexErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HexErrorKind {
    OddLength,
    /// `0x` and nothing after it.
    NoDigits,
    NotHex(char),
    /// A dump line without an offset column.
    NoOffset,
    /// A dump line's offset is not the number of bytes before it.
    Offset {
        expected: u64,
    },
    /// A dump line has fewer bytes than the next line's offset says.
    ShortLine {
        bytes: u64,
        expected: u64,
    },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: ", self.line, self.col)?;
        let word = &self.word;
        match self.kind {
            HexErrorKind::OddLength => write!(f, "`{word}` has an odd number of hex digits"),
            HexErrorKind::NoDigits => write!(f, "`{word}` has no hex digits after `0x`"),
            HexErrorKind::NotHex(c) => write!(f, "`{c}` (in `{word}`) is not a hex digit"),
            HexErrorKind::NoOffset => write!(
                f,
                "`{word}` is not an offset, but the first line starts with one (a hex dump)"
            ),
            HexErrorKind::Offset { expected } => write!(
                f,
                "offset `{word}` should be {expected:#x}, the number of bytes before it (one packet per dump)"
            ),
            HexErrorKind::ShortLine { bytes, expected } => write!(
                f,
                "this dump line has {bytes} byte(s) before `{word}`, but the next line's offset says {expected}"
            ),
        }
    }
}

impl core::error::Error for HexError {}

/// Formats bytes as two hex digits each, space-separated (as bpftool prints them and
/// [`parse_hex_bytes`] reads them back).
pub fn spaced_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{b:02x}");
    }
    out
}
