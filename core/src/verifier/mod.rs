//! The Linux 4.4 verifier: the same checks, in the same order, with the same log text
//! and errno as 4.4.1's `kernel/bpf/verifier.c` (facts in `kernel-4.4.md` §6), written
//! anew. It works on raw instruction slots, because 4.4 reports malformed encodings
//! itself (`BPF_ALU uses reserved fields`, `invalid BPF_JMP opcode a0`) rather than
//! refusing to decode them.
//!
//! Beyond the kernel it records the abstract state seen at each instruction (for the
//! playground's debugger) and explains each rejection in plain language ([`explain`]).

mod cfg;
pub mod explain;
mod print;
#[cfg(test)]
mod tests;

use crate::isa::RawInsn;
use crate::linux::ctx::{PT_REGS_SIZE, SKB_CTX_SIZE, SKB_FIELDS};
use crate::linux::helpers::{ArgType, RetType, proto_of};
use crate::linux::{Errno, MapType, ProgType};
use crate::prelude::*;
use core::fmt;
use core::ops::Range;
use print::LoggedInsn;

/// Registers and stack bytes of 4.4's verifier.
const MAX_BPF_REG: usize = 11;
const MAX_BPF_STACK: i32 = 512;
const REG_SIZE: i32 = 8;
/// Visited-instruction budget (a literal in 4.4's do_check).
const MAX_PROCESSED: u32 = 32768;
/// Pending-branch budget.
const MAX_PENDING: usize = 1024;
/// How many states per instruction are kept for the debugger.
const RECORDED_STATES: usize = 4;

/// What the verifier knows about a map a program loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapInfo {
    /// The value an `LD_IMM64` of this map yields at run time, as the kernel patches it
    /// in (the log prints it in place of the fd). Two maps are the same map when their
    /// handles are.
    pub handle: u64,
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
}

/// `enum bpf_reg_type` with its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegType {
    NotInit,
    Unknown,
    Ctx,
    MapPtr(MapInfo),
    MapValue(MapInfo),
    MapValueOrNull(MapInfo),
    /// R10 itself (or a 64-bit copy).
    FramePtr,
    /// R10 plus a constant.
    Stack(i32),
    /// A constant from `mov imm` or a JEQ/JNE refinement.
    Imm(i32),
}

