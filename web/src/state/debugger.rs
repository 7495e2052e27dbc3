//! Loading, verifying, running and stepping the active tab's program on the engine.

use super::engine::{Batch, ConsoleLine, Engine, JitTwin, Run, Running, on_machine};
use super::error::{Error, Notice, Offer};
use super::program::{Program, Verdict, line_starts};
use super::{Playground, Tab};
use crate::examples::EXAMPLES;
use crate::jit::KernelAfter;
use bpfplay_core::asm::assemble;
use bpfplay_core::bpftool::{Command, FileSource, ProgCommand, print};
use bpfplay_core::debug::{DEFAULT_INTERVAL, KernelRun, Timeline};
use bpfplay_core::isa::{CallKind, Insn, Program as Bytecode};
use bpfplay_core::jit::host::JitRun;
use bpfplay_core::kernel::helpers::runtime::OwnedKernelHelpers;
use bpfplay_core::kernel::{Invocation, Kernel, Pid, ProgLoad};
use bpfplay_core::vm::{Config, FaultKind, Helpers, NoHelpers, State, Vm};
use bpfplay_core::workspace::run;
use std::cell::RefCell;
use std::rc::Rc;

/// How long one slice of a run or a batch may hold the page: a run that needs longer goes
/// on in the next task, after the page has handled input. The page's budget is 50 ms a
/// task, and the render after a slice (the panels, up to 2,000 console lines) is part of
/// it: with 30 ms slices, 4 console batches in 20 held the page 64-67 ms, and a run
/// once 59 ms (BENCHMARKS.md, "Debugger in the browser").
const SLICE_MS: f64 = 20.0;

/// Instructions between looks at the clock within a slice: about a millisecond at the
/// interpreter's speed in wasm.
const CLOCK_EVERY: u64 = 1 << 18;

/// Programs for `prog load NAME` in the console: `current`, the tabs, the examples.
struct Files<'a> {
    current: &'a str,
    tabs: &'a [Tab],
}

impl FileSource for Files<'_> {
    fn program(&mut self, name: &str) -> Result<Bytecode, String> {
        let tab = self
            .tabs
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.source.as_str());
        let example = || EXAMPLES.iter().find(|e| e.name == name).map(|e| e.source);
        let text = match name {
            "current" => self.current,
            _ => tab.or_else(example).ok_or_else(|| {
                format!("no program `{name}` (use `current`, a workspace program, or an example such as {})", EXAMPLES[0].name)
            })?,
        };
        assemble(text, None)
            .map(|a| a.program)
            .map_err(|e| format!("{name}: {e}"))
    }

    fn packet(&mut self, name: &str) -> Result<Vec<u8>, String> {
        Err(format!(
            "no packet file `{name}` in the browser; use `packet hex ...`"
        ))
    }
}

impl Playground {
    /// Assembles the text again; the verdict is kept, marked stale, until the text is
    /// verified, unless the text does not assemble (then there is none).
    pub(super) fn reassemble(&mut self) {
        let assembled = Program::assemble(self.source());
        let verdict = (assembled.asm_error.is_none())
            .then(|| self.program.verdict.take())
            .flatten();
        self.program = Program {
            stale_verdict: verdict.is_some(),
            verdict,
            ..assembled
        };
    }

    /// Runs a console line: echoed as typed, parsed by core's bpftool parser, then
    /// applied as [`Self::apply_command`].
    pub(super) fn console(&mut self, line: &str) {
        self.engine
            .borrow_mut()
            .console
            .push(ConsoleLine::Command(line.to_owned()));
        match bpfplay_core::bpftool::parse(line) {
            Ok(command) => self.apply_command(command),
            Err(e) => self
                .engine
                .borrow_mut()
                .console
                .push(ConsoleLine::Error(print::error_line(&e.into(), None))),
        }
    }

