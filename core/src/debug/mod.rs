//! Time travel for the debugger. A run goes forward at the interpreter's full speed
//! ([`Vm::run_until`]) while a [`Timeline`] keeps a checkpoint of the whole machine (the
//! VM and, for a program in the kernel, the kernel and the invocation) every
//! [`Timeline::interval`] instructions, and a log of the helper results that come from
//! the environment ([`reads_environment`]: the clock, random numbers). Stepping back
//! restores the nearest earlier checkpoint and replays forward to the instruction
//! before: maps and the other helpers replay deterministically, and the logged results
//! are given back rather than read again. Nothing limits how far back a step goes.

use crate::kernel::helpers::runtime::KernelHelpers;
use crate::kernel::{Invocation, Kernel};
use crate::linux::helpers::reads_environment;
use crate::prelude::*;
use crate::vm::{
    GuestMemory, HelperError, HelperReturn, Helpers, NoHelpers, RunStop, SharedCopies, State, Step,
    Vm,
};

#[cfg(test)]
mod tests;

/// Instructions between checkpoints unless the caller chooses: a step back replays at
/// most this many, about a millisecond at the interpreter's speed in wasm, and a run
/// of the 10M-instruction fuel keeps 39 checkpoints.
pub const DEFAULT_INTERVAL: u64 = 1 << 18;

/// A machine a [`Timeline`] can save, restore and drive.
pub trait Machine {
    /// The whole state, sharing nothing with the live machine.
    type Saved;
    fn save(&self) -> Self::Saved;
    fn restore(&mut self, saved: &Self::Saved);
    fn vm(&self) -> &Vm;
    /// [`Vm::run_until`] with the machine's helpers, environment results through `log`.
    fn forward(&mut self, log: &mut EnvLog, breakpoints: &[usize], until: u64) -> Option<RunStop>;
    /// [`Vm::step`] with the machine's helpers, environment results through `log`.
    fn step_forward(&mut self, log: &mut EnvLog) -> Option<Step>;
}

/// A program outside the kernel: no helpers.
impl Machine for Vm {
    type Saved = Vm;

    fn save(&self) -> Vm {
        let mut copy = self.clone();
        copy.memory_mut().copy_shared(&mut SharedCopies::default());
        copy
    }

    fn restore(&mut self, saved: &Vm) {
        *self = saved.save();
    }

    fn vm(&self) -> &Vm {
        self
    }

    fn forward(&mut self, log: &mut EnvLog, breakpoints: &[usize], until: u64) -> Option<RunStop> {
        let mut helpers = Logged {
            inner: NoHelpers,
            log,
        };
        self.run_until(&mut helpers, breakpoints, until)
    }

    fn step_forward(&mut self, log: &mut EnvLog) -> Option<Step> {
        let mut helpers = Logged {
            inner: NoHelpers,
            log,
        };
        self.step(&mut helpers)
    }
}

/// A program invoked in the kernel: the kernel is part of the machine (maps, trace
/// output, perf rings, the clock), and so is the invocation (the packet, tail calls).
#[derive(Debug)]
pub struct KernelRun<'a> {
    pub kernel: &'a mut Kernel,
    pub inv: &'a mut Invocation,
}

impl Machine for KernelRun<'_> {
    type Saved = (Kernel, Invocation);

    fn save(&self) -> (Kernel, Invocation) {
        self.kernel.fork(self.inv)
    }

    fn restore(&mut self, saved: &(Kernel, Invocation)) {
        let (kernel, inv) = saved.0.fork(&saved.1);
        *self.kernel = kernel;
        *self.inv = inv;
    }

    fn vm(&self) -> &Vm {
        &self.inv.vm
    }

    fn forward(&mut self, log: &mut EnvLog, breakpoints: &[usize], until: u64) -> Option<RunStop> {
        let mut helpers = Logged {
            inner: KernelHelpers {
                kernel: self.kernel,
                inv: &mut self.inv.state,
            },
            log,
        };
        self.inv.vm.run_until(&mut helpers, breakpoints, until)
    }

    fn step_forward(&mut self, log: &mut EnvLog) -> Option<Step> {
        let mut helpers = Logged {
            inner: KernelHelpers {
                kernel: self.kernel,
                inv: &mut self.inv.state,
            },
            log,
        };
        self.inv.vm.step(&mut helpers)
    }
}

