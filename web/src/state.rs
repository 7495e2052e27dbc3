//! The workspace state and its reducer: plain data over `bpfplay-core`, no DOM, tested
//! natively. Components render it and dispatch [`Action`]s.
//!
//! The heavy parts (the kernel, the debugger and its step history) live in an
//! [`Engine`] shared through `Rc<RefCell<_>>` and mutated in place, so a step costs
//! the step and not a copy of the whole history; `version` tells Yew something changed.

use crate::examples::{EXAMPLES, Example};
use crate::jit::{JitHost, JitReport, KernelAfter};
use bpfplay_core::asm::{AsmError, Assembled, assemble, header};
use bpfplay_core::bpftool::{FileSource, Session, bind_maps, parse_map_list, print};
use bpfplay_core::disasm::format_insn;
use bpfplay_core::isa::{Profile, Program, parse_hex_bytes};
use bpfplay_core::jit::host::JitRun;
use bpfplay_core::kernel::ctx::SkbMeta;
use bpfplay_core::kernel::helpers::runtime::OwnedKernelHelpers;
use bpfplay_core::kernel::{Invocation, Kernel, Pid, ProgLoad, RunInput, RunReport};
use bpfplay_core::linux::{Errno, ProgType};
use bpfplay_core::syntax::Syntax;
use bpfplay_core::verifier::explain::Explanation;
use bpfplay_core::verifier::{Rejection, State as AbstractState};
use bpfplay_core::vm::{Config, FaultKind, Helpers, NoHelpers, State, Step, Vm};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::Reducible;

/// How the program is loaded and run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// `Some`: load into the emulated Linux 4.4 kernel as this type (verified, with
    /// helpers and a context). `None`: run in the plain VM with r1 = the memory bytes.
    pub prog_type: Option<ProgType>,
    /// ISA and semantics of plain runs (kernel runs are always Linux 4.4).
    pub profile: Profile,
    pub privileged: bool,
    /// Packet (kernel runs) or r1 memory (plain rfc9669 runs), as hex.
    pub packet: String,
    /// Maps, as `hash:4:8:16,array:4:8:4`; map index i is the i-th.
    pub maps: String,
    /// `__sk_buff` fields to set, as `mark=1 priority=7 cb0=5`.
    pub skb: String,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            prog_type: Some(ProgType::SocketFilter),
            profile: Profile::Linux44,
            privileged: true,
            packet: String::new(),
            maps: String::new(),
            skb: String::new(),
        }
    }
}

/// Applies `name=value` settings (decimal or 0x hex) to sk_buff metadata.
pub fn apply_skb_fields(meta: &mut SkbMeta, text: &str) -> Result<(), String> {
    for item in text.split_whitespace() {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| format!("skb: `{item}` is not name=value"))?;
        let v = match value.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => value.parse(),
        }
        .map_err(|_| format!("skb: `{value}` is not a number"))?;
        let (w32, w16) = (v as u32, v as u16);
        match name {
            "mark" => meta.mark = w32,
            "priority" => meta.priority = w32,
            "pkt_type" => meta.pkt_type = w32,
            "queue_mapping" => meta.queue_mapping = w16,
            "ifindex" => meta.ifindex = w32,
            "ingress_ifindex" => meta.ingress_ifindex = w32,
            "hash" => meta.hash = w32,
            "tc_index" => meta.tc_index = w16,
            "tc_classid" => meta.tc_classid = w16,
            "vlan_tci" => meta.vlan_tci = w16 | bpfplay_core::linux::ctx::VLAN_TAG_PRESENT,
            "route_realm" => meta.route_realm = w32,
            cb if cb.starts_with("cb") => {
                let i: usize = cb[2..]
                    .parse()
                    .ok()
                    .filter(|i| *i < 5)
                    .ok_or_else(|| format!("skb: unknown field `{name}`"))?;
                meta.cb[i] = w32;
            }
            _ => {
                return Err(format!(
                    "skb: unknown field `{name}` (mark, priority, pkt_type, queue_mapping, ifindex, ingress_ifindex, hash, tc_index, tc_classid, vlan_tci, route_realm, cb0..cb4)"
                ));
            }
        }
    }
    Ok(())
}

/// A program of the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tab {
    pub name: String,
    pub source: String,
    pub setup: Setup,
}

/// One row of the bytecode / disassembly listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingRow {
    pub pc: usize,
    /// 1-based source line.
    pub line: usize,
    pub bytes: String,
    pub text: String,
}