    /// Runs a map card's or form's command: echoed as the command line that parses to
    /// it, so the console reads as if it had been typed, then applied.
    pub(super) fn command(&mut self, command: Command) {
        self.engine
            .borrow_mut()
            .console
            .push(ConsoleLine::Command(command.to_string()));
        self.apply_command(command);
    }

    /// Applies a bpftool command to the kernel. `prog run` goes as a [`Batch`]: its
    /// first slice now, the rest as [`Self::batch_slice`]s (a new batch ends the last).
    fn apply_command(&mut self, command: Command) {
        let Command::Prog(ProgCommand::Run {
            path,
            packet,
            repeat,
        }) = command
        else {
            self.apply_once(command);
            return;
        };
        let run = Command::Prog(ProgCommand::Run {
            path,
            packet,
            repeat: 1,
        });
        let mut engine = self.engine.borrow_mut();
        engine.halt_batch();
        engine.batch = Some(Batch {
            run,
            done: 0,
            total: repeat,
        });
        drop(engine);
        self.batch_slice();
    }

    /// Applies a bpftool command to the kernel; its output or error goes to the console.
    /// Returns whether it succeeded.
    fn apply_once(&mut self, command: Command) -> bool {
        let engine = self.engine.clone();
        let mut engine = engine.borrow_mut();
        let mut files = Files {
            current: self.source(),
            tabs: &self.workspace.tabs,
        };
        let applied = match engine.session.apply(command, &mut files) {
            Ok(output) => {
                engine.console.extend(
                    print::output_lines(&output)
                        .into_iter()
                        .map(ConsoleLine::Output),
                );
                true
            }
            Err(e) => {
                engine
                    .console
                    .push(ConsoleLine::Error(print::error_line(&e, None)));
                false
            }
        };
        // The kernel may have changed under a paused run: its future is another one.
        on_machine!(&mut *engine, |timeline, machine| timeline.diverge(machine));
        applied
    }

    /// Runs the batch on for up to [`SLICE_MS`] (one run at least); it stays in
    /// `engine.batch` until its last run or a failed one.
    pub(super) fn batch_slice(&mut self) {
        let deadline = crate::clock::now_ms() + SLICE_MS;
        loop {
            let Some(run) = self.engine.borrow().batch.as_ref().map(|b| b.run.clone()) else {
                return;
            };
            let applied = self.apply_once(run);
            let mut engine = self.engine.borrow_mut();
            let Some(batch) = engine.batch.as_mut() else {
                return;
            };
            batch.done += 1;
            if !applied || batch.done == batch.total {
                engine.batch = None;
                return;
            }
            if crate::clock::now_ms() >= deadline {
                return;
            }
        }
    }

    /// The setup's maps, made (or kept) in the engine's kernel.
    fn ensure_maps(&self, engine: &mut Engine) -> Result<(Pid, Vec<(u32, u32)>), Error> {
        let Engine {
            session,
            setup_maps,
            ..
        } = engine;
        run::setup_maps(self.setup(), &mut session.kernel, setup_maps).map_err(Error::Maps)
    }

    /// Loads the program into `kernel` as `pid` with the maps `fds` and records the
    /// verifier's verdict; returns the fd when it was accepted.
    fn load_into(
        &mut self,
        kernel: &mut Kernel,
        pid: Pid,
        fds: &[(u32, u32)],
    ) -> Result<Option<u32>, Error> {
        let Some(prog_type) = self.setup().prog_type else {
            return Ok(None);
        };
        let program = assemble(self.source(), None)
            .map_err(Error::Assemble)?
            .program;
        let mut attr = ProgLoad {
            log_level: 1,
            log_size: 1 << 20,
            log_buf: true,
            ..ProgLoad::new(prog_type, &program)
        };
        attr.bind_map_indexes(fds).map_err(Error::Bind)?;
        let result = kernel.prog_load(pid, &attr);
        let report = result.verifier;
        let rejection = report.as_ref().and_then(|r| r.result.clone().err());
        self.program.stale_verdict = false;
        self.program.verdict = Some(Rc::new(Verdict {
            explanation: rejection.as_ref().map(|r| r.reason.explanation()),
            rejection,
            errno: result.fd.err(),
            log_lines: line_starts(&result.log),
            log: result.log,
            states: report.map(|r| r.states).unwrap_or_default(),
        }));
        Ok(result.fd.ok())
    }