/// Helper calls a run makes that [`Timeline::take_calls`] keeps for the caller, so that
/// a page can show them without holding a run's millions.
pub const CALLS_KEPT: usize = 1000;

/// A helper call as the program made it (kept while running forward, not replaying).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelperCall {
    pub id: i32,
    /// r1..r5.
    pub args: [u64; 5],
    /// What it put in r0; `None` for a call that returned none (void, a tail call, an
    /// end, a fault).
    pub r0: Option<u64>,
}

/// The results of the environment's helpers in call order, and how many of them the
/// machine has been given so far: a call within the log gets its logged result, a call
/// past it is logged. Also the calls of the current forward run, up to [`CALLS_KEPT`].
#[derive(Clone, Debug, Default)]
pub struct EnvLog {
    values: Vec<u64>,
    next: usize,
    /// `Some` while running forward (a replay keeps nothing).
    calls: Option<Vec<HelperCall>>,
    /// Calls made past the first [`CALLS_KEPT`].
    calls_dropped: u64,
}

impl EnvLog {
    fn take(&mut self, read: u64) -> u64 {
        let value = match self.values.get(self.next) {
            Some(&logged) => logged,
            None => {
                self.values.push(read);
                read
            }
        };
        self.next += 1;
        value
    }
}

/// Helpers whose environment results go through an [`EnvLog`]. The helper itself
/// still runs, so that the emulated kernel's own clock and generator advance as they
/// did and the kernel after a step back is the kernel as it was; the program sees the
/// logged value.
struct Logged<'a, H> {
    inner: H,
    log: &'a mut EnvLog,
}

impl<H: Helpers> Helpers for Logged<'_, H> {
    fn call(
        &mut self,
        id: i32,
        args: [u64; 5],
        memory: &mut GuestMemory<'_>,
    ) -> Result<HelperReturn, HelperError> {
        let result = self.inner.call(id, args, memory).map(|r| match r {
            HelperReturn::Value(read) if reads_environment(id) => {
                HelperReturn::Value(self.log.take(read))
            }
            other => other,
        });
        if let Some(calls) = &mut self.log.calls {
            if calls.len() < CALLS_KEPT {
                let r0 = match &result {
                    Ok(HelperReturn::Value(v)) => Some(*v),
                    _ => None,
                };
                calls.push(HelperCall { id, args, r0 });
            } else {
                self.log.calls_dropped += 1;
            }
        }
        result
    }
}

#[derive(Debug)]
struct Checkpoint<S> {
    executed: u64,
    /// How many environment results the machine had been given.
    env_calls: usize,
    saved: S,
}

/// The checkpoints and environment log of one run; see the module docs.
#[derive(Debug)]
pub struct Timeline<S> {
    interval: u64,
    /// Ascending by `executed`; the first is the run's start.
    checkpoints: Vec<Checkpoint<S>>,
    log: EnvLog,
}

impl<S> Timeline<S> {
    /// The timeline of a run starting where `machine` is, with a checkpoint every
    /// `interval` instructions (at least 1).
    pub fn new<M: Machine<Saved = S>>(machine: &M, interval: u64) -> Self {
        Timeline {
            interval: interval.max(1),
            checkpoints: vec![Checkpoint {
                executed: machine.vm().executed(),
                env_calls: 0,
                saved: machine.save(),
            }],
            log: EnvLog::default(),
        }
    }

    pub fn interval(&self) -> u64 {
        self.interval
    }