impl RegType {
    /// The name 4.4 prints (`reg_type_str`).
    pub const fn name(self) -> &'static str {
        match self {
            RegType::NotInit => "?",
            RegType::Unknown => "inv",
            RegType::Ctx => "ctx",
            RegType::MapPtr(_) => "map_ptr",
            RegType::MapValue(_) => "map_value",
            RegType::MapValueOrNull(_) => "map_value_or_null",
            RegType::FramePtr | RegType::Stack(_) => "fp",
            RegType::Imm(_) => "imm",
        }
    }

    /// The enum's number in 4.4 (kept in an instruction's imm to compare paths).
    const fn number(self) -> u8 {
        match self {
            RegType::NotInit => 0,
            RegType::Unknown => 1,
            RegType::Ctx => 2,
            RegType::MapPtr(_) => 3,
            RegType::MapValue(_) => 4,
            RegType::MapValueOrNull(_) => 5,
            RegType::FramePtr => 6,
            RegType::Stack(_) => 7,
            RegType::Imm(_) => 8,
        }
    }

    fn is_spillable(self) -> bool {
        matches!(
            self,
            RegType::MapValue(_)
                | RegType::MapValueOrNull(_)
                | RegType::Stack(_)
                | RegType::Ctx
                | RegType::FramePtr
                | RegType::MapPtr(_)
        )
    }

    /// As in the state line: `imm0`, `fp-8`, `map_value(ks=4,vs=8)`. Generic so the log
    /// (a `String`) is written without going through a `Formatter`.
    fn write_to(self, out: &mut impl fmt::Write) -> fmt::Result {
        out.write_str(self.name())?;
        match self {
            RegType::Imm(v) | RegType::Stack(v) => write!(out, "{v}"),
            RegType::MapPtr(m) | RegType::MapValue(m) | RegType::MapValueOrNull(m) => {
                write!(out, "(ks={},vs={})", m.key_size, m.value_size)
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for RegType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// What a stack byte holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SlotType {
    Invalid,
    Spill,
    Misc,
}

/// 64-bit words of a one-bit-per-stack-byte map.
const STACK_WORDS: usize = MAX_BPF_STACK as usize / 64;

/// The abstract machine state at one point of one path. Kept small (no per-byte stack
/// array, spilled registers only where there are some) because the walk copies it at
/// every branch, pruning point and recorded instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub regs: [RegType; MAX_BPF_REG],
    /// Stack bytes fp-512 .. fp-1 holding data (`STACK_MISC`), one bit per byte.
    misc: [u64; STACK_WORDS],
    /// Stack bytes holding part of a spilled register (`STACK_SPILL`), one bit per byte.
    spill: [u64; STACK_WORDS],
    /// Registers spilled to 8-byte slots, as (slot, register) sorted by slot; slots not
    /// listed hold `NotInit` (so equal states have equal lists).
    spilled: Vec<(u8, RegType)>,
}

/// The word and bit mask of `len` (at most 8, not crossing a word) stack bytes at `at`.
const fn stack_bits(at: usize, len: usize) -> (usize, u64) {
    (at / 64, ((1u64 << len) - 1) << (at % 64))
}

impl State {
    fn entry() -> Self {
        let mut regs = [RegType::NotInit; MAX_BPF_REG];
        regs[10] = RegType::FramePtr;
        regs[1] = RegType::Ctx;
        State {
            regs,
            misc: [0; STACK_WORDS],
            spill: [0; STACK_WORDS],
            spilled: Vec::new(),
        }
    }

    /// The stack byte at `at` (0 is fp-512).
    fn byte(&self, at: usize) -> SlotType {
        let (word, bit) = stack_bits(at, 1);
        if self.spill[word] & bit != 0 {
            SlotType::Spill
        } else if self.misc[word] & bit != 0 {
            SlotType::Misc
        } else {
            SlotType::Invalid
        }
    }

    fn slot(&self, off: i32) -> SlotType {
        self.byte((MAX_BPF_STACK + off) as usize)
    }

    /// Marks `len` aligned stack bytes at `at` as `kind` (Spill or Misc).
    fn mark_bytes(&mut self, at: usize, len: usize, kind: SlotType) {
        let (word, bits) = stack_bits(at, len);
        let (set, clear) = match kind {
            SlotType::Spill => (&mut self.spill, &mut self.misc),
            _ => (&mut self.misc, &mut self.spill),
        };
        set[word] |= bits;
        clear[word] &= !bits;
    }

    /// The 8-byte slots, in ascending order, whose first byte is part of a spill.
    fn spill_slots(&self) -> impl Iterator<Item = usize> + '_ {
        const SLOT_STARTS: u64 = 0x0101_0101_0101_0101;
        self.spill.iter().enumerate().flat_map(|(word, bits)| {
            let mut starts = bits & SLOT_STARTS;
            core::iter::from_fn(move || {
                (starts != 0).then(|| {
                    let bit = starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    (word * 64 + bit) / REG_SIZE as usize
                })
            })
        })
    }

    /// The register spilled to 8-byte slot `slot`.
    fn spilled_at(&self, slot: usize) -> RegType {
        match self
            .spilled
            .binary_search_by_key(&slot, |(s, _)| usize::from(*s))
        {
            Ok(i) => self.spilled[i].1,
            Err(_) => RegType::NotInit,
        }
    }

    fn set_spilled(&mut self, slot: usize, reg: RegType) {
        let at = self
            .spilled
            .binary_search_by_key(&slot, |(s, _)| usize::from(*s));
        match (at, reg) {
            (Ok(i), RegType::NotInit) => {
                self.spilled.remove(i);
            }
            (Ok(i), _) => self.spilled[i].1 = reg,
            (Err(_), RegType::NotInit) => {}
            (Err(i), _) => self.spilled.insert(i, (slot as u8, reg)),
        }
    }

    /// 4.4's states_equal: `old` covers `self` when every register and stack byte of
    /// `old` is identical or less specific.
    fn covered_by(&self, old: &State) -> bool {
        let regs_ok = old.regs.iter().zip(&self.regs).all(|(o, c)| {
            o == c || *o == RegType::NotInit || (*o == RegType::Unknown && *c != RegType::NotInit)
        });
        // Every byte `old` has written must be of the same kind in `self`; where a slot's
        // first byte is a spill, the spilled registers must be equal too.
        regs_ok
            && (0..STACK_WORDS).all(|w| {
                let written = old.misc[w] | old.spill[w];
                (old.misc[w] ^ self.misc[w]) & written == 0
                    && (old.spill[w] ^ self.spill[w]) & written == 0
            })
            && old
                .spill_slots()
                .all(|slot| old.spilled_at(slot) == self.spilled_at(slot))
    }

    /// The state line of the log: ` R0=imm0 R10=fp fp-8=ctx`. Generic for the same
    /// reason as [`RegType::write_to`]: the log prints one at every branch and join.
    fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        const LABELS: [&str; MAX_BPF_REG] = [
            " R0=", " R1=", " R2=", " R3=", " R4=", " R5=", " R6=", " R7=", " R8=", " R9=", " R10=",
        ];
        for (label, r) in LABELS.iter().zip(&self.regs) {
            if *r != RegType::NotInit {
                out.write_str(label)?;
                r.write_to(out)?;
            }
        }
        for slot in self.spill_slots() {
            let off = (slot * REG_SIZE as usize) as i32 - MAX_BPF_STACK;
            write!(out, " fp{off}={}", self.spilled_at(slot).name())?;
        }
        Ok(())
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// The states proven safe at one pruning point, each with its [`RegSummary`]: a lookup
/// scans the (dense) summaries and compares whole states only where they allow a match.
#[derive(Clone, Default)]
struct Explored {
    summaries: Vec<RegSummary>,
    states: Vec<State>,
}

/// What `covered_by` needs of a state's registers, in 16 bytes: which registers are
/// initialised, and a Bloom filter of those holding more than `inv` (pointers and
/// constants, which a covering state must hold too).
#[derive(Clone, Copy)]
struct RegSummary {
    initialised: u16,
    specific: u64,
}

impl RegSummary {
    fn of(state: &State) -> Self {
        let mut summary = RegSummary {
            initialised: 0,
            specific: 0,
        };
        for (i, r) in state.regs.iter().enumerate() {
            if *r != RegType::NotInit {
                summary.initialised |= 1 << i;
            }
            if !matches!(r, RegType::NotInit | RegType::Unknown) {
                let payload = match *r {
                    RegType::Imm(v) | RegType::Stack(v) => v as u32,
                    RegType::MapPtr(m) | RegType::MapValue(m) | RegType::MapValueOrNull(m) => {
                        m.handle as u32
                    }
                    _ => 0,
                };
                let key = u64::from(payload) << 8 | u64::from(r.number()) << 4 | i as u64;
                summary.specific |= 1 << (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58);
            }
        }
        summary
    }

    /// False when a state summarised by `self` cannot cover one summarised by `cur`:
    /// covering needs every register it initialises initialised in `cur`, and every
    /// specific register of it equal in `cur` (so its filter bits are set in `cur`'s).
    fn may_cover(self, cur: RegSummary) -> bool {
        self.initialised & !cur.initialised == 0 && self.specific & !cur.specific == 0
    }
}

/// Everything the verifier needs to know about the program being loaded.
pub struct Env<'a> {
    pub prog_type: ProgType,
    /// CAP_SYS_ADMIN: pointer leaks allowed, trace_printk visible to socket filters.
    pub privileged: bool,
    pub gpl_compatible: bool,
    pub log: bool,
    /// BPF_PSEUDO_MAP_FD resolution: the map behind an fd of the loader, or the errno.
    pub resolve_map: &'a mut dyn FnMut(i32) -> Result<MapInfo, Errno>,
}