    /// Verifies the program on a copy of the kernel, so that verifying changes nothing
    /// but the verdict (the setup's maps are made in the kernel itself, for the panels).
    pub(super) fn verify(&mut self) {
        self.program.verdict = None;
        self.program.stale_verdict = false;
        // Text that does not assemble has its error in the editor already.
        if self.setup().prog_type.is_none() || self.program.asm_error.is_some() {
            return;
        }
        let engine = self.engine.clone();
        let mut engine = engine.borrow_mut();
        let result = self.ensure_maps(&mut engine).and_then(|(pid, fds)| {
            let mut scratch = engine.session.kernel.clone();
            self.load_into(&mut scratch, pid, &fds)
        });
        if let Err(e) = result {
            self.show(e);
        }
    }

    /// Starts a run if none is active. Returns false (with the reason shown) if it cannot.
    fn start(&mut self, engine: &mut Engine) -> bool {
        if engine.run.is_some() {
            return true;
        }
        engine.last_step = None;
        engine.report = None;
        match self.start_run(engine) {
            Ok(Some(run)) => {
                engine.run = Some(run);
                true
            }
            Ok(None) => {
                self.notice = Some(self.rejected_run_notice());
                false
            }
            Err(e) => {
                self.show(e);
                false
            }
        }
    }

    /// Why Run did not start on a rejected program, and the way to run it anyway.
    fn rejected_run_notice(&self) -> Notice {
        let why = self
            .verifier()
            .map(|v| v.headline)
            .unwrap_or_else(|| String::from("rejected"));
        Notice {
            offer: Some(Offer::RunUnverified),
            ..Notice::from(Error::Run(format!(
                "Not run: the Linux 4.4 verifier rejected the program ({why}). \
                 The plain VM can run it without verification (r1 = the packet, no helpers)."
            )))
        }
    }

    /// Runs the active tab's program in the plain VM, unverified, whatever its type
    /// (a rejected program's notice offers it).
    pub(super) fn run_unverified(&mut self, engine: &mut Engine) {
        engine.reset();
        self.notice = None;
        match self.plain_run() {
            Ok(run) => {
                engine.run = Some(run);
                self.continue_to(engine, None);
            }
            Err(e) => self.show(e),
        }
    }

    /// The active tab's program in the plain VM, on the setup's packet.
    fn plain_run(&self) -> Result<Run, Error> {
        let setup = self.setup();
        let program = assemble(self.source(), None)
            .map_err(Error::Assemble)?
            .program;
        let vm = Vm::new(program, Config::for_profile(setup.profile))
            .map_err(|e| Error::Run(e.to_string()))?
            .with_input(setup.packet.clone());
        let timeline = Timeline::new(&vm, DEFAULT_INTERVAL);
        Ok(Run::Plain {
            vm: Box::new(vm),
            timeline,
        })
    }

    /// The run of the active tab: in the kernel (`None` if the verifier refused it) or
    /// in the plain VM.
    fn start_run(&mut self, engine: &mut Engine) -> Result<Option<Run>, Error> {
        let setup = self.setup().clone();
        if setup.prog_type.is_none() {
            return self.plain_run().map(Some);
        }
        let (pid, fds) = self.ensure_maps(engine)?;
        let Some(fd) = self.load_into(&mut engine.session.kernel, pid, &fds)? else {
            return Ok(None);
        };
        let invocation = engine.session.kernel.invoke(pid, fd, setup.run_input());
        let _ = engine.session.kernel.close(pid, fd);
        let mut inv =
            invocation.map_err(|e| Error::Run(format!("cannot run this program type: {e}")))?;
        let machine = KernelRun {
            kernel: &mut engine.session.kernel,
            inv: &mut inv,
        };
        let timeline = Timeline::new(&machine, DEFAULT_INTERVAL);
        Ok(Some(Run::Kernel {
            inv: Box::new(inv),
            timeline,
        }))
    }

