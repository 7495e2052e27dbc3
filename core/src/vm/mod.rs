//! The interpreter: registers r0..r10, a stack, guest memory regions, fuel, stepping
//! with change records, and undo.

pub mod alu;
mod exec;
mod fast;
mod fault;
pub(crate) mod flat;
pub mod helpers;
pub mod memory;
mod prepared;
#[cfg(test)]
mod tests;

pub use fault::{Fault, FaultKind};
pub use helpers::{
    ConformanceHelpers, GuestMemory, HelperError, HelperReturn, Helpers, Mirror, NoHelpers,
};
pub use memory::{
    AccessError, AccessProblem, MemChange, Memory, Region, RegionData, RegionKind, SharedBytes,
    SharedCopies,
};
pub use prepared::Prepared;

use crate::isa::{
    AtomicOp, CallKind, Insn, Profile, ProfileError, Program, Reg, Size, Slot, Source, Width,
};
use crate::prelude::*;
use alloc::rc::Rc;
use core::fmt;

/// Limits and semantics of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub profile: Profile,
    /// Maximum number of instructions to execute; `None` for no limit.
    pub fuel: Option<u64>,
    /// Stack bytes per frame (512 in Linux).
    pub stack_size: usize,
    /// Frames available to local calls, including the entry frame.
    pub max_frames: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config::for_profile(Profile::Rfc9669)
    }
}

impl Config {
    /// Default budget: enough for any loop-free program many times over, small enough
    /// that an endless loop stops in well under a second.
    pub const DEFAULT_FUEL: u64 = 10_000_000;

    pub fn for_profile(profile: Profile) -> Self {
        // Linux 4.4 has no local calls, so its stack is exactly one 512-byte frame.
        let max_frames = match profile {
            Profile::Linux44 => 1,
            Profile::Rfc9669 => 8,
        };
        Config {
            profile,
            fuel: Some(Self::DEFAULT_FUEL),
            stack_size: 512,
            max_frames,
        }
    }
}

/// Why a program ended early with r0 = 0, as Linux 4.4's interpreter did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EarlyExit {
    /// Division or modulo by zero (linux-4.4 profile).
    DivisionByZero,
    /// `LD_ABS`/`LD_IND` outside the packet.
    PacketOutOfBounds,
    /// A helper asked to stop (the conformance unwind helper).
    HelperStop { id: i32 },
}

impl fmt::Display for EarlyExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EarlyExit::DivisionByZero => {
                f.write_str("division by zero ends the program with r0 = 0 (Linux 4.4)")
            }
            EarlyExit::PacketOutOfBounds => {
                f.write_str("packet load out of bounds ends the program with r0 = 0")
            }
            EarlyExit::HelperStop { id } => write!(f, "helper {id} stopped the program"),
        }
    }
}

/// Where a run is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Exited { r0: u64, early: Option<EarlyExit> },
    Faulted(Fault),
}

/// Why `run` returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunStop {
    Exited {
        r0: u64,
    },
    Faulted(Fault),
    /// About to execute the instruction at a breakpoint.
    Breakpoint {
        pc: usize,
    },
}

/// A caller frame saved by a local call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub return_pc: usize,
    /// The caller's r6..r9.
    pub saved: [u64; 4],
    pub saved_fp: u64,
}

/// A register write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegChange {
    pub reg: Reg,
    pub old: u64,
    pub new: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameChange {
    Pushed,
    Popped(Frame),
}

/// Everything one `step` changed, enough to show a diff and to undo it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub pc: usize,
    /// The instruction executed; `None` when the step faulted before fetching one.
    pub insn: Option<Insn>,
    pub regs: Vec<RegChange>,
    pub memory: Vec<MemChange>,
    pub frame: Option<FrameChange>,
    /// The program a tail call replaced.
    pub replaced_program: Option<Rc<Prepared>>,
    /// The state after the step.
    pub state: State,
}

/// What executing one instruction asks of the control loop.
enum Control {
    Next,
    Jump(i64),
    Exit { r0: u64, early: Option<EarlyExit> },
    Call { target_off: i64 },
    TailCall(Rc<Prepared>),
}