impl fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("prog_type", &self.prog_type)
            .field("privileged", &self.privileged)
            .finish()
    }
}

/// Why the verifier stopped, located at an instruction when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub errno: Errno,
    /// The instruction being checked, if the error came from the path walk.
    pub pc: Option<usize>,
    /// The log message (without newline); empty where 4.4 prints none.
    pub message: String,
}

/// The verifier's verdict and everything it learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub result: Result<(), Rejection>,
    /// The log text, untruncated (PROG_LOAD applies the buffer size).
    pub log: String,
    /// Maps the program loads, in first-use order.
    pub used_maps: Vec<MapInfo>,
    /// Instructions visited, counting repeats (4.4's `insn_processed`).
    pub processed: u32,
    /// Up to a few abstract states seen before each instruction, for the debugger.
    pub states: Vec<Vec<State>>,
}

/// Runs the 4.4 verifier over raw instruction slots.
pub fn verify(insns: &[RawInsn], env: Env<'_>) -> Report {
    let log = env.log;
    let mut v = Verifier {
        insns,
        env,
        log: String::new(),
        cur: State::entry(),
        pending: Vec::new(),
        explored: vec![None; insns.len()],
        map_at: vec![None; insns.len()],
        ptr_mark: vec![0; insns.len()],
        used_maps: Vec::new(),
        processed: 0,
        states: vec![Vec::new(); insns.len()],
        insn_lines: String::new(),
        insn_line_at: vec![0..0; if log { insns.len() } else { 0 }],
        pc: None,
        rejection: None,
    };
    let result = v.run();
    let result = result.map_err(|errno| {
        let (pc, message) = v.rejection.take().unwrap_or((None, String::new()));
        Rejection { errno, pc, message }
    });
    Report {
        result,
        log: v.log,
        used_maps: v.used_maps,
        processed: v.processed,
        states: v.states,
    }
}

type Check<T = ()> = Result<T, Errno>;

/// Appends formatted text to the verifier's log when it is wanted (formats nothing
/// otherwise). A macro rather than a method so the arguments may borrow other fields.
macro_rules! say {
    ($v:expr, $($arg:tt)*) => {
        if $v.env.log {
            let _ = write!($v.log, $($arg)*);
        }
    };
}

struct Verifier<'a, 'e> {
    insns: &'a [RawInsn],
    env: Env<'e>,
    log: String,
    cur: State,
    /// Branches still to explore: state, instruction, and the jump that led there.
    pending: Vec<(State, usize, usize)>,
    /// Pruning points (`Some`) and the states already proven safe there.
    explored: Vec<Option<Explored>>,
    map_at: Vec<Option<MapInfo>>,
    /// Base pointer type recorded per 4-byte LDX / STX (4.4 keeps it in `imm`).
    ptr_mark: Vec<u8>,
    used_maps: Vec<MapInfo>,
    processed: u32,
    states: Vec<Vec<State>>,
    /// Log lines of the instructions visited so far (`idx: insn`), formatted once: a
    /// path walk logs the same instruction many times.
    insn_lines: String,
    /// Where each instruction's line is in `insn_lines` (empty: not formatted yet).
    insn_line_at: Vec<Range<usize>>,
    pc: Option<usize>,
    rejection: Option<(Option<usize>, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

const fn size_bytes(code: u8) -> i32 {
    match code & 0x18 {
        0x00 => 4,
        0x08 => 2,
        0x10 => 1,
        _ => 8,
    }
}

impl Verifier<'_, '_> {
    /// Logs an error message and returns its errno. Kept out of line: the checks call
    /// it from dozens of places, and only once per verification.
    #[cold]
    #[inline(never)]
    fn reject(&mut self, errno: Errno, message: String) -> Errno {
        say!(self, "{message}\n");
        self.rejection = Some((self.pc, message));
        errno
    }

    fn run(&mut self) -> Check {
        self.prepass()?;
        cfg::check(self)?;
        self.do_check()
    }

    /// replace_map_fd_with_map_ptr: reserved LDX/STX fields, ld_imm64 shape and maps.
    fn prepass(&mut self) -> Check {
        let mut i = 0;
        while i < self.insns.len() {
            let insn = self.insns[i];
            let class = insn.opcode & 7;
            let mode = insn.opcode & 0xe0;
            if class == 1 && (mode != 0x60 || insn.imm != 0) {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_LDX uses reserved fields"))
                );
            }
            if class == 3 && ((mode != 0x60 && mode != 0xc0) || insn.imm != 0) {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_STX uses reserved fields"))
                );
            }
            if insn.opcode == 0x18 {
                let second = self.insns.get(i + 1);
                if second.is_none_or(|s| s.opcode != 0 || s.dst != 0 || s.src != 0 || s.off != 0) {
                    return Err(
                        self.reject(Errno::EINVAL, String::from("invalid bpf_ld_imm64 insn"))
                    );
                }
                if insn.src != 0 {
                    if insn.src != 1 {
                        return Err(self.reject(
                            Errno::EINVAL,
                            String::from("unrecognized bpf_ld_imm64 insn"),
                        ));
                    }
                    let map = match (self.env.resolve_map)(insn.imm) {
                        Ok(m) => m,
                        Err(e) => {
                            return Err(self.reject(
                                e,
                                format!("fd {} is not pointing to valid bpf_map", insn.imm),
                            ));
                        }
                    };
                    if !self.used_maps.iter().any(|m| m.handle == map.handle) {
                        if self.used_maps.len() >= 64 {
                            return Err(Errno::E2BIG);
                        }
                        self.used_maps.push(map);
                    }
                    self.map_at[i] = Some(map);
                }
                i += 1;
            }
            i += 1;
        }
        Ok(())
    }