    /// Runs the program through the interpreter (which the panels show), in slices as
    /// any run goes, and then through the wasm JIT ([`Self::finish_jit`]), on copies of
    /// the invocation and the kernel taken before the interpreter's run, and records
    /// whether both runs ended the same way with the same effects. The JIT has no fuel,
    /// so it only runs a program the interpreter saw end.
    pub(super) fn run_jit(&mut self, engine: &mut Engine) {
        engine.jit_report = None;
        if engine.jit_host.is_none() {
            self.show(Error::Jit(String::from(
                "the wasm JIT needs the browser's WebAssembly engine",
            )));
            return;
        }
        if !self.start(engine) {
            return;
        }
        let twin = match engine.run.as_ref() {
            Some(Run::Kernel { inv, .. }) => {
                match Kernel::restore(&engine.session.kernel.snapshot()) {
                    Ok(kernel) => {
                        let Invocation { vm, state } = inv.detached();
                        let helpers = OwnedKernelHelpers { kernel, inv: state };
                        JitTwin {
                            vm,
                            kernel: Some(Rc::new(RefCell::new(helpers))),
                        }
                    }
                    Err(e) => {
                        self.show(Error::Jit(format!("cannot copy the kernel: {e}")));
                        return;
                    }
                }
            }
            Some(Run::Plain { vm, .. }) => JitTwin {
                vm: (**vm).clone(),
                kernel: None,
            },
            None => return,
        };
        self.continue_to_stop(engine, &[], Some(twin));
    }

    /// The JIT's part of [`Self::run_jit`], once the interpreter's run has ended.
    fn finish_jit(&mut self, engine: &mut Engine, twin: JitTwin) {
        let Some(host) = engine.jit_host.clone() else {
            return;
        };
        let Some(state) = engine.run.as_ref().map(|r| r.vm().state().clone()) else {
            return;
        };
        if matches!(&state, State::Faulted(f) if matches!(f.kind, FaultKind::OutOfFuel { .. })) {
            self.show(Error::Jit(String::from(
                "the interpreter ran out of fuel, so the wasm JIT (which has none) was not run",
            )));
            return;
        }
        let JitTwin {
            vm,
            kernel: kernel_helpers,
        } = twin;
        let run = match JitRun::new(vm) {
            Ok(run) => run,
            Err(e) => {
                self.show(Error::Jit(e.to_string()));
                return;
            }
        };
        let helpers: Rc<RefCell<dyn Helpers>> = match &kernel_helpers {
            Some(kernel) => kernel.clone(),
            None => Rc::new(RefCell::new(NoHelpers)),
        };
        let outcome = match host.0.run(run, helpers) {
            Ok(outcome) => outcome,
            Err(e) => {
                self.show(Error::Jit(e));
                return;
            }
        };
        let jit_state = outcome.vm.state().clone();
        let kernel_runs = match (kernel_helpers.map(Rc::try_unwrap), &engine.report) {
            (Some(Ok(helpers)), Some(report)) => {
                let OwnedKernelHelpers { mut kernel, inv } = helpers.into_inner();
                let jit_report = kernel.finish(Invocation {
                    vm: outcome.vm,
                    state: inv,
                });
                let ours = KernelAfter {
                    report: report.clone(),
                    kernel: engine.session.kernel.snapshot(),
                };
                let jits = KernelAfter {
                    report: jit_report,
                    kernel: kernel.snapshot(),
                };
                Some((ours, jits))
            }
            (None, _) => None,
            // The runner kept the helpers or the interpreter left no report: the kernels
            // cannot be compared, so say so rather than claim agreement.
            _ => {
                self.show(Error::Jit(String::from(
                    "the kernel after the JIT's run is not available, so only the ends were compared",
                )));
                None
            }
        };
        let difference = crate::jit::compare(
            &state,
            &jit_state,
            kernel_runs.as_ref().map(|(ours, jits)| (ours, jits)),
        );
        engine.jit_report = Some(crate::jit::JitReport {
            state: jit_state,
            modules: outcome.modules,
            module_bytes: outcome.module_bytes,
            instantiate_ms: outcome.instantiate_ms,
            run_ms: outcome.run_ms,
            difference,
        });
    }