/// What the last load told about the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub log: String,
    pub rejection: Option<Rejection>,
    pub errno: Option<Errno>,
    pub explanation: Option<Explanation>,
    /// Abstract states seen before each instruction.
    pub states: Vec<Vec<AbstractState>>,
}

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

    fn vm_mut(&mut self) -> &mut Vm {
        match self {
            Run::Kernel(inv) => &mut inv.vm,
            Run::Plain(vm) => vm,
        }
    }
}

/// The maps of a setup: which setup made them, the process that holds them, and the
/// (map index, fd) bindings.
#[derive(Debug)]
struct BoundMaps {
    key: String,
    pid: Pid,
    fds: Vec<(u32, u32)>,
}

/// A line of the output console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleLine {
    Command(String),
    Output(String),
    Error(String),
}

/// The mutable heart of the workspace.
#[derive(Debug)]
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
    /// Maps created for the current `Setup::maps`.
    maps: Option<BoundMaps>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::with_session(Session::default())
    }
}

impl Engine {
    pub fn with_session(session: Session) -> Self {
        Engine {
            session,
            run: None,
            history: Vec::new(),
            report: None,
            jit_report: None,
            jit_host: None,
            console: Vec::new(),
            maps: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Workspace {
    /// The programs of the workspace (for tail calls, ingress/egress pairs...), never
    /// empty; the active one ([`Workspace::tab`]) is edited and debugged.
    pub tabs: Vec<Tab>,
    pub active: usize,
    pub example: Option<usize>,
    pub listing: Vec<ListingRow>,
    /// Source line of each slot.
    pub slot_lines: Vec<usize>,
    pub asm_error: Option<AsmError>,
    pub verdict: Option<Verdict>,
    pub breakpoints: BTreeSet<usize>,
    /// The instruction selected in the verifier log or listing.
    pub selected: Option<usize>,
    /// A message for the user that is not tied to the program (e.g. storage problems).
    pub notice: Option<String>,
    /// Run (F8) from the start uses the wasm JIT instead of the interpreter.
    pub use_jit: bool,
    pub engine: Rc<RefCell<Engine>>,
    /// Bumped on every change of `engine`, so that equality sees it.
    pub version: u64,
}

impl PartialEq for Workspace {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && Rc::ptr_eq(&self.engine, &other.engine)
    }
}

pub enum Action {
    Edit(String),
    SetSetup(Setup),
    LoadExample(usize),
    /// Re-verify the program (dispatched after typing pauses).
    Verify,
    /// Run or continue to the end or the next breakpoint (F8).
    Continue,
    Step,
    StepBack,
    /// Continue until the first instruction of a source line.
    RunToLine(usize),
    Reset,
    ToggleBreakpoint(usize),
    /// Toggle the breakpoint on a source line's first instruction.
    ToggleBreakpointLine(usize),
    /// A bpftool-style command against the kernel (the console).
    Console(String),
    /// Show a message (e.g. from storage).
    Notice(Option<String>),
    /// Select an instruction (from the verifier log or the listing).
    Select(Option<usize>),
    /// Choose the engine of Run: interpreter (false) or wasm JIT (true).
    UseJit(bool),
    /// Switch to another program of the workspace.
    SwitchTab(usize),
    /// Add a program (a copy of the active one) and switch to it.
    NewTab,
    /// Remove a program (the last one stays).
    CloseTab(usize),
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::with_example(Engine::default(), 0)
    }
}

/// The setup an example declares.
pub fn example_setup(example: &Example) -> Setup {
    let s = example.source;
    Setup {
        prog_type: header(s, "type:").and_then(ProgType::from_name),
        profile: header(s, "profile:")
            .and_then(Profile::from_name)
            .unwrap_or(Profile::Linux44),
        privileged: header(s, "unprivileged").is_none(),
        packet: header(s, "packet:")
            .or_else(|| header(s, "mem:"))
            .unwrap_or("")
            .to_owned(),
        maps: header(s, "maps:").unwrap_or("").to_owned(),
        skb: header(s, "skb:").unwrap_or("").to_owned(),
    }
}

/// Programs for `prog load NAME` in the console: the examples, and `current`.
struct Files<'a> {
    current: &'a str,
    tabs: &'a [Tab],
}

