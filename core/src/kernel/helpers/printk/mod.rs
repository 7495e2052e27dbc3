//! `bpf_trace_printk` of Linux 4.4: the format checker of `kernel/trace/bpf_trace.c`, then
//! `__trace_printk` → `vscnprintf` into the 1024-byte trace buffer.
//!
//! The checker is reproduced byte for byte, quirk included: after `%p`/`%s` its `continue` plus
//! the loop's `i++` skip the next byte, which is only checked to be whitespace, punctuation (kernel
//! `ctype`, Latin-1 included) or NUL. A `%` there is never validated, yet `vsnprintf` still sees a
//! conversion: `"%s%d"` prints the string, then r4 as an `int`. So the formatter models 4.4's
//! `vsnprintf` on the real format (flags, width, precision, `*`, `h hh l ll z t`, `%c %s %p %% %o
//! %x %X %d %i %u`, `s16` widths, stop at an invalid conversion) over the three values the helper
//! passes, already narrowed by the checker's `mod[]`.
//!
//! Where the kernel reads what it should not, this model is deterministic: conversions past the
//! third read 0 (4.4 reads stale registers); a `%s` other than the checked one reads its pointer
//! through `read_str` (`(null)` below 4096); the checked `%s` buffer read as a number is
//! `STR_BUF_ADDR`; `%p` extensions (`%pK`, `%pS`, ...) print as plain `%p`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

const MAX_LEN: usize = 1023; // TRACE_BUF_SIZE minus the NUL vscnprintf keeps
const PAGE_SIZE: u64 = 4096; // string() prints pointers below it as "(null)"
/// Stand-in for the kernel stack address of the helper's 64-byte `%s` buffer.
const STR_BUF_ADDR: u64 = 0xffff_8800_3fc0_3e40;
// printf_spec flags: LEFT..ZEROPAD follow the order of "-+ #0"; SMALL is ORed into digits.
const LEFT: u8 = 1;
const PLUS: u8 = 2;
const SPACE: u8 = 4;
const SPECIAL: u8 = 8;
const ZEROPAD: u8 = 16;
const SMALL: u8 = 32;
const SIGN: u8 = 64;

/// Why 4.4 refuses a format (`-EINVAL` for all). Offsets are byte indexes into `fmt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrintkError {
    /// `fmt_size` is 0 (the 4.4 verifier already refuses this).
    Empty,
    /// The last byte is not NUL.
    NotTerminated,
    /// Neither printable ASCII nor whitespace (an embedded NUL included).
    BadChar { at: usize, byte: u8 },
    /// A fourth conversion; `at` is its `%`.
    TooManyConversions { at: usize },
    /// A conversion 4.4 refuses; `at` is its `%`, `spec` the (escaped) text up to the bad byte.
    BadConversion { at: usize, spec: String },
    /// `%p`/`%s` (`conv`) followed by `byte` at `at`: not whitespace, punctuation nor NUL.
    BadCharAfterPointer { at: usize, conv: u8, byte: u8 },
    /// A second `%s`; `at` is its `%`.
    TwoStrings { at: usize },
}

impl fmt::Display for PrintkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("trace_printk format: ")?;
        match self {
            Self::Empty => f.write_str("empty (fmt_size is 0)"),
            Self::NotTerminated => {
                f.write_str("the last byte must be NUL (count the terminator in fmt_size)")
            }
            Self::BadChar { at, byte: 0 } => write!(
                f,
                "NUL at byte {at} before the end (only the last byte may be)"
            ),
            Self::BadChar { at, byte } => {
                write!(
                    f,
                    "byte 0x{byte:02x} at byte {at} is neither printable ASCII nor whitespace"
                )
            }
            Self::TooManyConversions { at } => {
                write!(f, "a 4th conversion starts at byte {at} (3 at most)")
            }
            Self::BadConversion { at, spec } => {
                write!(
                    f,
                    "`{spec}` at byte {at} is not allowed (4.4 allows %d %u %x %ld %lu %lx %lld %llu %llx %p %s)"
                )
            }
            Self::BadCharAfterPointer { at, conv, byte } => write!(
                f,
                "`%{}` must be followed by whitespace, punctuation or the end, not `{}` at byte {at}",
                char::from(*conv),
                core::ascii::escape_default(*byte)
            ),
            Self::TwoStrings { at } => {
                write!(f, "second `%s` at byte {at} (only one %s is allowed)")
            }
        }
    }
}