    fn do_check(&mut self) -> Check {
        let mut idx = 0usize;
        let mut prev = 0usize;
        let mut print_state = false;
        loop {
            self.pc = Some(idx);
            let Some(&insn) = self.insns.get(idx) else {
                let cnt = self.insns.len();
                return Err(self.reject(
                    Errno::EFAULT,
                    format!("invalid insn idx {idx} insn_cnt {cnt}"),
                ));
            };
            self.processed += 1;
            if self.processed > MAX_PROCESSED {
                let n = self.processed;
                return Err(self.reject(
                    Errno::E2BIG,
                    format!("BPF program is too large. Proccessed {n} insn"),
                ));
            }
            if self.state_visited(idx) {
                if print_state {
                    say!(self, "\nfrom {prev} to {idx}: safe\n");
                } else {
                    say!(self, "{idx}: safe\n");
                }
                match self.pop() {
                    Some((i, p)) => {
                        (idx, prev, print_state) = (i, p, true);
                        continue;
                    }
                    None => return Ok(()),
                }
            }
            if print_state {
                if self.env.log {
                    let _ = write!(self.log, "\nfrom {prev} to {idx}:");
                    self.log_state_line();
                }
                print_state = false;
            }
            self.record_state(idx);
            if self.env.log {
                self.log_insn(idx);
            }
            let class = insn.opcode & 7;
            match class {
                4 | 7 => self.check_alu(&insn)?,
                1 => self.check_ldx(idx, &insn)?,
                3 if insn.opcode & 0xe0 == 0xc0 => self.check_xadd(&insn)?,
                3 => self.check_stx(idx, &insn)?,
                2 => self.check_st(&insn)?,
                5 => {
                    let op = insn.opcode & 0xf0;
                    let k = insn.opcode & 8 == 0;
                    match op {
                        0x80 => {
                            if !k || insn.off != 0 || insn.src != 0 || insn.dst != 0 {
                                return Err(self.reject(
                                    Errno::EINVAL,
                                    String::from("BPF_CALL uses reserved fields"),
                                ));
                            }
                            self.check_call(insn.imm)?;
                        }
                        0x00 => {
                            if !k || insn.imm != 0 || insn.src != 0 || insn.dst != 0 {
                                return Err(self.reject(
                                    Errno::EINVAL,
                                    String::from("BPF_JA uses reserved fields"),
                                ));
                            }
                            idx = (idx as i64 + i64::from(insn.off) + 1) as usize;
                            continue;
                        }
                        0x90 => {
                            if !k || insn.imm != 0 || insn.src != 0 || insn.dst != 0 {
                                return Err(self.reject(
                                    Errno::EINVAL,
                                    String::from("BPF_EXIT uses reserved fields"),
                                ));
                            }
                            self.check_reg_read(0)?;
                            if self.is_pointer(0) {
                                return Err(self.reject(
                                    Errno::EACCES,
                                    String::from("R0 leaks addr as return value"),
                                ));
                            }
                            match self.pop() {
                                Some((i, p)) => {
                                    (idx, prev, print_state) = (i, p, true);
                                    continue;
                                }
                                None => return Ok(()),
                            }
                        }
                        _ => {
                            if let Some(next) = self.check_cond_jmp(idx, &insn)? {
                                idx = next;
                                continue;
                            }
                        }
                    }
                }
                0 => {
                    let mode = insn.opcode & 0xe0;
                    match mode {
                        0x20 | 0x40 => self.check_ld_abs(&insn)?,
                        0x00 => {
                            self.check_ld_imm(idx, &insn)?;
                            idx += 1;
                        }
                        _ => {
                            return Err(
                                self.reject(Errno::EINVAL, String::from("invalid BPF_LD mode"))
                            );
                        }
                    }
                }
                _ => return Err(self.reject(Errno::EINVAL, format!("unknown insn class {class}"))),
            }
            idx += 1;
        }
    }

    /// Logs the current state (the rest of a line).
    fn log_state_line(&mut self) {
        let _ = self.cur.write_to(&mut self.log);
        self.log.push('\n');
    }

    /// Keeps the first few distinct states seen before `idx` for the debugger.
    fn record_state(&mut self, idx: usize) {
        let seen = &mut self.states[idx];
        if seen.len() < RECORDED_STATES && !seen.contains(&self.cur) {
            // Most instructions only ever see one state: the first push would reserve four.
            if seen.is_empty() {
                seen.reserve_exact(1);
            }
            seen.push(self.cur.clone());
        }
    }

    /// Logs `idx: insn` (4.4's print_bpf_insn line).
    fn log_insn(&mut self, idx: usize) {
        if self.insn_line_at[idx].is_empty() {
            // A map load shows the map's address in place of the fd, as 4.4 does.
            let insn = self.insns[idx];
            let shown = match self.map_at[idx] {
                Some(m) => RawInsn {
                    imm: m.handle as u32 as i32,
                    ..insn
                },
                None => insn,
            };
            let start = self.insn_lines.len();
            let _ = writeln!(self.insn_lines, "{idx}: {}", LoggedInsn(&shown));
            self.insn_line_at[idx] = start..self.insn_lines.len();
        }
        self.log
            .push_str(&self.insn_lines[self.insn_line_at[idx].clone()]);
    }