impl FileSource for Files<'_> {
    fn program(&mut self, name: &str) -> Result<Program, String> {
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

impl Workspace {
    fn with_example(engine: Engine, index: usize) -> Self {
        let example = &EXAMPLES[index.min(EXAMPLES.len() - 1)];
        let mut w = Workspace {
            tabs: vec![Tab {
                name: String::from("program1"),
                source: example.source.to_owned(),
                setup: example_setup(example),
            }],
            active: 0,
            example: Some(index),
            listing: Vec::new(),
            slot_lines: Vec::new(),
            asm_error: None,
            verdict: None,
            breakpoints: BTreeSet::new(),
            selected: None,
            notice: None,
            use_jit: false,
            engine: Rc::new(RefCell::new(engine)),
            version: 0,
        };
        w.reassemble();
        w.verify();
        w
    }

    /// A workspace around an existing engine (restored from storage).
    pub fn restored(engine: Engine, tabs: Vec<Tab>, active: usize) -> Self {
        let mut w = Workspace::with_example(engine, 0);
        if !tabs.is_empty() {
            w.tabs = tabs;
            w.active = active.min(w.tabs.len() - 1);
        }
        w.load_active();
        w
    }

    /// The active tab: its program is the one edited and debugged.
    pub fn tab(&self) -> &Tab {
        &self.tabs[self.active]
    }

    fn tab_mut(&mut self) -> &mut Tab {
        &mut self.tabs[self.active]
    }

    /// The active program's text.
    pub fn source(&self) -> &str {
        &self.tab().source
    }

    /// The active program's setup.
    pub fn setup(&self) -> &Setup {
        &self.tab().setup
    }

    /// Makes the active tab's program the one edited and debugged.
    fn load_active(&mut self) {
        self.example = None;
        self.breakpoints.clear();
        self.engine.borrow_mut().run = None;
        self.reassemble();
        self.verify();
    }

    fn reassemble(&mut self) {
        match assemble(self.source(), None) {
            Ok(Assembled { program, lines }) => {
                self.listing = program
                    .insns()
                    .map(|(pc, insn)| {
                        let bytes = insn_bytes(insn)
                            .iter()
                            .map(|b| format!("{b:02x}"))
                            .collect::<Vec<_>>()
                            .join(" ");
                        ListingRow {
                            pc,
                            line: lines.get(pc).copied().unwrap_or(0),
                            bytes,
                            text: format_insn(insn, Syntax::Llvm),
                        }
                    })
                    .collect();
                self.slot_lines = lines;
                self.asm_error = None;
            }
            Err(e) => {
                self.listing.clear();
                self.slot_lines.clear();
                self.asm_error = Some(e);
            }
        }
    }

    /// The slot of the first instruction of a source line.
    pub fn slot_of_line(&self, line: usize) -> Option<usize> {
        self.listing.iter().find(|r| r.line == line).map(|r| r.pc)
    }

    /// Creates (or reuses) the maps of the setup in the loading process; returns that
    /// process and the (index, fd) bindings.
    fn ensure_maps(&self, engine: &mut Engine) -> Result<(Pid, Vec<(u32, u32)>), String> {
        let key = format!("{}|{}", self.setup().maps, self.setup().privileged);
        if let Some(b) = engine
            .maps
            .as_ref()
            .filter(|b| b.key == key && engine.session.kernel.process(b.pid).is_some())
        {
            return Ok((b.pid, b.fds.clone()));
        }
        if let Some(old) = engine.maps.take() {
            let _ = engine.session.kernel.exit(old.pid);
        }
        let uid = if self.setup().privileged { 0 } else { 1000 };
        let pid = engine.session.kernel.spawn("playground", uid);
        let mut fds = Vec::new();
        for (i, spec) in parse_map_list(&self.setup().maps)
            .map_err(|e| e.to_string())?
            .into_iter()
            .enumerate()
        {
            let fd = engine
                .session
                .kernel
                .map_create(pid, spec, &format!("map{i}"))
                .map_err(|e| format!("map {i}: {e}"))?;
            fds.push((i as u32, fd));
        }
        engine.maps = Some(BoundMaps {
            key,
            pid,
            fds: fds.clone(),
        });
        Ok((pid, fds))
    }

    /// Loads the program into the kernel (4.4 profile) and records the verifier's
    /// verdict; returns the fd when it was accepted.
    fn load(&mut self, engine: &mut Engine) -> Result<Option<(Pid, u32)>, String> {
        let program = assemble(self.source(), None)
            .map_err(|e| format!("assembler: {e}"))?
            .program;
        let Some(prog_type) = self.setup().prog_type else {
            self.verdict = None;
            return Ok(None);
        };
        let (pid, fds) = self.ensure_maps(engine)?;
        let program = bind_maps(&program, &fds).map_err(|e| e.to_string())?;
        let attr = ProgLoad {
            log_level: 1,
            log_size: 1 << 20,
            log_buf: true,
            ..ProgLoad::new(prog_type, &program)
        };
        let result = engine.session.kernel.prog_load(pid, &attr);
        let report = result.verifier;
        let rejection = report.as_ref().and_then(|r| r.result.clone().err());
        self.verdict = Some(Verdict {
            explanation: rejection.as_ref().map(|r| r.reason.explanation()),
            rejection,
            errno: result.fd.err(),
            log: result.log,
            states: report.map(|r| r.states).unwrap_or_default(),
        });
        Ok(result.fd.ok().map(|fd| (pid, fd)))
    }

    fn verify(&mut self) {
        let engine = self.engine.clone();
        let mut engine = engine.borrow_mut();
        match self.load(&mut engine) {
            Ok(Some((pid, fd))) => {
                let _ = engine.session.kernel.close(pid, fd);
            }
            Ok(None) => {}
            Err(e) => self.notice = Some(e),
        }
    }

    /// Starts a run if none is active. Returns false (with the reason shown) if it cannot.
    fn start(&mut self, engine: &mut Engine) -> bool {
        if engine.run.is_some() {
            return true;
        }
        engine.history.clear();
        engine.report = None;
        let packet = match parse_hex_bytes(&self.setup().packet) {
            Ok(p) => p,
            Err(e) => {
                self.notice = Some(format!("packet: {e}"));
                return false;
            }
        };
        match self.load(engine) {
            Err(e) => {
                self.notice = Some(e);
                false
            }
            Ok(Some((pid, fd))) => {
                let input = if self.setup().prog_type == Some(ProgType::Kprobe) {
                    RunInput::Kprobe {
                        regs: Default::default(),
                    }
                } else {
                    let packet = if packet.is_empty() {
                        vec![0; 60]
                    } else {
                        packet
                    };
                    let mut meta = SkbMeta::for_frame(&packet);
                    if let Err(e) = apply_skb_fields(&mut meta, &self.setup().skb) {
                        self.notice = Some(e);
                        let _ = engine.session.kernel.close(pid, fd);
                        return false;
                    }
                    RunInput::Packet { packet, meta }
                };
                let invocation = engine.session.kernel.invoke(pid, fd, input);
                let _ = engine.session.kernel.close(pid, fd);
                match invocation {
                    Ok(inv) => {
                        engine.run = Some(Run::Kernel(Box::new(inv)));
                        true
                    }
                    Err(e) => {
                        self.notice = Some(format!("cannot run this program type: {e}"));
                        false
                    }
                }
            }
            Ok(None) if self.setup().prog_type.is_some() => false,
            Ok(None) => match assemble(self.source(), None)
                .map_err(|e| e.to_string())
                .and_then(|a| {
                    Vm::new(a.program, Config::for_profile(self.setup().profile))
                        .map_err(|e| e.to_string())
                }) {
                Ok(vm) => {
                    engine.run = Some(Run::Plain(Box::new(vm.with_input(packet))));
                    true
                }
                Err(e) => {
                    self.notice = Some(e);
                    false
                }
            },
        }
    }

    /// Runs the program through the interpreter (which the panels show) and then
    /// through the wasm JIT, on copies of the invocation and the kernel taken before the
    /// interpreter's run, and records whether both runs ended the same way with the
    /// same effects. The JIT has no fuel, so it only runs a program the interpreter saw
    /// end.
    fn run_jit(&mut self, engine: &mut Engine) {
        engine.jit_report = None;
        let Some(host) = engine.jit_host.clone() else {
            self.notice = Some(String::from(
                "the wasm JIT needs the browser's WebAssembly engine",
            ));
            return;
        };
        if !self.start(engine) {
            return;
        }
        let twin = match engine.run.as_ref() {
            Some(Run::Kernel(inv)) => match Kernel::restore(&engine.session.kernel.snapshot()) {
                Ok(kernel) => {
                    let Invocation { vm, state } = inv.detached();
                    let helpers = OwnedKernelHelpers { kernel, inv: state };
                    (vm, Some(Rc::new(RefCell::new(helpers))))
                }
                Err(e) => {
                    self.notice = Some(format!("wasm JIT: cannot copy the kernel: {e}"));
                    return;
                }
            },
            Some(Run::Plain(vm)) => ((**vm).clone(), None),
            None => return,
        };
        let breakpoints = std::mem::take(&mut self.breakpoints);
        self.continue_to(engine, None);
        self.breakpoints = breakpoints;
        let Some(state) = engine.run.as_ref().map(|r| r.vm().state().clone()) else {
            return;
        };
        if matches!(&state, State::Faulted(f) if matches!(f.kind, FaultKind::OutOfFuel { .. })) {
            self.notice = Some(String::from(
                "the interpreter ran out of fuel, so the wasm JIT (which has none) was not run",
            ));
            return;
        }
        let (vm, kernel_helpers) = twin;
        let run = match JitRun::new(vm) {
            Ok(run) => run,
            Err(e) => {
                self.notice = Some(format!("wasm JIT: {e}"));
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
                self.notice = Some(e);
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
                self.notice = Some(String::from(
                    "wasm JIT: the kernel after the JIT's run is not available, so only the ends were compared",
                ));
                None
            }
        };
        let difference = crate::jit::compare(
            &state,
            &jit_state,
            kernel_runs.as_ref().map(|(ours, jits)| (ours, jits)),
        );
        engine.jit_report = Some(JitReport {
            state: jit_state,
            modules: outcome.modules,
            module_bytes: outcome.module_bytes,
            instantiate_ms: outcome.instantiate_ms,
            run_ms: outcome.run_ms,
            difference,
        });
    }

    fn step_once(engine: &mut Engine) -> Option<Step> {
        let Engine { session, run, .. } = engine;
        match run.as_mut()? {
            Run::Kernel(inv) => session.kernel.step(inv),
            Run::Plain(vm) => vm.step(&mut NoHelpers),
        }
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
        if let Some(Run::Kernel(inv)) = &engine.run {
            let report = engine.session.kernel.finish((**inv).clone());
            for line in &report.trace {
                engine.console.push(ConsoleLine::Output(line.clone()));
            }
            for (event, bytes) in &report.perf_samples {
                let hex = bytes
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ");
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

    /// Continues until exit, a fault or a breakpoint (other than the one it starts on).
    fn continue_to(&mut self, engine: &mut Engine, extra_stop: Option<usize>) {
        if !self.start(engine) {
            return;
        }
        let mut stops: Vec<usize> = self.breakpoints.iter().copied().collect();
        stops.extend(extra_stop);
        // Step (recording history) so that step-back works after a continue too.
        let mut first = true;
        loop {
            let Some(run) = engine.run.as_ref() else {
                return;
            };
            let vm = run.vm();
            if *vm.state() != State::Running {
                break;
            }
            if !first && stops.contains(&vm.pc()) {
                break;
            }
            first = false;
            match Self::step_once(engine) {
                Some(step) => push_history(engine, step),
                None => break,
            }
        }
        Self::finish_if_done(engine);
    }

    pub fn reduce_mut(&mut self, action: Action) {
        let engine_rc = self.engine.clone();
        let mut engine = engine_rc.borrow_mut();
        match action {
            Action::Edit(source) if source == self.source() => return,
            Action::Edit(source) => {
                self.tab_mut().source = source;
                self.example = None;
                engine.run = None;
                self.reassemble();
            }
            Action::SetSetup(setup) => {
                self.tab_mut().setup = setup;
                engine.run = None;
                drop(engine);
                self.verify();
                self.version += 1;
                return;
            }
            Action::LoadExample(index) => {
                let example = &EXAMPLES[index.min(EXAMPLES.len() - 1)];
                let tab = self.tab_mut();
                tab.source = example.source.to_owned();
                tab.setup = example_setup(example);
                self.example = Some(index);
                self.breakpoints.clear();
                engine.run = None;
                self.reassemble();
                drop(engine);
                self.verify();
                self.version += 1;
                return;
            }
            Action::Verify => {
                drop(engine);
                self.verify();
                self.version += 1;
                return;
            }
            Action::Continue if self.use_jit && engine.run.is_none() => self.run_jit(&mut engine),
            Action::Continue => self.continue_to(&mut engine, None),
            Action::UseJit(on) => self.use_jit = on,
            Action::RunToLine(line) => {
                let target = self.slot_of_line(line);
                self.continue_to(&mut engine, target);
            }
            Action::Step => {
                if self.start(&mut engine) {
                    if let Some(step) = Self::step_once(&mut engine) {
                        push_history(&mut engine, step);
                    }
                    Self::finish_if_done(&mut engine);
                }
            }
            Action::StepBack => {
                if let Some(step) = engine.history.pop() {
                    if let Some(run) = engine.run.as_mut() {
                        run.vm_mut().undo(&step);
                    }
                    engine.report = None;
                }
            }
            Action::Reset => {
                engine.run = None;
                engine.history.clear();
                engine.report = None;
                engine.jit_report = None;
            }
            Action::ToggleBreakpoint(pc) => {
                if !self.breakpoints.remove(&pc) {
                    self.breakpoints.insert(pc);
                }
            }
            Action::ToggleBreakpointLine(line) => {
                if let Some(pc) = self.slot_of_line(line)
                    && !self.breakpoints.remove(&pc)
                {
                    self.breakpoints.insert(pc);
                }
            }
            Action::Console(line) => {
                engine.console.push(ConsoleLine::Command(line.clone()));
                let mut files = Files {
                    current: self.source(),
                    tabs: &self.tabs,
                };
                match engine.session.run_line(&line, &mut files) {
                    Ok(out) => engine.console.extend(
                        print::output_lines(&out)
                            .into_iter()
                            .map(ConsoleLine::Output),
                    ),
                    Err(e) => engine
                        .console
                        .push(ConsoleLine::Error(print::error_line(&e, None))),
                }
            }
            Action::Notice(notice) => self.notice = notice,
            Action::Select(pc) => self.selected = pc,
            Action::SwitchTab(i) | Action::CloseTab(i) if i >= self.tabs.len() => {}
            Action::SwitchTab(i) => {
                drop(engine);
                self.active = i;
                self.load_active();
                self.version += 1;
                return;
            }
            Action::NewTab => {
                drop(engine);
                let n = (1..)
                    .find(|n| !self.tabs.iter().any(|t| t.name == format!("program{n}")))
                    .unwrap_or(1);
                let tab = Tab {
                    name: format!("program{n}"),
                    ..self.tab().clone()
                };
                self.tabs.push(tab);
                self.active = self.tabs.len() - 1;
                self.load_active();
                self.version += 1;
                return;
            }
            Action::CloseTab(i) => {
                if self.tabs.len() > 1 {
                    drop(engine);
                    self.tabs.remove(i);
                    // Keep the same program active; closing the active one selects its neighbour.
                    if i < self.active {
                        self.active -= 1;
                    }
                    self.active = self.active.min(self.tabs.len() - 1);
                    self.load_active();
                    self.version += 1;
                    return;
                }
            }
        }
        self.version += 1;
    }
}

impl Reducible for Workspace {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.reduce_mut(action);
        Rc::new(next)
    }
}

/// Steps kept for step-back; older ones are dropped, oldest first.
pub const HISTORY_LIMIT: usize = 200_000;

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

/// The console line of a helper call: `r0 = bpf_map_lookup_elem(map 1, fp-4) = map_value+0`.
fn describe_call(engine: &Engine, step: &Step) -> Option<String> {
    let Some(bpfplay_core::isa::Insn::Call {
        kind: bpfplay_core::isa::CallKind::Helper,
        imm,
    }) = step.insn
    else {
        return None;
    };
    let vm = engine.run.as_ref()?.vm();
    let proto = bpfplay_core::linux::helpers::proto_of(imm)?;
    let args: Vec<String> = proto
        .args
        .iter()
        .enumerate()
        .filter(|(_, a)| **a != bpfplay_core::linux::helpers::ArgType::DontCare)
        .map(|(i, _)| describe_value(engine, vm, vm.regs()[i + 1]))
        .collect();
    let call = format!("bpf_{}({})", proto.name, args.join(", "));
    Some(match proto.ret {
        bpfplay_core::linux::helpers::RetType::Void => format!("{call}: fell through"),
        _ => format!("r0 = {call} = {}", describe_value(engine, vm, vm.regs()[0])),
    })
}

fn push_history(engine: &mut Engine, step: Step) {
    if let Some(line) = describe_call(engine, &step) {
        engine.console.push(ConsoleLine::Output(line));
    }
    if engine.history.len() >= HISTORY_LIMIT {
        engine.history.drain(..HISTORY_LIMIT / 10);
    }
    engine.history.push(step);
}

/// The wire bytes of one instruction (both slots of an lddw).
fn insn_bytes(insn: &bpfplay_core::isa::Insn) -> Vec<u8> {
    Program::from_insns([*insn]).encode()
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