impl core::error::Error for PrintkError {}

/// Kernel `isspace`/`ispunct`/`isalnum` (`lib/ctype.c`, whose upper half is Latin-1).
fn is_space(c: u8) -> bool {
    matches!(c, b'\t'..=b'\r' | b' ' | 0xa0)
}
fn is_punct(c: u8) -> bool {
    c.is_ascii_punctuation() || matches!(c, 0xa1..=0xbf | 0xd7 | 0xf7)
}
fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric() || (c >= 0xc0 && c != 0xd7 && c != 0xf7)
}

/// 4.4's checker loop: returns `mod[]` and which argument the `%s` took.
fn check(fmt: &[u8]) -> Result<([u8; 3], Option<usize>), PrintkError> {
    let (&last, body) = fmt.split_last().ok_or(PrintkError::Empty)?;
    if last != 0 {
        return Err(PrintkError::NotTerminated);
    }
    let at = |i: usize| fmt.get(i).copied().unwrap_or(0);
    let (mut mods, mut cnt, mut str_arg, mut i) = ([0u8; 3], 0, None, 0);
    while i < body.len() {
        // (isprint || isspace) && isascii
        if !matches!(at(i), b'\t'..=b'\r' | b' '..=b'~') {
            return Err(PrintkError::BadChar { at: i, byte: at(i) });
        }
        if at(i) == b'%' {
            if cnt >= 3 {
                return Err(PrintkError::TooManyConversions { at: i });
            }
            let start = i;
            i += 1; // fmt[last] == 0, so this stays in bounds
            let conv = at(i);
            if conv == b'p' || conv == b's' {
                mods[cnt.min(2)] += 1;
                i += 1;
                let next = at(i);
                if !is_space(next) && !is_punct(next) && next != 0 {
                    return Err(PrintkError::BadCharAfterPointer {
                        at: i,
                        conv,
                        byte: next,
                    });
                }
                cnt += 1;
                if conv == b's' && str_arg.replace(cnt - 1).is_some() {
                    return Err(PrintkError::TwoStrings { at: start });
                }
                // `continue`, then the `i++` below: `next` is never read as a conversion start.
            } else {
                while at(i) == b'l' && i - start <= 2 {
                    mods[cnt.min(2)] += 1;
                    i += 1;
                }
                if !matches!(at(i), b'd' | b'u' | b'x') {
                    let spec = fmt
                        .get(start..=i)
                        .unwrap_or_default()
                        .escape_ascii()
                        .to_string();
                    return Err(PrintkError::BadConversion { at: start, spec });
                }
                cnt += 1;
            }
        }
        i += 1;
    }
    Ok((mods, str_arg))
}

/// Checks `fmt` (the `fmt_size` bytes, NUL included) as 4.4 does and formats it with r3..r5.
/// `read_str` reads up to 63 bytes at an address, fault-safely (`None`: unreadable → "").
/// The message has at most 1023 bytes; bytes that are not UTF-8 become `?`, one per byte.
pub fn format(
    fmt: &[u8],
    args: [u64; 3],
    read_str: &mut dyn FnMut(u64) -> Option<Vec<u8>>,
) -> Result<String, PrintkError> {
    let (mods, str_arg) = check(fmt)?;
    // mod 0 passes (u32) rN, 1 (long) rN, 2 rN; the checked %s argument becomes the buffer.
    let slots = core::array::from_fn(|k| match (Some(k) == str_arg, mods[k]) {
        (true, _) => Slot::Buf,
        (false, 0) => Slot::Num(args[k] & 0xffff_ffff),
        _ => Slot::Num(args[k]),
    });
    let buf = str_arg.map_or_else(Vec::new, |k| c_str(read_str(args[k.min(2)])));
    let mut p = Printer {
        out: Vec::new(),
        slots,
        next: 0,
        buf,
        read_str,
    };
    p.run(fmt.split(|&b| b == 0).next().unwrap_or_default());
    let mut message = String::with_capacity(p.out.len());
    for chunk in p.out.utf8_chunks() {
        message.push_str(chunk.valid());
        message.extend(core::iter::repeat_n('?', chunk.invalid().len()));
    }
    Ok(message)
}