/// An interpreter instance: one program and its memory. Helpers are passed to each
/// `run` and `step`, so that they can borrow state that outlives the VM.
#[derive(Debug, Clone)]
pub struct Vm {
    program: Rc<Prepared>,
    config: Config,
    regs: [u64; Reg::COUNT],
    pc: usize,
    frames: Vec<Frame>,
    memory: Memory,
    executed: u64,
    state: State,
}

impl Vm {
    /// A VM at instruction 0 with a zeroed stack and r10 at its top.
    ///
    /// # Errors
    /// The program uses an instruction the profile does not include.
    pub fn new(program: impl Into<Rc<Prepared>>, config: Config) -> Result<Self, ProfileError> {
        let program = program.into();
        program.program().check_profile(config.profile)?;
        let mut memory = Memory::default();
        let stack_len = config.stack_size * config.max_frames.max(1);
        let stack = memory.map(RegionKind::Stack, vec![0; stack_len], true);
        let mut regs = [0; Reg::COUNT];
        regs[Reg::R10.index()] = stack + stack_len as u64;
        Ok(Vm {
            program,
            config,
            regs,
            pc: 0,
            frames: Vec::new(),
            memory,
            executed: 0,
            state: State::Running,
        })
    }

    /// Maps `input` as writable memory and points r1 at it with r2 = its length, the
    /// convention of the conformance suite and `bpfplay run --mem`. With no input, r1
    /// stays NULL.
    pub fn with_input(mut self, input: Vec<u8>) -> Self {
        let len = input.len() as u64;
        if len > 0 {
            let base = self.memory.map(RegionKind::Input, input, true);
            self.regs[1] = base;
        }
        self.regs[2] = len;
        self
    }

    /// The program running now (a tail call replaces it).
    pub fn program(&self) -> &Program {
        self.program.program()
    }

    /// The program running now as the VM keeps it, to share with another run.
    pub fn prepared(&self) -> &Rc<Prepared> {
        &self.program
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Changes the instruction budget (`None`: unlimited).
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.config.fuel = fuel;
    }

    pub fn regs(&self) -> &[u64; Reg::COUNT] {
        &self.regs
    }

    /// Sets a register before (or between) steps, e.g. r1 = context pointer.
    pub fn set_reg(&mut self, reg: Reg, value: u64) {
        self.regs[reg.index()] = value;
    }

    pub fn pc(&self) -> usize {
        self.pc
    }