    fn pop(&mut self) -> Option<(usize, usize)> {
        let (state, idx, prev) = self.pending.pop()?;
        self.cur = state;
        Some((idx, prev))
    }

    /// Pruning: true when an equivalent state was already proven safe here.
    fn state_visited(&mut self, idx: usize) -> bool {
        let Some(explored) = self.explored[idx].as_mut() else {
            return false;
        };
        let summary = RegSummary::of(&self.cur);
        let mut candidates = explored.summaries.iter().zip(&explored.states);
        if candidates
            .any(|(old_summary, old)| old_summary.may_cover(summary) && self.cur.covered_by(old))
        {
            return true;
        }
        explored.summaries.push(summary);
        explored.states.push(self.cur.clone());
        false
    }

    fn check_reg_index(&mut self, reg: u8) -> Check<usize> {
        if usize::from(reg) >= MAX_BPF_REG {
            return Err(self.reject(Errno::EINVAL, format!("R{reg} is invalid")));
        }
        Ok(usize::from(reg))
    }

    /// check_reg_arg(SRC_OP).
    fn check_reg_read(&mut self, reg: u8) -> Check<usize> {
        let r = self.check_reg_index(reg)?;
        if self.cur.regs[r] == RegType::NotInit {
            return Err(self.reject(Errno::EACCES, format!("R{reg} !read_ok")));
        }
        Ok(r)
    }

    /// check_reg_arg(DST_OP / DST_OP_NO_MARK).
    fn check_reg_write(&mut self, reg: u8, mark: bool) -> Check<usize> {
        let r = self.check_reg_index(reg)?;
        if r == 10 {
            return Err(self.reject(Errno::EACCES, String::from("frame pointer is read only")));
        }
        if mark {
            self.cur.regs[r] = RegType::Unknown;
        }
        Ok(r)
    }

    /// is_pointer_value: only matters when pointer leaks are not allowed.
    fn is_pointer(&self, r: usize) -> bool {
        !self.env.privileged && !matches!(self.cur.regs[r], RegType::Unknown | RegType::Imm(_))
    }