/// Up to the first NUL, at most 63 bytes (`strncpy_from_unsafe(buf, .., 64)`).
fn c_str(bytes: Option<Vec<u8>>) -> Vec<u8> {
    let mut v = bytes.unwrap_or_default();
    v.truncate(v.iter().position(|&b| b == 0).unwrap_or(v.len()).min(63));
    v
}

/// A value passed to `__trace_printk`; `Buf` is the helper's `%s` buffer (its address).
#[derive(Clone, Copy)]
enum Slot {
    Num(u64),
    Buf,
}

/// 4.4's `struct printf_spec`: `s16` width and precision.
#[derive(Clone, Copy)]
struct Spec {
    flags: u8,
    width: i16,
    prec: i16,
    base: u8,
}

/// C's `while (--w >= 0)` on an `s16`: how often the body runs; leaves `w` as C does.
fn countdown(w: &mut i16) -> usize {
    *w = w.wrapping_sub(1);
    if *w < 0 {
        0
    } else {
        core::mem::replace(w, -1) as usize + 1
    }
}
/// `while (--w > 0)`.
fn countdown_gt0(w: &mut i16) -> usize {
    *w = w.wrapping_sub(1);
    if *w > 0 {
        core::mem::replace(w, 0) as usize
    } else {
        0
    }
}
/// `while (len < w--)`, `len` <= 63.
fn countdown_post(w: &mut i16, len: usize) -> usize {
    let len = len.min(63) as i16;
    let n = usize::try_from(i32::from(*w) - i32::from(len)).unwrap_or(0);
    *w = if n > 0 { len - 1 } else { w.wrapping_sub(1) };
    n
}
/// `skip_atoi`: `int` arithmetic, wrapping as with the kernel's `-fno-strict-overflow`.
fn atoi(f: &[u8], i: &mut usize) -> i32 {
    let mut n = 0i32;
    while let Some(d) = f.get(*i).filter(|c| c.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(i32::from(d - b'0'));
        *i += 1;
    }
    n
}

struct Printer<'a> {
    out: Vec<u8>,
    slots: [Slot; 3],
    next: usize,
    buf: Vec<u8>,
    read_str: &'a mut dyn FnMut(u64) -> Option<Vec<u8>>,
}