    /// Checkpoints kept.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Runs forward as [`Vm::run_until`] does (`None`: paused once `until` instructions
    /// have been executed), checkpointing on the way. `leave_breakpoint`: a breakpoint at
    /// the current pc does not stop the run (the start of a continue, as [`Vm::run`]);
    /// false when resuming a run that paused, which stops there.
    pub fn run<M: Machine<Saved = S>>(
        &mut self,
        machine: &mut M,
        breakpoints: &[usize],
        until: u64,
        leave_breakpoint: bool,
    ) -> Option<RunStop> {
        let at_breakpoint = |vm: &Vm| {
            (*vm.state() == State::Running && breakpoints.contains(&vm.pc()))
                .then_some(RunStop::Breakpoint { pc: vm.pc() })
        };
        if !leave_breakpoint && let Some(stop) = at_breakpoint(machine.vm()) {
            return Some(stop);
        }
        self.log.calls.get_or_insert_with(Vec::new);
        loop {
            let executed = machine.vm().executed();
            let boundary = (executed / self.interval)
                .saturating_add(1)
                .saturating_mul(self.interval);
            let stop = machine.forward(&mut self.log, breakpoints, boundary.min(until));
            if stop.is_some() {
                return stop;
            }
            let executed = machine.vm().executed();
            if executed == boundary {
                self.checkpoint(machine);
            }
            if executed >= until {
                return None;
            }
            // Paused at a checkpoint: the run goes on, except at a breakpoint.
            if let Some(stop) = at_breakpoint(machine.vm()) {
                return Some(stop);
            }
        }
    }

    /// The helper calls [`Timeline::run`] has made since the last time, up to
    /// [`CALLS_KEPT`], and how many more it made.
    pub fn take_calls(&mut self) -> (Vec<HelperCall>, u64) {
        let calls = self.log.calls.take().unwrap_or_default();
        (calls, core::mem::take(&mut self.log.calls_dropped))
    }

    /// Executes one instruction, as [`Vm::step`].
    pub fn step<M: Machine<Saved = S>>(&mut self, machine: &mut M) -> Option<Step> {
        let step = machine.step_forward(&mut self.log)?;
        if machine.vm().executed() % self.interval == 0 {
            self.checkpoint(machine);
        }
        Some(step)
    }

    /// Goes back one step: to the state before the last instruction executed, or, when
    /// the run ended on fetching an instruction (out of fuel, off the end), to before
    /// that end. Returns the step that led to the state it goes to (to show what that
    /// changed); `None` at the start.
    pub fn step_back<M: Machine<Saved = S>>(&mut self, machine: &mut M) -> Option<Step> {
        let executed = machine.vm().executed();
        if *machine.vm().state() != State::Running {
            let step = self.seek(machine, executed);
            if *machine.vm().state() == State::Running {
                return step;
            }
        }
        if executed <= self.checkpoints[0].executed {
            return None;
        }
        self.seek(machine, executed - 1)
    }

    /// The machine was changed from outside (a console command while the run is
    /// paused): what the timeline holds past this point describes another future, so
    /// it goes, and the changed state becomes a checkpoint.
    pub fn diverge<M: Machine<Saved = S>>(&mut self, machine: &M) {
        let executed = machine.vm().executed();
        self.checkpoints.retain(|c| c.executed < executed);
        self.log.values.truncate(self.log.next);
        self.checkpoint(machine);
    }

    /// Saves a checkpoint of a running machine, unless one at least as late exists (a
    /// run replayed after a step back meets its own checkpoints again).
    fn checkpoint<M: Machine<Saved = S>>(&mut self, machine: &M) {
        let vm = machine.vm();
        let executed = vm.executed();
        if *vm.state() != State::Running
            || self
                .checkpoints
                .last()
                .is_some_and(|c| c.executed >= executed)
        {
            return;
        }
        self.checkpoints.push(Checkpoint {
            executed,
            env_calls: self.log.next,
            saved: machine.save(),
        });
    }

    /// Puts the machine where the run was after `target` instructions: restores the
    /// last checkpoint before it and replays. Returns the step into `target` (none when
    /// that is the start).
    fn seek<M: Machine<Saved = S>>(&mut self, machine: &mut M, target: u64) -> Option<Step> {
        let before = self
            .checkpoints
            .partition_point(|c| c.executed < target)
            .saturating_sub(1);
        let checkpoint = &self.checkpoints[before];
        machine.restore(&checkpoint.saved);
        self.log.next = checkpoint.env_calls;
        self.log.calls = None;
        if target <= checkpoint.executed {
            return None;
        }
        // The run went through `target - 1` instructions, so this pauses there.
        machine.forward(&mut self.log, &[], target - 1);
        machine.step_forward(&mut self.log)
    }
}
