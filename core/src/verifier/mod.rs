//! The Linux 4.4 verifier: the same checks, in the same order, with the same log text
//! and errno as 4.4.1's `kernel/bpf/verifier.c` (facts in `kernel-4.4.md` §6), written
//! anew. It works on raw instruction slots, because 4.4 reports malformed encodings
//! itself (`BPF_ALU uses reserved fields`, `invalid BPF_JMP opcode a0`) rather than
//! refusing to decode them.
//!
//! Beyond the kernel it records the abstract state seen at each instruction (for the
//! playground's debugger) and explains each rejection in plain language ([`explain`]).
//!
//! Files follow the kernel's passes: `state` is the abstract state and its pruning,
//! `prepass` and `cfg` run before the walk (here), which checks each instruction by
//! class in `alu`, `mem` (LDX, STX, ST, XADD), `jmp` (calls and jumps) and `ld`
//! (ld_imm64, LD_ABS/IND). A refusal is a [`Rejection`] holding a [`Reason`]; `print`
//! writes the log's instruction lines.

mod alu;
mod cfg;
mod error;
pub mod explain;
mod jmp;
mod ld;
mod mem;
mod prepass;
mod print;
mod state;
#[cfg(test)]
mod tests;

pub use error::{LeakTarget, MapPart, Reason, Rejection};
pub use state::{MapInfo, RegType, State};

use crate::isa::RawInsn;
use crate::isa::table::{class, mode};
use crate::linux::{Errno, ProgType};
use crate::prelude::*;
use alloc::boxed::Box;
use core::fmt;
use core::ops::Range;
use print::LoggedInsn;
use state::{Explored, MAX_BPF_REG};

/// Visited-instruction budget (a literal in 4.4's do_check).
const MAX_PROCESSED: u32 = 32768;
/// Pending-branch budget.
const MAX_PENDING: usize = 1024;
/// How many states per instruction are kept for the debugger.
const RECORDED_STATES: usize = 4;

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
    };
    let result = v.run().map_err(|rejection| *rejection);
    Report {
        result,
        log: v.log,
        used_maps: v.used_maps,
        processed: v.processed,
        states: v.states,
    }
}

/// A check's outcome. The rejection is boxed so that the `Result` every check returns
/// on the walk's hot path stays two words (a `Reason` with a register type is 40 bytes).
type Check<T = ()> = Result<T, Box<Rejection>>;

/// Where the walk goes after an instruction.
enum Next {
    /// To this instruction, on the same path.
    Insn(usize),
    /// Nowhere: the path ended (exit), so the next pending branch is taken.
    PathDone,
}

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
}

impl Verifier<'_, '_> {
    /// Logs the message of `reason` (4.4 prints it right after the offending
    /// instruction's line) and locates it. Kept out of line: the checks call it from
    /// dozens of places, and only once per verification.
    #[cold]
    #[inline(never)]
    fn reject(&mut self, reason: Reason) -> Box<Rejection> {
        if !reason.is_silent() {
            say!(self, "{reason}\n");
        }
        Box::new(Rejection {
            pc: self.pc,
            reason,
        })
    }

    fn run(&mut self) -> Check {
        self.prepass()?;
        cfg::check(self)?;
        self.do_check()
    }

    fn do_check(&mut self) -> Check {
        let mut idx = 0usize;
        let mut prev = 0usize;
        let mut print_state = false;
        loop {
            self.pc = Some(idx);
            let Some(&insn) = self.insns.get(idx) else {
                let insn_cnt = self.insns.len();
                return Err(self.reject(Reason::InvalidInsnIdx { idx, insn_cnt }));
            };
            self.processed += 1;
            if self.processed > MAX_PROCESSED {
                let processed = self.processed;
                return Err(self.reject(Reason::TooLarge { processed }));
            }
            let next = if self.state_visited(idx) {
                if print_state {
                    say!(self, "\nfrom {prev} to {idx}: safe\n");
                } else {
                    say!(self, "{idx}: safe\n");
                }
                Next::PathDone
            } else {
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
                self.check_insn(idx, insn)?
            };
            match next {
                Next::Insn(i) => idx = i,
                Next::PathDone => match self.pop() {
                    Some((i, p)) => (idx, prev, print_state) = (i, p, true),
                    None => return Ok(()),
                },
            }
        }
    }

    /// The checks of one instruction, by class.
    fn check_insn(&mut self, idx: usize, insn: RawInsn) -> Check<Next> {
        match insn.class() {
            class::ALU | class::ALU64 => self.check_alu(&insn)?,
            class::LDX => self.check_ldx(idx, &insn)?,
            class::STX if insn.mode() == mode::ATOMIC => self.check_xadd(&insn)?,
            class::STX => self.check_stx(idx, &insn)?,
            class::ST => self.check_st(&insn)?,
            class::JMP => return self.check_jmp(idx, &insn),
            class::LD => return self.check_ld(idx, &insn),
            class => return Err(self.reject(Reason::UnknownInsnClass { class })),
        }
        Ok(Next::Insn(idx + 1))
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
        self.explored[idx]
            .as_mut()
            .is_some_and(|explored| explored.covers_or_keeps(&self.cur))
    }

    fn check_reg_index(&mut self, reg: u8) -> Check<usize> {
        if usize::from(reg) >= MAX_BPF_REG {
            return Err(self.reject(Reason::InvalidReg { reg }));
        }
        Ok(usize::from(reg))
    }

    /// check_reg_arg(SRC_OP).
    fn check_reg_read(&mut self, reg: u8) -> Check<usize> {
        let r = self.check_reg_index(reg)?;
        if self.cur.regs[r] == RegType::NotInit {
            return Err(self.reject(Reason::RegNotReadable { reg }));
        }
        Ok(r)
    }

    /// check_reg_arg(DST_OP / DST_OP_NO_MARK).
    fn check_reg_write(&mut self, reg: u8, mark: bool) -> Check<usize> {
        let r = self.check_reg_index(reg)?;
        if r == 10 {
            return Err(self.reject(Reason::FramePointerReadOnly));
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
}
