//! The "wasm JIT" engine choice: core's JIT compiles the program, a [`JitRunner`] (the
//! browser's WebAssembly driven by core's loop, see `jit_host`) runs it on copies of the
//! invocation and the kernel, and the reducer compares the end, the report and the kernel afterwards with
//! the interpreter's run (which the panels show). Stepping always uses the interpreter.

use bpfplay_core::jit::host::JitRun;
use bpfplay_core::kernel::RunReport;
use bpfplay_core::kernel::snapshot::KernelSnapshot;
use bpfplay_core::vm::{Helpers, State, Vm};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A finished JIT run, with the host's timings.
#[derive(Debug)]
pub struct JitOutcome {
    /// The VM as the interpreter would leave it (see [`bpfplay_core::jit::host::Finished::vm`]).
    pub vm: Vm,
    /// Modules compiled: one per distinct program run (tail calls may add some).
    pub modules: usize,
    /// Bytes of the first module.
    pub module_bytes: usize,
    /// Milliseconds to compile and instantiate the modules.
    pub instantiate_ms: f64,
    /// Milliseconds inside the modules (helper calls included).
    pub run_ms: f64,
}

/// Runs a JIT run to its end with some WebAssembly engine (by core's driver loop,
/// [`bpfplay_core::jit::host::drive`]), with `helpers` for its helper calls.
pub trait JitRunner {
    fn run(&self, run: JitRun, helpers: Rc<RefCell<dyn Helpers>>) -> Result<JitOutcome, String>;
}

/// A runner the engine can hold.
#[derive(Clone)]
pub struct JitHost(pub Rc<dyn JitRunner>);

impl fmt::Debug for JitHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JitHost")
    }
}

/// What the status line shows after a JIT run.
#[derive(Clone, Debug, PartialEq)]
pub struct JitReport {
    pub state: State,
    pub modules: usize,
    pub module_bytes: usize,
    pub instantiate_ms: f64,
    pub run_ms: f64,
    /// What differs from the interpreter's run; `None` when everything agrees.
    pub difference: Option<String>,
}

impl JitReport {
    pub fn agrees(&self) -> bool {
        self.difference.is_none()
    }
}

/// How a run ended, in a few words.
pub fn describe(state: &State) -> String {
    match state {
        State::Exited { r0, early: None } => format!("r0 = {r0:#x}"),
        State::Exited {
            r0,
            early: Some(early),
        } => format!("r0 = {r0:#x} ({early})"),
        State::Faulted(fault) => fault.to_string(),
        State::Running => String::from("did not finish"),
    }
}

impl fmt::Display for JitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let modules = if self.modules == 1 {
            String::from("a")
        } else {
            format!("{} modules, the first", self.modules)
        };
        write!(
            f,
            "wasm JIT: {} in {:.3} ms (+{:.2} ms to compile and instantiate {modules} {} B module); ",
            describe(&self.state),
            self.run_ms,
            self.instantiate_ms,
            self.module_bytes,
        )?;
        match &self.difference {
            None => f.write_str("the interpreter agrees"),
            Some(difference) => write!(
                f,
                "the interpreter DISAGREES: {difference} (please report this program)"
            ),
        }
    }
}

/// What a kernel run left behind: its report and the kernel afterwards.
#[derive(Debug)]
pub struct KernelAfter {
    pub report: RunReport,
    pub kernel: KernelSnapshot,
}

/// What differs between the interpreter's run and the JIT's: the end, and for kernel
/// runs the report (the JIT counts no instructions) and the kernel afterwards.
pub fn compare(
    interpreter: &State,
    jit: &State,
    kernel: Option<(&KernelAfter, &KernelAfter)>,
) -> Option<String> {
    if interpreter != jit {
        return Some(format!(
            "the interpreter ended with {}",
            describe(interpreter)
        ));
    }
    let (ours, jits) = kernel?;
    let uncounted = |report: &RunReport| RunReport {
        executed: 0,
        ..report.clone()
    };
    if uncounted(&ours.report) != uncounted(&jits.report) {
        return Some(String::from(
            "the run reports differ (packet, trace, perf events or redirect)",
        ));
    }
    (ours.kernel != jits.kernel)
        .then(|| String::from("the kernels differ after the run (map contents)"))
}