impl Printer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let room = MAX_LEN.saturating_sub(self.out.len());
        self.out
            .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
    }
    fn pad(&mut self, b: u8, n: usize) {
        self.out.extend(core::iter::repeat_n(
            b,
            n.min(MAX_LEN.saturating_sub(self.out.len())),
        ));
    }
    fn arg(&mut self) -> Slot {
        self.next += 1;
        self.slots
            .get(self.next - 1)
            .copied()
            .unwrap_or(Slot::Num(0))
    }
    fn num(&mut self) -> u64 {
        if let Slot::Num(v) = self.arg() {
            v
        } else {
            STR_BUF_ADDR
        }
    }

    /// `vsnprintf` over `f` (which holds no NUL).
    fn run(&mut self, f: &[u8]) {
        let at = |i: usize| f.get(i).copied().unwrap_or(0);
        let mut i = 0;
        while i < f.len() {
            if at(i) != b'%' {
                self.put(&[at(i)]);
                i += 1;
                continue;
            }
            let mut sp = Spec {
                flags: 0,
                width: -1,
                prec: -1,
                base: 10,
            };
            i += 1;
            while let Some(k) = b"-+ #0".iter().position(|&c| c == at(i)) {
                sp.flags |= 1 << k;
                i += 1;
            }
            if at(i) == b'*' {
                i += 1;
                sp.width = self.num() as i16; // va_arg(int) into an s16
                if sp.width < 0 {
                    sp.width = sp.width.wrapping_neg();
                    sp.flags |= LEFT;
                }
            } else if at(i).is_ascii_digit() {
                sp.width = atoi(f, &mut i) as i16;
            }
            if at(i) == b'.' {
                i += 1;
                if at(i) == b'*' {
                    i += 1;
                    sp.prec = (self.num() as i16).max(0);
                } else if at(i).is_ascii_digit() {
                    sp.prec = (atoi(f, &mut i) as i16).max(0);
                }
            }
            let mut q = at(i);
            if b"hlLzZt".contains(&q) {
                i += 1;
                if at(i) == q && (q == b'h' || q == b'l') {
                    q = q.to_ascii_uppercase(); // hh, ll
                    i += 1;
                }
            }
            let conv = at(i);
            i += 1;
            match conv {
                b'c' => {
                    let (c, mut w) = (self.num() as u8, sp.width);
                    if sp.flags & LEFT == 0 {
                        self.pad(b' ', countdown_gt0(&mut w));
                    }
                    self.put(&[c]);
                    self.pad(b' ', countdown_gt0(&mut w));
                }
                b's' => {
                    let s = match self.arg() {
                        Slot::Buf => self.buf.clone(),
                        Slot::Num(p) if p < PAGE_SIZE => b"(null)".to_vec(),
                        Slot::Num(p) => c_str((self.read_str)(p)),
                    };
                    self.string(&s, sp);
                }
                b'p' => {
                    let (p, default) = (self.num(), sp.width == -1);
                    sp.width = if default { 16 } else { sp.width };
                    if p == 0 {
                        self.string(b"(null)", sp);
                    } else {
                        let flags = sp.flags | SMALL | if default { ZEROPAD } else { 0 };
                        self.number(
                            p,
                            Spec {
                                flags,
                                base: 16,
                                ..sp
                            },
                        );
                    }
                    while is_alnum(at(i)) {
                        i += 1;
                    }
                }
                b'%' => self.put(b"%"),
                b'o' | b'x' | b'X' | b'd' | b'i' | b'u' => {
                    let signed = conv == b'd' || conv == b'i';
                    sp.base = match conv {
                        b'o' => 8,
                        b'x' | b'X' => 16,
                        _ => 10,
                    };
                    sp.flags |=
                        if conv == b'x' { SMALL } else { 0 } | if signed { SIGN } else { 0 };
                    let bits = match q {
                        b'H' => 8,
                        b'h' => 16,
                        b'L' | b'l' | b'z' | b'Z' | b't' => 64,
                        _ => 32,
                    };
                    let shift = 64 - bits;
                    let raw = self.num() << shift;
                    self.number(
                        if signed {
                            ((raw as i64) >> shift) as u64
                        } else {
                            raw >> shift
                        },
                        sp,
                    );
                }
                _ => return, // FORMAT_TYPE_INVALID: 4.4 stops formatting (`goto out`)
            }
        }
    }

    fn string(&mut self, s: &[u8], sp: Spec) {
        let s = s
            .get(..usize::try_from(sp.prec).unwrap_or(usize::MAX))
            .unwrap_or(s);
        let mut w = sp.width;
        if sp.flags & LEFT == 0 {
            self.pad(b' ', countdown_post(&mut w, s.len()));
        }
        self.put(s);
        self.pad(b' ', countdown_post(&mut w, s.len()));
    }

    fn number(&mut self, mut num: u64, sp: Spec) {
        let (fl, mut w) = (
            if sp.flags & LEFT != 0 {
                sp.flags & !ZEROPAD
            } else {
                sp.flags
            },
            sp.width,
        );
        let prefix: &[u8] = match (fl & SPECIAL != 0, sp.base) {
            (true, 16) if fl & SMALL != 0 => b"0x",
            (true, 16) => b"0X",
            (true, 8) if num != 0 => b"0",
            _ => b"",
        };
        let sign: &[u8] = match (fl & SIGN != 0, (num as i64) < 0) {
            (false, _) => b"",
            (true, true) => {
                num = (num as i64).wrapping_neg() as u64;
                b"-"
            }
            _ if fl & PLUS != 0 => b"+",
            _ if fl & SPACE != 0 => b" ",
            _ => b"",
        };
        let digits = match sp.base {
            8 => format!("{num:o}"),
            16 => format!("{num:X}"),
            _ => format!("{num}"),
        };
        let mut digits = digits.into_bytes();
        if fl & SMALL != 0 {
            digits.make_ascii_lowercase();
        }
        let n = digits.len() as i16; // at most 22
        let prec = sp.prec.max(n);
        w = w
            .wrapping_sub((sign.len() + prefix.len()) as i16)
            .wrapping_sub(prec);
        if fl & (ZEROPAD | LEFT) == 0 {
            self.pad(b' ', countdown(&mut w));
        }
        self.put(sign);
        self.put(prefix);
        if fl & LEFT == 0 {
            self.pad(
                if fl & ZEROPAD != 0 { b'0' } else { b' ' },
                countdown(&mut w),
            );
        }
        self.pad(b'0', usize::from(prec.abs_diff(n)));
        self.put(&digits);
        self.pad(b' ', countdown(&mut w));
    }
}

#[cfg(test)]
mod tests;
