//! The live engine: the kernel with its console session, the program being debugged
//! and its timeline (checkpoints for step-back). It is built from a [`Workspace`] and
//! owned beside it; the kernel goes back into the workspace whenever no run holds it
//! ([`Engine::settled`]).

use crate::jit::{JitHost, JitReport};
use bpfplay_core::bpftool::{Command, Session};
use bpfplay_core::debug::Timeline;
use bpfplay_core::kernel::helpers::runtime::OwnedKernelHelpers;
use bpfplay_core::kernel::snapshot::KernelSnapshot;
use bpfplay_core::kernel::{Invocation, Kernel, RunReport};
use bpfplay_core::vm::{State, Step, Vm};
use bpfplay_core::workspace::{SetupMaps, Workspace, WorkspaceError};
use std::cell::RefCell;
use std::rc::Rc;

/// The program being debugged, with the timeline that steps it back.
#[derive(Debug)]
pub enum Run {
    Kernel {
        inv: Box<Invocation>,
        timeline: Timeline<(Kernel, Invocation)>,
    },
    Plain {
        vm: Box<Vm>,
        timeline: Timeline<Vm>,
    },
}

impl Run {
    pub fn vm(&self) -> &Vm {
        match self {
            Run::Kernel { inv, .. } => &inv.vm,
            Run::Plain { vm, .. } => vm,
        }
    }
}

/// `$body` with `$timeline` and `$machine` bound to the run's timeline and machine (a
/// kernel invocation or a plain VM: the same code, typed for each); `None` with no run.
macro_rules! on_machine {
    ($engine:expr, |$timeline:ident, $machine:ident| $body:expr) => {{
        let $crate::state::engine::Engine { session, run, .. } = $engine;
        match run.as_mut() {
            Some($crate::state::engine::Run::Kernel {
                inv,
                timeline: $timeline,
            }) => {
                let $machine = &mut bpfplay_core::debug::KernelRun {
                    kernel: &mut session.kernel,
                    inv: &mut **inv,
                };
                Some($body)
            }
            Some($crate::state::engine::Run::Plain {
                vm,
                timeline: $timeline,
            }) => {
                let $machine = &mut **vm;
                Some($body)
            }
            None => None,
        }
    }};
}
pub(super) use on_machine;

/// A run going on in slices (Run, Continue, run to a line), between which the page
/// handles input; it stops at these instructions (the breakpoints when it started).
#[derive(Debug)]
pub struct Running {
    pub stops: Vec<usize>,
    /// With the wasm JIT as the engine, what the JIT runs once this run has ended.
    pub jit: Option<JitTwin>,
}

/// Copies of the machine from before the interpreter's run, which the wasm JIT runs
/// after it to compare: the VM, and for a kernel program the kernel with the
/// invocation's state.
#[derive(Debug)]
pub struct JitTwin {
    pub vm: Vm,
    pub kernel: Option<Rc<RefCell<OwnedKernelHelpers>>>,
}

/// A `prog run … repeat N` of the console going on in slices, one run per packet,
/// between which the page handles input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The command of one run of the batch (`repeat 1`).
    pub run: Command,
    pub done: u64,
    pub total: u64,
}

/// A line of the output console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleLine {
    Command(String),
    Output(String),
    Error(String),
}

impl ConsoleLine {
    /// The line as the console shows it (and Copy copies it): a command after `> `.
    pub fn text(&self) -> String {
        match self {
            ConsoleLine::Command(c) => format!("> {c}"),
            ConsoleLine::Output(text) | ConsoleLine::Error(text) => text.clone(),
        }
    }
}

/// Which engine of the page's life this is: each one built gets a new id, so that the
/// id and the length of its console (which only grows) tell whether the console changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineId(u64);

impl Default for EngineId {
    fn default() -> Self {
        thread_local!(static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
        EngineId(NEXT.with(|next| next.replace(next.get() + 1)))
    }
}

#[derive(Debug, Default)]
pub struct Engine {
    pub id: EngineId,
    pub session: Session,
    pub run: Option<Run>,
    /// What the last step (or step back) changed, for the registers panel.
    pub last_step: Option<Step>,
    /// The run going on in slices, if one is.
    pub running: Option<Running>,
    /// The console's batch of runs going on in slices, if one is. It runs a pinned
    /// program, not the one debugged, so editing and resetting leave it going.
    pub batch: Option<Batch>,
    pub report: Option<RunReport>,
    /// The last run through the wasm JIT.
    pub jit_report: Option<JitReport>,
    /// Runs JIT-compiled modules (the browser's WebAssembly); `None` natively.
    pub jit_host: Option<JitHost>,
    pub console: Vec<ConsoleLine>,
    /// The maps the active setup made.
    pub(super) setup_maps: Option<SetupMaps>,
}

impl Engine {
    /// The engine of a workspace: its kernel restored, the console continuing as the
    /// process it had, nothing running.
    pub fn build(workspace: &Workspace) -> Result<Engine, WorkspaceError> {
        let kernel = workspace.check()?;
        Ok(Engine {
            session: Session::resume(kernel, workspace.console_process),
            setup_maps: workspace.setup_maps.clone(),
            ..Engine::default()
        })
    }

    /// The workspace's kernel part, unless a kernel run is under way (its program and
    /// references are the run's, not the workspace's).
    pub fn settled(&self) -> Option<(KernelSnapshot, Option<u32>, Option<SetupMaps>)> {
        let running = match &self.run {
            Some(Run::Kernel { inv, .. }) => {
                *inv.vm.state() == State::Running || self.report.is_none()
            }
            _ => false,
        };
        (!running).then(|| {
            (
                self.session.kernel.snapshot(),
                self.session.current(),
                self.setup_maps.clone(),
            )
        })
    }

    /// Drops the run (its program changed, or the tab did).
    pub(super) fn stop(&mut self) {
        self.run = None;
        self.running = None;
    }

    /// The Stop button: a run in slices pauses where it is (returned), and a batch ends
    /// with the runs it has done (their output is in the console already).
    pub(super) fn halt(&mut self) -> Option<Running> {
        self.halt_batch();
        self.running.take()
    }

    /// Ends the batch, if one is going, with the runs it has done.
    pub(super) fn halt_batch(&mut self) {
        if let Some(Batch { done, total, .. }) = self.batch.take() {
            self.console.push(ConsoleLine::Output(format!(
                "stopped after {done} of {total} runs"
            )));
        }
    }

    /// Back to before the first step; also when the program, its setup or the tab
    /// changed, as the run, its history and its results are of the program before.
    pub(super) fn reset(&mut self) {
        self.stop();
        self.last_step = None;
        self.report = None;
        self.jit_report = None;
    }

    /// Back one step, from wherever the run is (a run's end included).
    pub(super) fn step_back(&mut self) {
        self.running = None;
        if let Some(step) = on_machine!(self, |timeline, machine| timeline.step_back(machine)) {
            self.last_step = step;
            self.report = None;
        }
    }
}