    /// Collects the results once the program has ended.
    fn finish_if_done(engine: &mut Engine) {
        let done = engine
            .run
            .as_ref()
            .is_some_and(|r| *r.vm().state() != State::Running);
        if !done || engine.report.is_some() {
            return;
        }
        if let Some(Run::Kernel { inv, .. }) = &engine.run {
            let report = engine.session.kernel.finish((**inv).clone());
            for line in bpfplay_core::kernel::trace_lines(&report.trace) {
                engine.console.push(ConsoleLine::Output(line));
            }
            for (event, bytes) in &report.perf_samples {
                let hex = bpfplay_core::isa::spaced_hex(bytes);
                engine
                    .console
                    .push(ConsoleLine::Output(format!("perf event {event}: {hex}")));
            }
            if let Some(redirect) = &report.redirect {
                engine
                    .console
                    .push(ConsoleLine::Output(redirect.to_string()));
            }
            engine.report = Some(report);
        }
    }

    /// One step (F10).
    pub(super) fn step(&mut self, engine: &mut Engine) {
        engine.running = None;
        if self.start(engine) {
            let step = on_machine!(&mut *engine, |timeline, machine| timeline.step(machine));
            if let Some(step) = step.flatten() {
                if let Some(Insn::Call {
                    kind: CallKind::Helper,
                    imm,
                }) = step.insn
                {
                    let regs = engine.run.as_ref().map(|r| *r.vm().regs());
                    let line = regs.and_then(|regs| {
                        let args = [regs[1], regs[2], regs[3], regs[4], regs[5]];
                        describe_call(engine, imm, args, Some(regs[0]))
                    });
                    engine.console.extend(line.map(ConsoleLine::Output));
                }
                engine.last_step = Some(step);
            }
            Self::finish_if_done(engine);
        }
    }

    /// Continues until exit, a fault or a breakpoint (other than the one it starts on),
    /// or `extra_stop`.
    pub(super) fn continue_to(&mut self, engine: &mut Engine, extra_stop: Option<usize>) {
        let mut stops: Vec<usize> = self.tab().breakpoints.iter().copied().collect();
        stops.extend(extra_stop);
        self.continue_to_stop(engine, &stops, None);
    }

    /// Starts a run: its first slice now, the rest (if it needs more) as
    /// [`Self::next_slice`]s that the page schedules one task apart.
    fn continue_to_stop(&mut self, engine: &mut Engine, stops: &[usize], jit: Option<JitTwin>) {
        if !self.start(engine) {
            return;
        }
        engine.running = Some(Running {
            stops: stops.to_vec(),
            jit,
        });
        self.next_slice(engine, true);
    }

    /// Runs the current run on for a slice ([`Self::run_slice`]); the one that ends it
    /// also runs the wasm JIT, if it waits for that end ([`Self::finish_jit`]).
    pub(super) fn next_slice(&mut self, engine: &mut Engine, leave_breakpoint: bool) {
        if let Some(Running {
            jit: Some(twin), ..
        }) = Self::run_slice(engine, leave_breakpoint)
        {
            self.finish_jit(engine, twin);
        }
    }