    /// Instructions executed so far.
    pub fn executed(&self) -> u64 {
        self.executed
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    pub fn memory(&self) -> &Memory {
        &self.memory
    }

    pub fn memory_mut(&mut self) -> &mut Memory {
        &mut self.memory
    }

    /// Records how a run on another engine (the JIT) ended, with the program it ended
    /// in (tail calls change it): r0 on exit, and the state.
    pub(crate) fn end_elsewhere(&mut self, program: Rc<Prepared>, state: State) {
        if let State::Exited { r0, .. } = state {
            self.regs[0] = r0;
        }
        self.program = program;
        self.state = state;
    }

    /// Runs until exit, a fault, or an instruction in `breakpoints` (not counting the
    /// one at the current pc, so that continuing from a breakpoint moves on).
    ///
    /// Common instructions run in a tight loop (`run_fast`) over local registers;
    /// whatever that loop does not handle (helper and local calls, exit, tail calls, and
    /// every instruction about to fault or end the program early) goes through the same
    /// `advance` as `step`, so results, faults and fuel are exactly those of stepping.
    /// Breakpoints cost the loop nothing: it runs a copy of the flat program whose ops
    /// at breakpoints are [`flat::Kind::Slow`], so it leaves the loop there.
    pub fn run(&mut self, helpers: &mut impl Helpers, breakpoints: &[usize]) -> RunStop {
        loop {
            if let Some(stop) = self.run_until(helpers, breakpoints, u64::MAX) {
                return stop;
            }
        }
    }

    /// Runs as [`Vm::run`] does, but pauses (returns `None`) once [`Vm::executed`]
    /// reaches `until`: how a caller runs a long program in slices (to keep a page
    /// responsive) or replays exactly up to an instruction count (step back).
    pub fn run_until(
        &mut self,
        helpers: &mut impl Helpers,
        breakpoints: &[usize],
        until: u64,
    ) -> Option<RunStop> {
        if let Some(stop) = self.stop_reason() {
            return Some(stop);
        }
        let marks = breakpoint_marks(breakpoints);
        let start = self.executed;
        // The flat program with its breakpoints made slow, made again when a tail call
        // changes the program.
        let mut stopping: Option<(Rc<Prepared>, Vec<flat::Op>)> = None;
        loop {
            let program = self.program.clone();
            let made_for_program =
                |(made_for, _): &(Rc<Prepared>, _)| Rc::ptr_eq(made_for, &program);
            if !marks.is_empty() && !stopping.as_ref().is_some_and(made_for_program) {
                stopping = Some((program.clone(), flat::with_stops(program.ops(), &marks)));
            }
            let ops = stopping.as_ref().map_or(program.ops(), |(_, ops)| ops);
            self.run_fast(until, ops);
            // The breakpoint the run starts on does not count, so that continuing from a
            // breakpoint moves on.
            if self.executed != start && marks.get(self.pc).copied().unwrap_or(false) {
                return Some(RunStop::Breakpoint { pc: self.pc });
            }
            if self.executed >= until {
                return None;
            }
            self.advance(helpers, None);
            if let Some(stop) = self.stop_reason() {
                return Some(stop);
            }
        }
    }

    fn stop_reason(&self) -> Option<RunStop> {
        match &self.state {
            State::Running => None,
            State::Exited { r0, .. } => Some(RunStop::Exited { r0: *r0 }),
            State::Faulted(f) => Some(RunStop::Faulted(f.clone())),
        }
    }

    /// Executes one instruction and reports what changed; `None` once the run is over.
    pub fn step(&mut self, helpers: &mut impl Helpers) -> Option<Step> {
        if self.state != State::Running {
            return None;
        }
        let pc = self.pc;
        let regs_before = self.regs;
        let frames_before = self.frames.len();
        let popped = self.frames.last().copied();
        let program_before = self.program.clone();
        let mut journal = Vec::new();
        let insn = self.advance(helpers, Some(&mut journal));
        let regs = (0..Reg::COUNT)
            .filter(|&i| regs_before[i] != self.regs[i])
            .filter_map(|i| {
                Some(RegChange {
                    reg: Reg::new(i as u8)?,
                    old: regs_before[i],
                    new: self.regs[i],
                })
            })
            .collect();
        let frame = match self.frames.len().cmp(&frames_before) {
            core::cmp::Ordering::Greater => Some(FrameChange::Pushed),
            core::cmp::Ordering::Less => popped.map(FrameChange::Popped),
            core::cmp::Ordering::Equal => None,
        };
        let replaced_program =
            (!Rc::ptr_eq(&program_before, &self.program)).then_some(program_before);
        Some(Step {
            pc,
            insn,
            regs,
            memory: journal,
            frame,
            replaced_program,
            state: self.state.clone(),
        })
    }

    /// Reverts the most recent `step` (apply undos newest first).
    pub fn undo(&mut self, step: &Step) {
        for change in step.memory.iter().rev() {
            self.memory.revert(change);
        }
        for change in &step.regs {
            self.regs[change.reg.index()] = change.old;
        }
        match step.frame {
            Some(FrameChange::Pushed) => {
                self.frames.pop();
            }
            Some(FrameChange::Popped(frame)) => self.frames.push(frame),
            None => {}
        }
        if step.insn.is_some() {
            self.executed -= 1;
        }
        if let Some(program) = &step.replaced_program {
            self.program = program.clone();
        }
        self.pc = step.pc;
        self.state = State::Running;
    }

    /// Fetches and executes one instruction, updating pc and state.
    fn advance(
        &mut self,
        helpers: &mut impl Helpers,
        journal: Option<&mut Vec<MemChange>>,
    ) -> Option<Insn> {
        let pc = self.pc;
        if let Some(budget) = self.config.fuel
            && self.executed >= budget
        {
            self.state = State::Faulted(Fault {
                pc,
                kind: FaultKind::OutOfFuel { budget },
            });
            return None;
        }
        let insn = match self.program().slots().get(pc) {
            Some(Slot::Insn(insn)) => *insn,
            Some(Slot::Imm64Tail) => {
                self.state = State::Faulted(Fault {
                    pc,
                    kind: FaultKind::JumpIntoImm64 { target: pc },
                });
                return None;
            }
            None => {
                self.state = State::Faulted(Fault {
                    pc,
                    kind: FaultKind::FellOffEnd,
                });
                return None;
            }
        };
        self.executed += 1;
        let result = self.execute(&insn, helpers, journal);
        let outcome = result.and_then(|control| self.transfer(pc, &insn, control));
        if let Err(kind) = outcome {
            self.state = State::Faulted(Fault { pc, kind });
        }
        Some(insn)
    }

    /// Applies the control-flow effect of an executed instruction.
    fn transfer(&mut self, pc: usize, insn: &Insn, control: Control) -> Result<(), FaultKind> {
        match control {
            Control::Next => self.pc = pc + insn.slots(),
            Control::Jump(off) => self.pc = self.jump_target(pc, off)?,
            Control::Call { target_off } => {
                let target = self.jump_target(pc, target_off)?;
                if self.frames.len() + 1 >= self.config.max_frames {
                    return Err(FaultKind::CallDepthExceeded {
                        limit: self.config.max_frames,
                    });
                }
                let saved = [self.regs[6], self.regs[7], self.regs[8], self.regs[9]];
                let saved_fp = self.regs[Reg::R10.index()];
                self.frames.push(Frame {
                    return_pc: pc + 1,
                    saved,
                    saved_fp,
                });
                self.regs[Reg::R10.index()] = saved_fp - self.config.stack_size as u64;
                self.pc = target;
            }
            Control::TailCall(program) => {
                self.program = program;
                self.pc = 0;
            }
            Control::Exit { r0, early } => match (early, self.frames.pop()) {
                (None, Some(frame)) => {
                    self.regs[6..10].copy_from_slice(&frame.saved);
                    self.regs[Reg::R10.index()] = frame.saved_fp;
                    self.pc = frame.return_pc;
                }
                (early, _) => {
                    self.regs[0] = r0;
                    self.state = State::Exited { r0, early };
                }
            },
        }
        Ok(())
    }

    fn jump_target(&self, pc: usize, off: i64) -> Result<usize, FaultKind> {
        let target = pc as i64 + 1 + off;
        match usize::try_from(target) {
            Ok(t) if t < self.program().len() => match self.program().slots()[t] {
                Slot::Insn(_) => Ok(t),
                Slot::Imm64Tail => Err(FaultKind::JumpIntoImm64 { target: t }),
            },
            _ => Err(FaultKind::JumpOutOfRange { target }),
        }
    }

    fn reg(&self, r: Reg) -> u64 {
        self.regs[r.index()]
    }

    fn set(&mut self, r: Reg, value: u64) -> Result<(), FaultKind> {
        if r == Reg::R10 {
            return Err(FaultKind::WriteToR10);
        }
        self.regs[r.index()] = value;
        Ok(())
    }

    fn operand(&self, src: Source, width: Width) -> u64 {
        match (src, width) {
            (Source::Reg(r), _) => self.reg(r),
            (Source::Imm(i), Width::W64) => i as i64 as u64,
            (Source::Imm(i), Width::W32) => u64::from(i as u32),
        }
    }
}

/// `marks[pc]` is whether pc is a breakpoint (empty when there are none).
fn breakpoint_marks(breakpoints: &[usize]) -> Vec<bool> {
    let Some(&max) = breakpoints.iter().max() else {
        return Vec::new();
    };
    let mut marks = vec![false; max.saturating_add(1).min(1 << 20)];
    for &pc in breakpoints {
        if let Some(mark) = marks.get_mut(pc) {
            *mark = true;
        }
    }
    marks
}
