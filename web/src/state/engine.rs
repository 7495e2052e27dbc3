//! The live engine: the kernel with its console session, the program being debugged
//! and its step history. It is built from a [`Workspace`] and owned beside it; the
//! kernel goes back into the workspace whenever no run holds it ([`Engine::settled`]).

use crate::jit::{JitHost, JitReport};
use bpfplay_core::bpftool::Session;
use bpfplay_core::kernel::snapshot::KernelSnapshot;
use bpfplay_core::kernel::{Invocation, RunReport};
use bpfplay_core::vm::{State, Step, Vm};
use bpfplay_core::workspace::{SetupMaps, Workspace, WorkspaceError};

/// The program being debugged.
#[derive(Debug)]
pub enum Run {
    Kernel(Box<Invocation>),
    Plain(Box<Vm>),
}

impl Run {
    pub fn vm(&self) -> &Vm {
        match self {
            Run::Kernel(inv) => &inv.vm,
            Run::Plain(vm) => vm,
        }
    }

    pub(super) fn vm_mut(&mut self) -> &mut Vm {
        match self {
            Run::Kernel(inv) => &mut inv.vm,
            Run::Plain(vm) => vm,
        }
    }
}

/// A line of the output console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleLine {
    Command(String),
    Output(String),
    Error(String),
}

#[derive(Debug, Default)]
pub struct Engine {
    pub session: Session,
    pub run: Option<Run>,
    /// Steps taken, newest last, for step-back.
    pub history: Vec<Step>,
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
            Some(Run::Kernel(inv)) => *inv.vm.state() == State::Running || self.report.is_none(),
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
    }

    /// Back to before the first step.
    pub(super) fn reset(&mut self) {
        self.run = None;
        self.history.clear();
        self.report = None;
        self.jit_report = None;
    }

    pub(super) fn step_back(&mut self) {
        if let Some(step) = self.history.pop() {
            if let Some(run) = self.run.as_mut() {
                run.vm_mut().undo(&step);
            }
            self.report = None;
        }
    }
}