    /// Runs the current run on for up to [`SLICE_MS`]; it stays in `engine.running`
    /// while it has not stopped, and is returned once it has. `leave_breakpoint`: this
    /// slice starts a continue, so a breakpoint at the current instruction does not
    /// stop it.
    fn run_slice(engine: &mut Engine, leave_breakpoint: bool) -> Option<Running> {
        let stops = engine.running.as_ref()?.stops.clone();
        let deadline = crate::clock::now_ms() + SLICE_MS;
        let mut leave = leave_breakpoint;
        loop {
            let Some(until) = engine.run.as_ref().map(|r| r.vm().executed() + CLOCK_EVERY) else {
                engine.running = None;
                return None;
            };
            let stop = on_machine!(&mut *engine, |timeline, machine| {
                timeline.run(machine, &stops, until, leave)
            });
            leave = false;
            if stop.flatten().is_some() {
                describe_run_calls(engine);
                engine.last_step = None;
                Self::finish_if_done(engine);
                return engine.running.take();
            }
            if crate::clock::now_ms() >= deadline {
                describe_run_calls(engine);
                return None;
            }
        }
    }
}

/// How a guest value reads to a person: `fp-8`, `map 3 (counts)`, `map_value+0`, `0x2a`.
fn describe_value(engine: &Engine, vm: &Vm, value: u64) -> String {
    let kernel = &engine.session.kernel;
    if let Some(id) = (value >= bpfplay_core::kernel::map_handle(bpfplay_core::kernel::ObjectId(0)))
        .then(|| {
            kernel
                .objects()
                .find(|(id, _)| bpfplay_core::kernel::map_handle(*id) == value)
        })
        .flatten()
        .map(|(id, _)| id)
    {
        let name = kernel
            .map(id)
            .map(|m| m.name.clone())
            .filter(|n| !n.is_empty());
        return name.map_or_else(|| format!("map {id}"), |n| format!("map {id} ({n})"));
    }
    match vm.memory().symbolize(value) {
        Some((region, off)) if region.kind == bpfplay_core::vm::RegionKind::Stack => {
            format!("fp{}", off - vm.regs()[10].wrapping_sub(region.base) as i64)
        }
        Some((region, off)) if off >= 0 && (off as usize) <= region.data.len() => {
            format!("{}+{off}", region.kind)
        }
        _ => format!("{value:#x}"),
    }
}

/// The console line of a helper call: `r0 = bpf_map_lookup_elem(map 1, fp-4) = map_value+0`;
/// `r0` is what the call put there (`None`: nothing, as a failed call).
fn describe_call(engine: &Engine, id: i32, args: [u64; 5], r0: Option<u64>) -> Option<String> {
    let vm = engine.run.as_ref()?.vm();
    let proto = bpfplay_core::linux::helpers::proto_of(id)?;
    let shown: Vec<String> = proto
        .args
        .iter()
        .zip(args)
        .filter(|(a, _)| **a != bpfplay_core::linux::helpers::ArgType::DontCare)
        .map(|(_, value)| describe_value(engine, vm, value))
        .collect();
    let call = format!("bpf_{}({})", proto.name, shown.join(", "));
    Some(match proto.ret {
        bpfplay_core::linux::helpers::RetType::Void => format!("{call}: fell through"),
        _ => format!("r0 = {call} = {}", describe_value(engine, vm, r0?)),
    })
}

/// The console lines of the helper calls a run made since the last look.
fn describe_run_calls(engine: &mut Engine) {
    let Some((calls, dropped)) =
        on_machine!(&mut *engine, |timeline, _machine| timeline.take_calls())
    else {
        return;
    };
    let lines: Vec<String> = calls
        .iter()
        .filter_map(|c| describe_call(engine, c.id, c.args, c.r0))
        .collect();
    engine
        .console
        .extend(lines.into_iter().map(ConsoleLine::Output));
    if dropped > 0 {
        engine.console.push(ConsoleLine::Output(format!(
            "... and {dropped} more helper calls, not shown"
        )));
    }
}