    fn check_alu(&mut self, insn: &RawInsn) -> Check {
        let op = insn.opcode & 0xf0;
        let x = insn.opcode & 8 != 0;
        let alu64 = insn.opcode & 7 == 7;
        if op == 0x80 || op == 0xd0 {
            if op == 0x80 && (x || insn.src != 0 || insn.off != 0 || insn.imm != 0) {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_NEG uses reserved fields"))
                );
            }
            if op == 0xd0 && (insn.src != 0 || insn.off != 0 || !matches!(insn.imm, 16 | 32 | 64)) {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_END uses reserved fields"))
                );
            }
            let d = self.check_reg_read(insn.dst)?;
            if self.is_pointer(d) {
                return Err(
                    self.reject(Errno::EACCES, format!("R{d} pointer arithmetic prohibited"))
                );
            }
            self.check_reg_write(insn.dst, true)?;
        } else if op == 0xb0 {
            if x {
                if insn.imm != 0 || insn.off != 0 {
                    return Err(
                        self.reject(Errno::EINVAL, String::from("BPF_MOV uses reserved fields"))
                    );
                }
                self.check_reg_read(insn.src)?;
            } else if insn.src != 0 || insn.off != 0 {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_MOV uses reserved fields"))
                );
            }
            let d = self.check_reg_write(insn.dst, true)?;
            if x {
                let s = usize::from(insn.src);
                if alu64 {
                    self.cur.regs[d] = self.cur.regs[s];
                } else {
                    if self.is_pointer(s) {
                        return Err(
                            self.reject(Errno::EACCES, format!("R{s} partial copy of pointer"))
                        );
                    }
                    self.cur.regs[d] = RegType::Unknown;
                }
            } else {
                self.cur.regs[d] = RegType::Imm(insn.imm);
            }
        } else if op > 0xd0 {
            return Err(self.reject(Errno::EINVAL, format!("invalid BPF_ALU opcode {op:x}")));
        } else {
            if x {
                if insn.imm != 0 || insn.off != 0 {
                    return Err(
                        self.reject(Errno::EINVAL, String::from("BPF_ALU uses reserved fields"))
                    );
                }
                self.check_reg_read(insn.src)?;
            } else if insn.src != 0 || insn.off != 0 {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_ALU uses reserved fields"))
                );
            }
            let d = self.check_reg_read(insn.dst)?;
            if (op == 0x90 || op == 0x30) && !x && insn.imm == 0 {
                return Err(self.reject(Errno::EINVAL, String::from("div by zero")));
            }
            if matches!(op, 0x60 | 0x70 | 0xc0) && !x {
                let size = if alu64 { 64 } else { 32 };
                if insn.imm < 0 || insn.imm >= size {
                    return Err(self.reject(Errno::EINVAL, format!("invalid shift {}", insn.imm)));
                }
            }
            let stack_relative = op == 0x00 && alu64 && self.cur.regs[d] == RegType::FramePtr && !x;
            if !stack_relative {
                if self.is_pointer(d) {
                    return Err(
                        self.reject(Errno::EACCES, format!("R{d} pointer arithmetic prohibited"))
                    );
                }
                if x && self.is_pointer(usize::from(insn.src)) {
                    return Err(self.reject(
                        Errno::EACCES,
                        format!("R{} pointer arithmetic prohibited", insn.src),
                    ));
                }
            }
            self.check_reg_write(insn.dst, true)?;
            if stack_relative {
                self.cur.regs[d] = RegType::Stack(insn.imm);
            }
        }
        Ok(())
    }

    fn check_ldx(&mut self, idx: usize, insn: &RawInsn) -> Check {
        let s = self.check_reg_read(insn.src)?;
        let d = self.check_reg_write(insn.dst, false)?;
        let base = self.cur.regs[s];
        self.check_mem_access(s, insn.off.into(), insn.opcode, Access::Read, Some(d))?;
        if insn.opcode & 0x18 == 0 {
            self.check_same_pointer(idx, base)?;
        }
        Ok(())
    }

    fn check_stx(&mut self, idx: usize, insn: &RawInsn) -> Check {
        let s = self.check_reg_read(insn.src)?;
        let d = self.check_reg_read(insn.dst)?;
        let base = self.cur.regs[d];
        self.check_mem_access(d, insn.off.into(), insn.opcode, Access::Write, Some(s))?;
        self.check_same_pointer(idx, base)
    }

    /// A 4-byte load (or any STX) must see the same kind of base on every path when
    /// one of them is ctx, because the ctx access gets rewritten.
    fn check_same_pointer(&mut self, idx: usize, base: RegType) -> Check {
        let kind = base.number();
        let mark = self.ptr_mark[idx];
        if mark == 0 {
            self.ptr_mark[idx] = kind;
        } else if kind != mark && (kind == RegType::Ctx.number() || mark == RegType::Ctx.number()) {
            return Err(self.reject(
                Errno::EINVAL,
                String::from("same insn cannot be used with different pointers"),
            ));
        }
        Ok(())
    }

    fn check_st(&mut self, insn: &RawInsn) -> Check {
        if insn.opcode & 0xe0 != 0x60 || insn.src != 0 {
            return Err(self.reject(Errno::EINVAL, String::from("BPF_ST uses reserved fields")));
        }
        let d = self.check_reg_read(insn.dst)?;
        self.check_mem_access(d, insn.off.into(), insn.opcode, Access::Write, None)
    }

    /// 4.4.1's XADD: no pointer-leak check on the added value.
    fn check_xadd(&mut self, insn: &RawInsn) -> Check {
        if !matches!(insn.opcode & 0x18, 0x00 | 0x18) || insn.imm != 0 {
            return Err(self.reject(Errno::EINVAL, String::from("BPF_XADD uses reserved fields")));
        }
        self.check_reg_read(insn.src)?;
        let d = self.check_reg_read(insn.dst)?;
        self.check_mem_access(d, insn.off.into(), insn.opcode, Access::Read, None)?;
        self.check_mem_access(d, insn.off.into(), insn.opcode, Access::Write, None)
    }

    /// check_mem_access: `value` is the register stored (write) or loaded into (read).
    fn check_mem_access(
        &mut self,
        base: usize,
        mut off: i32,
        code: u8,
        t: Access,
        value: Option<usize>,
    ) -> Check {
        let reg = self.cur.regs[base];
        if let RegType::Stack(k) = reg {
            off = off.wrapping_add(k);
        }
        let size = size_bytes(code);
        if off % size != 0 {
            return Err(self.reject(
                Errno::EACCES,
                format!("misaligned access off {off} size {size}"),
            ));
        }
        match reg {
            RegType::MapValue(map) => {
                if let Some(v) = value.filter(|v| t == Access::Write && self.is_pointer(*v)) {
                    return Err(self.reject(Errno::EACCES, format!("R{v} leaks addr into map")));
                }
                if off < 0 || i64::from(off) + i64::from(size) > i64::from(map.value_size) {
                    let vs = map.value_size;
                    return Err(self.reject(
                        Errno::EACCES,
                        format!(
                            "invalid access to map value, value_size={vs} off={off} size={size}"
                        ),
                    ));
                }
                if let (Access::Read, Some(v)) = (t, value) {
                    self.cur.regs[v] = RegType::Unknown;
                }
            }
            RegType::Ctx => {
                if let Some(v) = value.filter(|v| t == Access::Write && self.is_pointer(*v)) {
                    return Err(self.reject(Errno::EACCES, format!("R{v} leaks addr into ctx")));
                }
                if !self.ctx_access_ok(off, size, t) {
                    return Err(self.reject(
                        Errno::EACCES,
                        format!("invalid bpf_context access off={off} size={size}"),
                    ));
                }
                if let (Access::Read, Some(v)) = (t, value) {
                    self.cur.regs[v] = RegType::Unknown;
                }
            }
            RegType::FramePtr | RegType::Stack(_) => {
                if !(-MAX_BPF_STACK..0).contains(&off) {
                    return Err(self.reject(
                        Errno::EACCES,
                        format!("invalid stack off={off} size={size}"),
                    ));
                }
                if t == Access::Write {
                    if !self.env.privileged
                        && self.cur.slot(off) == SlotType::Spill
                        && size != REG_SIZE
                    {
                        return Err(self.reject(
                            Errno::EACCES,
                            String::from("attempt to corrupt spilled pointer on stack"),
                        ));
                    }
                    self.stack_write(off, size, value)?;
                } else {
                    self.stack_read(off, size, value)?;
                }
            }
            other => {
                let name = other.name();
                return Err(self.reject(
                    Errno::EACCES,
                    format!("R{base} invalid mem access '{name}'"),
                ));
            }
        }
        Ok(())
    }

    /// `off` is aligned to `size` (checked by the caller).
    fn stack_write(&mut self, off: i32, size: i32, value: Option<usize>) -> Check {
        let at = (MAX_BPF_STACK + off) as usize;
        let spilled = value.map(|v| self.cur.regs[v]).filter(|r| r.is_spillable());
        match spilled {
            Some(reg) => {
                if size != REG_SIZE {
                    return Err(self.reject(
                        Errno::EACCES,
                        String::from("invalid size of register spill"),
                    ));
                }
                self.cur.set_spilled(at / REG_SIZE as usize, reg);
                self.cur.mark_bytes(at, REG_SIZE as usize, SlotType::Spill);
            }
            None => {
                self.cur
                    .set_spilled(at / REG_SIZE as usize, RegType::NotInit);
                self.cur.mark_bytes(at, size as usize, SlotType::Misc);
            }
        }
        Ok(())
    }

    fn stack_read(&mut self, off: i32, size: i32, value: Option<usize>) -> Check {
        let at = (MAX_BPF_STACK + off) as usize;
        if self.cur.byte(at) == SlotType::Spill {
            if size != REG_SIZE {
                return Err(self.reject(
                    Errno::EACCES,
                    String::from("invalid size of register spill"),
                ));
            }
            if (at + 1..at + REG_SIZE as usize).any(|i| self.cur.byte(i) != SlotType::Spill) {
                return Err(self.reject(Errno::EACCES, String::from("corrupted spill memory")));
            }
            if let Some(v) = value {
                self.cur.regs[v] = self.cur.spilled_at(at / REG_SIZE as usize);
            }
        } else {
            if let Some(i) = (0..size).find(|i| self.cur.byte(at + *i as usize) != SlotType::Misc) {
                return Err(self.reject(
                    Errno::EACCES,
                    format!("invalid read from stack off {off}+{i} size {size}"),
                ));
            }
            if let Some(v) = value {
                self.cur.regs[v] = RegType::Unknown;
            }
        }
        Ok(())
    }

    /// The program type's is_valid_access.
    fn ctx_access_ok(&self, off: i32, size: i32, t: Access) -> bool {
        match self.env.prog_type {
            ProgType::Kprobe => {
                t == Access::Read && off >= 0 && (off as usize) < PT_REGS_SIZE && off % size == 0
            }
            skb_type => {
                if off < 0 || off as usize >= SKB_CTX_SIZE || off % size != 0 || size != 4 {
                    return false;
                }
                let tc = skb_type != ProgType::SocketFilter;
                SKB_FIELDS
                    .iter()
                    .find(|f| f.offset == off as usize)
                    .is_some_and(|f| {
                        let (socket, tc_ok) = if t == Access::Read { f.read } else { f.write };
                        if tc { tc_ok } else { socket }
                    })
            }
        }
    }

    fn check_call(&mut self, func: i32) -> Check {
        if !(0..26).contains(&func) {
            return Err(self.reject(Errno::EINVAL, format!("invalid func {func}")));
        }
        let proto = match proto_of(func) {
            Some(p) if p.available(self.env.prog_type, self.env.privileged) => *p,
            _ => return Err(self.reject(Errno::EINVAL, format!("unknown func {func}"))),
        };
        if proto.gpl_only && !self.env.gpl_compatible {
            return Err(self.reject(
                Errno::EINVAL,
                String::from("cannot call GPL only function from proprietary program"),
            ));
        }
        let mut map: Option<MapInfo> = None;
        for (i, arg) in proto.args.iter().enumerate() {
            self.check_func_arg(i + 1, *arg, &mut map)?;
        }
        for r in 0..6 {
            self.cur.regs[r] = RegType::NotInit;
        }
        self.cur.regs[0] = match proto.ret {
            RetType::Integer => RegType::Unknown,
            RetType::Void => RegType::NotInit,
            RetType::MapValueOrNull => match map {
                Some(m) => RegType::MapValueOrNull(m),
                None => {
                    return Err(self.reject(
                        Errno::EINVAL,
                        String::from("kernel subsystem misconfigured verifier"),
                    ));
                }
            },
        };
        // 4.4 pairs these helpers with their map types, without a log message.
        let wrong_map = match (func, map) {
            (12, Some(m)) => m.map_type != MapType::ProgArray,
            (22 | 25, Some(m)) => m.map_type != MapType::PerfEventArray,
            _ => false,
        };
        if wrong_map {
            self.rejection = Some((self.pc, String::new()));
            return Err(Errno::EINVAL);
        }
        Ok(())
    }

    fn check_func_arg(&mut self, regno: usize, arg: ArgType, map: &mut Option<MapInfo>) -> Check {
        if arg == ArgType::DontCare {
            return Ok(());
        }
        let reg = self.cur.regs[regno];
        if reg == RegType::NotInit {
            return Err(self.reject(Errno::EACCES, format!("R{regno} !read_ok")));
        }
        if arg == ArgType::Anything {
            if self.is_pointer(regno) {
                return Err(self.reject(
                    Errno::EACCES,
                    format!("R{regno} leaks addr into helper function"),
                ));
            }
            return Ok(());
        }
        let (matches, expected) = match arg {
            ArgType::PtrToStack | ArgType::PtrToMapKey | ArgType::PtrToMapValue => {
                (matches!(reg, RegType::Stack(_)), "fp")
            }
            ArgType::ConstStackSize => (matches!(reg, RegType::Imm(_)), "imm"),
            ArgType::ConstMapPtr => (matches!(reg, RegType::MapPtr(_)), "map_ptr"),
            _ => (reg == RegType::Ctx, "ctx"),
        };
        if !matches {
            return Err(self.reject(
                Errno::EACCES,
                format!("R{regno} type={} expected={expected}", reg.name()),
            ));
        }
        match (arg, reg) {
            (ArgType::ConstMapPtr, RegType::MapPtr(m)) => *map = Some(m),
            (ArgType::PtrToMapKey | ArgType::PtrToMapValue, _) => {
                let Some(m) = *map else {
                    let what = if arg == ArgType::PtrToMapKey {
                        "key"
                    } else {
                        "value"
                    };
                    return Err(self.reject(
                        Errno::EACCES,
                        format!("invalid map_ptr to access map->{what}"),
                    ));
                };
                let size = if arg == ArgType::PtrToMapKey {
                    m.key_size
                } else {
                    m.value_size
                };
                self.check_stack_boundary(regno, size as i32)?;
            }
            (ArgType::ConstStackSize, RegType::Imm(size)) => {
                self.check_stack_boundary(regno - 1, size)?
            }
            _ => {}
        }
        Ok(())
    }

    fn check_stack_boundary(&mut self, regno: usize, access_size: i32) -> Check {
        let RegType::Stack(off) = self.cur.regs[regno] else {
            return Err(Errno::EACCES);
        };
        if !(-MAX_BPF_STACK..0).contains(&off)
            || off.saturating_add(access_size) > 0
            || access_size <= 0
        {
            return Err(self.reject(
                Errno::EACCES,
                format!("invalid stack type R{regno} off={off} access_size={access_size}"),
            ));
        }
        if let Some(i) = (0..access_size).find(|i| self.cur.slot(off + i) != SlotType::Misc) {
            return Err(self.reject(
                Errno::EACCES,
                format!("invalid indirect read from stack off {off}+{i} size {access_size}"),
            ));
        }
        Ok(())
    }

    /// check_cond_jmp_op. Returns the next instruction when a constant comparison
    /// decides the jump (only the taken side is followed).
    fn check_cond_jmp(&mut self, idx: usize, insn: &RawInsn) -> Check<Option<usize>> {
        let op = insn.opcode & 0xf0;
        let k = insn.opcode & 8 == 0;
        if op > 0x90 {
            return Err(self.reject(Errno::EINVAL, format!("invalid BPF_JMP opcode {op:x}")));
        }
        if !k {
            if insn.imm != 0 {
                return Err(
                    self.reject(Errno::EINVAL, String::from("BPF_JMP uses reserved fields"))
                );
            }
            let s = self.check_reg_read(insn.src)?;
            if self.is_pointer(s) {
                return Err(
                    self.reject(Errno::EACCES, format!("R{s} pointer comparison prohibited"))
                );
            }
        } else if insn.src != 0 {
            return Err(self.reject(Errno::EINVAL, String::from("BPF_JMP uses reserved fields")));
        }
        let d = self.check_reg_read(insn.dst)?;
        let eq_ne = op == 0x10 || op == 0x50;
        let target = (idx as i64 + i64::from(insn.off) + 1) as usize;
        if k && eq_ne && self.cur.regs[d] == RegType::Imm(insn.imm) {
            return Ok(Some(if op == 0x10 { target } else { idx + 1 }));
        }
        let mut other = self.cur.clone();
        if k && insn.imm == 0 && eq_ne && matches!(self.cur.regs[d], RegType::MapValueOrNull(_)) {
            let RegType::MapValueOrNull(m) = self.cur.regs[d] else {
                return Ok(None);
            };
            let (taken, fallthrough) = if op == 0x10 {
                (RegType::Imm(0), RegType::MapValue(m))
            } else {
                (RegType::MapValue(m), RegType::Imm(0))
            };
            other.regs[d] = taken;
            self.cur.regs[d] = fallthrough;
        } else if self.is_pointer(d) {
            return Err(self.reject(Errno::EACCES, format!("R{d} pointer comparison prohibited")));
        } else if k && op == 0x10 {
            other.regs[d] = RegType::Imm(insn.imm);
        } else if k && op == 0x50 {
            self.cur.regs[d] = RegType::Imm(insn.imm);
        }
        self.pending.push((other, target, idx));
        if self.pending.len() > MAX_PENDING {
            return Err(self.reject(Errno::EFAULT, String::from("BPF program is too complex")));
        }
        if self.env.log {
            self.log_state_line();
        }
        Ok(None)
    }

    fn check_ld_imm(&mut self, idx: usize, insn: &RawInsn) -> Check {
        if insn.opcode & 0x18 != 0x18 {
            return Err(self.reject(Errno::EINVAL, String::from("invalid BPF_LD_IMM insn")));
        }
        if insn.off != 0 {
            return Err(self.reject(
                Errno::EINVAL,
                String::from("BPF_LD_IMM64 uses reserved fields"),
            ));
        }
        let d = self.check_reg_write(insn.dst, true)?;
        if let Some(map) = self.map_at[idx] {
            self.cur.regs[d] = RegType::MapPtr(map);
        }
        Ok(())
    }

    fn check_ld_abs(&mut self, insn: &RawInsn) -> Check {
        if !self.env.prog_type.has_skb() {
            return Err(self.reject(
                Errno::EINVAL,
                String::from("BPF_LD_ABS|IND instructions not allowed for this program type"),
            ));
        }
        let abs = insn.opcode & 0xe0 == 0x20;
        // 4.4.1 does not check the size: DW passes here and the interpreter returns 0.
        if insn.dst != 0 || insn.off != 0 || (abs && insn.src != 0) {
            return Err(self.reject(
                Errno::EINVAL,
                String::from("BPF_LD_ABS uses reserved fields"),
            ));
        }
        self.check_reg_read(6)?;
        if self.cur.regs[6] != RegType::Ctx {
            return Err(self.reject(
                Errno::EINVAL,
                String::from("at the time of BPF_LD_ABS|IND R6 != pointer to skb"),
            ));
        }
        if !abs {
            self.check_reg_read(insn.src)?;
        }
        for r in 0..6 {
            self.cur.regs[r] = RegType::NotInit;
        }
        self.cur.regs[0] = RegType::Unknown;
        Ok(())
    }
}
