use super::*;
use bpfplay_core::asm::header;
use bpfplay_core::jit::host::{self, Engine, Imports, JitRun, LinearMemory};
use bpfplay_core::linux::{Errno, ProgType};
use bpfplay_core::vm::{Config, FaultKind, State};

fn reduce(w: &mut Playground, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        w.reduce_mut(a);
    }
}

fn notice(w: &Playground) -> Option<&str> {
    w.notice.as_ref().map(|n| n.text.as_str())
}

fn example(name: &str) -> usize {
    EXAMPLES.iter().position(|e| e.name == name).unwrap()
}

fn r0(w: &Playground) -> u64 {
    w.engine().run.as_ref().map_or(0, |r| r.vm().regs()[0])
}

#[test]
fn the_page_opens_on_the_first_example_verified() {
    let w = Playground::default();
    assert_eq!(w.setup().prog_type, Some(ProgType::SocketFilter));
    assert!(!w.program.insns.is_empty());
    let verdict = w.program.verdict.as_ref().unwrap();
    assert_eq!(verdict.errno, None, "{}", verdict.log);
    assert!(
        verdict.log.starts_with("0: (bf) r6 = r1\n"),
        "{}",
        verdict.log
    );
}

#[test]
fn every_example_loads_and_runs_or_is_explained() {
    for (i, e) in EXAMPLES.iter().enumerate() {
        let mut w = Playground::default();
        reduce(&mut w, [Action::LoadExample(i), Action::Continue]);
        if header(e.source, "expect:") == Some("rejected") {
            let v = w.program.verdict.as_ref().unwrap();
            assert!(
                v.explanation.is_some() && v.rejection.is_some(),
                "{}",
                e.name
            );
            continue;
        }
        let engine = w.engine();
        let run = engine
            .run
            .as_ref()
            .unwrap_or_else(|| panic!("{}: {:?}", e.name, w.notice));
        assert!(
            matches!(run.vm().state(), State::Exited { .. }),
            "{}: {:?}",
            e.name,
            run.vm().state()
        );
    }
}

#[test]
fn step_back_and_breakpoints() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("answer.s")),
            Action::Step,
            Action::Step,
        ],
    );
    assert_eq!(r0(&w), 42);
    reduce(&mut w, [Action::StepBack]);
    assert_eq!(r0(&w), 6);
    let last = w
        .engine()
        .last_step
        .clone()
        .expect("the step into the state shown");
    assert_eq!(
        (last.pc, last.regs[0].new),
        (0, 6),
        "r0 = 6 was the first step"
    );
    reduce(
        &mut w,
        [Action::Reset, Action::ToggleBreakpoint(1), Action::Continue],
    );
    assert_eq!(
        w.engine().run.as_ref().unwrap().vm().pc(),
        1,
        "stopped at the breakpoint"
    );
    reduce(&mut w, [Action::Continue]);
    assert_eq!(r0(&w), 42);
    // Back from the end, all the way to the start.
    reduce(
        &mut w,
        [Action::StepBack, Action::StepBack, Action::StepBack],
    );
    assert_eq!(w.engine().run.as_ref().unwrap().vm().pc(), 0);
}

#[test]
fn kernel_runs_report_trace_and_verdict() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("kprobe-count.s")),
            Action::Continue,
        ],
    );
    let engine = w.engine();
    assert!(
        engine
            .console
            .iter()
            .any(|l| matches!(l, ConsoleLine::Output(t) if t.ends_with(": :  hit"))),
        "{:?}",
        engine.console
    );
    assert_eq!(engine.report.as_ref().unwrap().ret, 0);
}

#[test]
fn a_kernel_run_shows_the_u32_the_kernel_returns_beside_the_full_r0() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("kprobe-count.s")),
            Action::Edit(String::from("r0 = -2\nexit")),
            Action::Continue,
        ],
    );
    assert_eq!(
        w.status().text,
        "exited: r0 = 0xfffffffffffffffe after 2 instructions, the kernel returns 0xfffffffe (u32) — record the event"
    );
    // When the two agree, the status says it once.
    reduce(
        &mut w,
        [Action::Edit(String::from("r0 = 7\nexit")), Action::Continue],
    );
    assert_eq!(
        w.status().text,
        "exited: r0 = 0x7 after 2 instructions — record the event"
    );
}

#[test]
fn rejected_programs_show_the_log_and_an_explanation() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [Action::LoadExample(example("rejected-null-check.s"))],
    );
    let v = w.program.verdict.clone().unwrap();
    assert_eq!(v.errno, Some(Errno::EACCES));
    assert_eq!(
        v.rejection.as_ref().unwrap().to_string(),
        "R0 invalid mem access 'map_value_or_null'"
    );
    assert!(v.explanation.is_some());
    reduce(&mut w, [Action::Continue]);
    assert!(w.engine().run.is_none(), "a rejected program does not run");
}

#[test]
fn a_rejection_is_headed_by_its_message_and_run_offers_the_plain_vm() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::Edit(String::from("r1 = 1\nexit"))]);
    reduce(&mut w, [Action::Verify]);
    let view = w.verifier().unwrap();
    assert_eq!(view.state, view::VerdictState::Rejected);
    assert_eq!(view.headline, "R0 !read_ok (EACCES)");
    reduce(&mut w, [Action::Continue]);
    assert!(w.engine().run.is_none());
    let n = w.notice.clone().unwrap();
    assert_eq!(n.offer, Some(Offer::RunUnverified));
    assert!(n.text.contains("R0 !read_ok (EACCES)"), "{}", n.text);
    // The plain VM runs it anyway: exit with r0 = 0 (no verifier to refuse).
    reduce(&mut w, [Action::RunUnverified]);
    assert_eq!(w.notice, None);
    assert!(
        w.status()
            .text
            .starts_with("exited: r0 = 0x0 after 2 instructions"),
        "{}",
        w.status().text
    );
}

#[test]
fn an_assembly_error_leaves_no_stale_verdict_and_fixing_the_text_clears_it() {
    let mut w = Playground::default();
    assert_eq!(w.verifier().unwrap().headline, "accepted");
    reduce(&mut w, [Action::Continue]);
    assert!(w.status().text.starts_with("exited"), "{}", w.status().text);
    // A run's error notice is about the text; the next edit removes it.
    w.notice = Some(Notice::from(Error::Run(String::from("old"))));
    reduce(&mut w, [Action::Edit(String::from("r0 = 0\nexit\nr0 = "))]);
    assert_eq!(w.notice, None, "the notice was about the text before");
    assert_eq!(
        w.status().text,
        "not running",
        "the run was of the text before"
    );
    // Typing: assembling waits for the pause.
    assert_eq!(w.verifier().unwrap().state, view::VerdictState::Verifying);
    // Assembling and verifying after typing pauses shows no assembler notice: the
    // editor has the error.
    reduce(&mut w, [Action::Verify]);
    assert_eq!(w.notice, None);
    let view = w.verifier().unwrap();
    assert_eq!(view.state, view::VerdictState::NotAssembled);
    assert!(
        view.headline.starts_with("not assembled: line 3"),
        "{}",
        view.headline
    );
    assert!(view.log.is_empty());
    assert!(w.editor().asm_error.is_some());
    // Fixed: the error and the verdict are pending until the pause, then current.
    reduce(&mut w, [Action::Edit(String::from("r0 = 0\nexit"))]);
    assert_eq!(w.verifier().unwrap().headline, "verifying…");
    reduce(&mut w, [Action::Verify]);
    assert_eq!(w.editor().asm_error, None);
    assert_eq!(w.verifier().unwrap().headline, "accepted");
    // Typing on an accepted program: the old verdict is marked, not shown as current.
    reduce(&mut w, [Action::Edit(String::from("r0 = 1\nexit"))]);
    let view = w.verifier().unwrap();
    assert_eq!(
        (view.state, view.log.len()),
        (view::VerdictState::Verifying, 2)
    );
}

#[test]
fn a_setup_error_notice_goes_once_the_field_is_fixed() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::SetSetup(SetupField::Skb("mark=x".into()))]);
    assert!(w.notice.as_ref().is_some_and(|n| n.about_tab));
    reduce(&mut w, [Action::SetSetup(SetupField::Skb("mark=1".into()))]);
    assert_eq!(w.notice, None);
    // A notice about the workspace stays.
    w.notice = Some(Notice::info(String::from("Opened the workspace file.")));
    reduce(&mut w, [Action::Edit(String::from("r0 = 0\nexit"))]);
    assert!(w.notice.is_some());
}

#[test]
fn packets_are_read_from_hex_dumps_and_c_arrays_or_refused_precisely() {
    let mut w = Playground::default();
    let dump = "0000   02 00 00 00 00 02 aa bb   ........\n0008   cc dd                     ..\n";
    reduce(&mut w, [Action::SetSetup(SetupField::Packet(dump.into()))]);
    assert_eq!(w.setup().packet, [2, 0, 0, 0, 0, 2, 0xaa, 0xbb, 0xcc, 0xdd]);
    reduce(
        &mut w,
        [Action::SetSetup(SetupField::Packet(
            "0x02, 0x00, 0x1".into(),
        ))],
    );
    assert_eq!(w.setup().packet, [2, 0, 1]);
    reduce(
        &mut w,
        [Action::SetSetup(SetupField::Packet("02 00 0x".into()))],
    );
    assert_eq!(
        notice(&w),
        Some("packet: line 1, column 7: `0x` has no hex digits after `0x`")
    );
    assert_eq!(w.setup().packet, [2, 0, 1], "refused text changes nothing");
}

#[test]
fn go_to_address_reads_hex_and_names_what_is_not() {
    assert_eq!(
        view::parse_address(" 0x1800001f8 "),
        Ok(Some(0x1_8000_01f8))
    );
    assert_eq!(view::parse_address("ff"), Ok(Some(0xff)));
    assert_eq!(view::parse_address(""), Ok(None));
    assert_eq!(
        view::parse_address("zzz"),
        Err(String::from(
            "`zzz` is not an address: `z` at column 1 is not a hex digit (e.g. 0x180000ff8)"
        ))
    );
    assert_eq!(
        view::parse_address("0x12g4").unwrap_err(),
        "`0x12g4` is not an address: `g` at column 5 is not a hex digit (e.g. 0x180000ff8)"
    );
}

#[test]
fn debugger_keys_and_ctrl_enter_are_shortcuts() {
    use keys::shortcut;
    assert!(matches!(
        shortcut("F8", false, false),
        Some(Action::Continue)
    ));
    assert!(matches!(
        shortcut("Enter", false, true),
        Some(Action::Continue)
    ));
    assert!(matches!(shortcut("F10", false, false), Some(Action::Step)));
    assert!(matches!(shortcut("F11", false, false), Some(Action::Step)));
    assert!(matches!(
        shortcut("F11", true, false),
        Some(Action::StepBack)
    ));
    assert!(
        shortcut("Enter", false, false).is_none(),
        "plain Enter is typing"
    );
    assert!(shortcut("a", false, true).is_none());
}

#[test]
fn the_console_drives_the_same_kernel() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::Console(
                "map create /sys/fs/bpf/c type hash key 4 value 8 entries 4 name c".into(),
            ),
            Action::Console(
                "map update pinned /sys/fs/bpf/c key 1 0 0 0 value 2 0 0 0 0 0 0 0".into(),
            ),
            Action::Console("map getnext pinned /sys/fs/bpf/c key hex ff ff ff ff".into()),
            Action::Console("map frob".into()),
        ],
    );
    let engine = w.engine();
    let lines: Vec<&ConsoleLine> = engine.console.iter().collect();
    assert!(
        lines.contains(&&ConsoleLine::Output(
            "key: ff ff ff ff  next key: 01 00 00 00".into()
        )),
        "{lines:?}"
    );
    assert!(
        matches!(lines.last(), Some(ConsoleLine::Error(e)) if e.starts_with("Error: unknown command"))
    );
}

#[test]
fn errors_are_shown_not_panicked() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [Action::Edit("r0 = \nexit".into()), Action::Continue],
    );
    assert_eq!(
        w.program.asm_error.as_ref().unwrap().to_string(),
        "line 1, column 5: expected an immediate, found end of line"
    );
    assert!(
        notice(&w).is_some_and(|n| n.starts_with("assembler:")),
        "{:?}",
        w.notice
    );
    reduce(&mut w, [Action::Edit("r0 = 0\nexit".into())]);
    let before = w.setup().clone();
    reduce(
        &mut w,
        [Action::SetSetup(SetupField::Maps("hash:4".into()))],
    );
    assert_eq!(
        notice(&w),
        Some("maps: maps item 1 `hash:4`: expected type:key_size:value_size:max_entries")
    );
    reduce(
        &mut w,
        [Action::SetSetup(SetupField::Maps("array:8:8:4".into()))],
    );
    assert_eq!(
        notice(&w),
        Some(
            "tab `program1`, map 1 (array:8:8:4): the kernel refuses it (EINVAL: Invalid argument)"
        )
    );
    reduce(&mut w, [Action::SetSetup(SetupField::Packet("0g".into()))]);
    assert_eq!(
        notice(&w),
        Some("packet: line 1, column 2: `g` (in `0g`) is not a hex digit")
    );
    assert_eq!(w.setup(), &before, "refused text changes nothing");
}

#[test]
fn plain_programs_run_in_the_vm_with_memory() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("sum-bytes.s")),
            Action::Continue,
        ],
    );
    assert_eq!(w.setup().prog_type, None);
    assert!(
        w.program.verdict.is_none(),
        "no kernel verifier for plain runs"
    );
    assert_eq!(r0(&w), 10);
}

#[test]
fn helper_calls_are_shown_with_their_arguments_and_result() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("sockex1-proto-count.s")),
            Action::Continue,
        ],
    );
    let engine = w.engine();
    let calls: Vec<&ConsoleLine> = engine
        .console
        .iter()
        .filter(|l| matches!(l, ConsoleLine::Output(t) if t.starts_with("r0 = bpf_")))
        .collect();
    assert_eq!(
        calls,
        vec![&ConsoleLine::Output(
            "r0 = bpf_map_lookup_elem(map 1 (map0), fp-4) = map_value+0".into()
        )]
    );
}

#[test]
fn sk_buff_fields_are_editable() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [Action::Edit(
            "r0 = *(u32 *)(r1 +8)\nr2 = *(u32 *)(r1 +48)\nr0 += r2\nexit".into(),
        )],
    );
    reduce(
        &mut w,
        [
            Action::SetSetup(SetupField::Skb("mark=0x10 cb0=2".into())),
            Action::Continue,
        ],
    );
    assert_eq!(r0(&w), 0x10, "socket filters see zeroed cb");
    reduce(
        &mut w,
        [
            Action::SetSetup(SetupField::ProgType("sched_cls".into())),
            Action::Continue,
        ],
    );
    assert_eq!(r0(&w), 0x12);
    reduce(
        &mut w,
        [Action::SetSetup(SetupField::Skb("colour=3".into()))],
    );
    assert!(
        notice(&w).is_some_and(|n| n.starts_with("skb: `colour=3` names an unknown field")),
        "{:?}",
        w.notice
    );
    assert_eq!(w.setup().skb.to_string(), "mark=16 cb0=2");
}

#[test]
fn a_workspace_holds_several_programs_the_console_can_load() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("shared-ingress.s")),
            Action::NewTab,
            Action::LoadExample(example("shared-egress.s")),
        ],
    );
    assert_eq!(w.workspace().tabs.len(), 2);
    assert_eq!(
        (w.workspace().active, w.workspace().tabs[1].name.as_str()),
        (1, "program2")
    );
    reduce(&mut w, [
        Action::Console("map create /sys/fs/bpf/traffic type array key 4 value 8 entries 2".into()),
        Action::Console("prog load program1 /sys/fs/bpf/in type sched_cls map idx 0 pinned /sys/fs/bpf/traffic".into()),
        Action::Console("prog load program2 /sys/fs/bpf/out type sched_cls map idx 0 pinned /sys/fs/bpf/traffic".into()),
        Action::Console("prog run pinned /sys/fs/bpf/in packet hex 00 11 22 33".into()),
        Action::Console("prog run pinned /sys/fs/bpf/out packet hex 00 11".into()),
        Action::Console("map dump pinned /sys/fs/bpf/traffic".into()),
    ]);
    let engine = w.engine();
    let out: Vec<&ConsoleLine> = engine.console.iter().collect();
    assert!(
        out.contains(&&ConsoleLine::Output(
            "key: 00 00 00 00  value: 04 00 00 00 00 00 00 00".into()
        )),
        "{out:?}"
    );
    assert!(
        out.contains(&&ConsoleLine::Output(
            "key: 01 00 00 00  value: 02 00 00 00 00 00 00 00".into()
        )),
        "{out:?}"
    );
    drop(engine);
    reduce(&mut w, [Action::SwitchTab(0)]);
    assert!(w.source().contains("slot 0: ingress"));
    reduce(&mut w, [Action::CloseTab(1)]);
    assert_eq!((w.workspace().tabs.len(), w.workspace().active), (1, 0));
}

#[test]
fn closing_a_tab_keeps_the_active_program_and_the_last_tab_stays() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::NewTab, Action::NewTab]);
    reduce(&mut w, [Action::Edit("mov r0, 3\nexit\n".into())]);
    assert_eq!((w.workspace().tabs.len(), w.workspace().active), (3, 2));
    reduce(&mut w, [Action::CloseTab(0)]);
    assert_eq!(
        (
            w.workspace().tabs.len(),
            w.workspace().active,
            w.workspace().tabs[1].name.as_str()
        ),
        (2, 1, "program3")
    );
    assert_eq!(w.source(), "mov r0, 3\nexit\n");
    reduce(
        &mut w,
        [
            Action::CloseTab(1),
            Action::CloseTab(0),
            Action::SwitchTab(7),
        ],
    );
    assert_eq!(
        (
            w.workspace().tabs.len(),
            w.workspace().active,
            w.workspace().tabs[0].name.as_str()
        ),
        (1, 0, "program2")
    );
}

/// A stand-in for the browser's WebAssembly under core's driver loop: checks that it is
/// handed a module (so the reducer handed over a runnable program) but, instead of
/// running it, has `run` return a fixed r0 with no effects.
struct FixedJit(u64);

struct FixedEngine {
    r0: u64,
    memory: Vec<u8>,
}

impl LinearMemory for FixedEngine {
    fn read(&self, at: u32, out: &mut [u8]) {
        self.memory.read(at, out)
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        self.memory.write(at, bytes)
    }

    fn grow_to(&mut self, len: u32) -> Result<(), String> {
        self.memory.grow_to(len)
    }
}

impl Engine for FixedEngine {
    type Instance = ();

    fn start(&mut self, len: u32, _: Imports) -> Result<(), String> {
        self.memory = vec![0; len as usize];
        Ok(())
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<(), String> {
        assert_eq!(&wasm[..4], b"\0asm");
        Ok(())
    }

    fn call_run(&mut self, _: &()) -> Result<u64, String> {
        Ok(self.r0)
    }
}

impl crate::jit::JitRunner for FixedJit {
    fn run(
        &self,
        run: JitRun,
        helpers: Rc<RefCell<dyn bpfplay_core::vm::Helpers>>,
    ) -> Result<crate::jit::JitOutcome, String> {
        let mut engine = FixedEngine {
            r0: self.0,
            memory: Vec::new(),
        };
        let finished = host::drive(&mut engine, run, helpers).map_err(|e| e.to_string())?;
        Ok(crate::jit::JitOutcome {
            vm: finished.vm,
            modules: finished.modules,
            module_bytes: finished.module_bytes,
            instantiate_ms: 1.0,
            run_ms: 0.5,
        })
    }
}

fn with_jit(r0: u64) -> Playground {
    let mut w = Playground::default();
    w.set_jit_host(crate::jit::JitHost(Rc::new(FixedJit(r0))));
    reduce(&mut w, [Action::SetRunner(Runner::WasmJit)]);
    w
}

#[test]
fn run_with_the_jit_compares_it_with_the_interpreter() {
    let mut w = with_jit(42);
    reduce(
        &mut w,
        [Action::LoadExample(example("answer.s")), Action::Continue],
    );
    let report = w.engine().jit_report.clone().expect("a JIT report");
    assert!(report.agrees(), "{report}");
    assert!(
        report
            .to_string()
            .starts_with("wasm JIT: r0 = 0x2a in 0.500 ms"),
        "{report}"
    );

    let mut w = with_jit(7);
    reduce(
        &mut w,
        [Action::LoadExample(example("answer.s")), Action::Continue],
    );
    let report = w.engine().jit_report.clone().unwrap();
    assert_eq!(
        report.difference.as_deref(),
        Some("the interpreter ended with r0 = 0x2a")
    );
}

#[test]
fn a_kernel_run_through_the_jit_is_compared_with_the_kernel_afterwards() {
    // The interpreter's r0, but none of the program's effects: the end agrees and the
    // map the program counts packets in does not.
    let load = || {
        [
            Action::LoadExample(example("sockex1-proto-count.s")),
            Action::Continue,
        ]
    };
    let mut w = Playground::default();
    reduce(&mut w, load());
    let r0 = match w.engine().run.as_ref().map(|r| r.vm().state().clone()) {
        Some(State::Exited { r0, .. }) => r0,
        other => panic!("{other:?}"),
    };
    let mut w = with_jit(r0);
    reduce(&mut w, load());
    let report = w.engine().jit_report.clone().expect("a JIT report");
    assert_eq!(
        report.difference.as_deref(),
        Some("the kernels differ after the run (map contents)"),
        "{report}"
    );
    assert!(report.to_string().contains("DISAGREES"), "{report}");
}

#[test]
fn a_long_run_with_the_jit_goes_in_slices_and_the_jit_follows_its_end() {
    // 9.8M instructions, under the 10M fuel: the interpreter's part goes in slices as
    // any run does (a page task each), and the JIT runs once it has ended.
    let run_the_loop = || {
        [
            Action::SetSetup(SetupField::ProgType("plain".into())),
            Action::Edit("r0 = 0\nloop:\nr0 += 1\nif r0 != 4900000 goto loop\nexit".into()),
            Action::Continue,
        ]
    };
    let mut w = with_jit(4_900_000);
    reduce(&mut w, run_the_loop());
    while w.running().is_some() {
        assert!(
            w.engine().jit_report.is_none(),
            "the JIT waits for the interpreter's end"
        );
        reduce(&mut w, [Action::RunSlice]);
    }
    let report = w.engine().jit_report.clone();
    let report = report.unwrap_or_else(|| panic!("no JIT report: {:?}", notice(&w)));
    assert!(report.agrees(), "{report}");

    // Stopped before its end, the run leaves the JIT out: Continue goes on in the
    // interpreter only.
    let mut w = with_jit(4_900_000);
    reduce(&mut w, run_the_loop());
    reduce(&mut w, [Action::Stop]);
    assert_eq!(
        notice(&w),
        Some(
            "wasm JIT: not run: the interpreter's run was stopped before its end, and the JIT runs only after it"
        )
    );
    reduce(&mut w, [Action::Continue]);
    while w.running().is_some() {
        reduce(&mut w, [Action::RunSlice]);
    }
    assert!(w.engine().jit_report.is_none());
}

#[test]
fn the_jit_needs_a_host() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [Action::SetRunner(Runner::WasmJit), Action::Continue],
    );
    assert!(
        notice(&w)
            .unwrap()
            .contains("needs the browser's WebAssembly engine")
    );
}

/// Some of everything a workspace holds: two tabs with setups and breakpoints, a
/// pinned map with entries made by the map forms, a program run to its end.
fn busy() -> Playground {
    let mut w = Playground::default();
    let create =
        map_command::create("/sys/fs/bpf/counts", "hash", "4", "8", "16", "counts").unwrap();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("sockex1-proto-count.s")),
            Action::ToggleBreakpoint(3),
            Action::Command(create),
            Action::NewTab,
            Action::LoadExample(example("answer.s")),
            Action::SetSetup(SetupField::Skb("mark=5".into())),
            Action::SwitchTab(0),
            Action::Continue,
            Action::Continue,
        ],
    );
    let id = w
        .maps()
        .iter()
        .find(|m| m.title.contains("counts"))
        .unwrap()
        .id;
    reduce(
        &mut w,
        [
            Action::Command(
                map_command::update(id, "1 0 0 0", "hex 2a 00 00 00 00 00 00 00").unwrap(),
            ),
            Action::Command(map_command::update(id, "2 0 0 0", "7 0 0 0 0 0 0 0").unwrap()),
        ],
    );
    w
}

#[test]
fn the_map_forms_dispatch_the_commands_the_console_parses() {
    let mut w = busy();
    let map = |w: &Playground| {
        w.maps()
            .into_iter()
            .find(|m| m.title.contains("counts"))
            .unwrap()
    };
    let counts = map(&w);
    assert_eq!(
        counts
            .entries
            .iter()
            .map(|e| e.numbers.as_str())
            .collect::<Vec<_>>(),
        ["u64 7 / i64 7", "u64 42 / i64 42"],
        "in the kernel's jhash order"
    );
    assert_eq!(counts.pins, ["/sys/fs/bpf/counts"]);
    let id = counts.id;
    let typed = [
        map_command::delete(id, vec![1, 0, 0, 0]),
        map_command::pin(id, "/sys/fs/bpf/again"),
        map_command::unpin("/sys/fs/bpf/counts"),
    ];
    let texts = [
        format!("map delete id {id} key hex 01 00 00 00"),
        format!("map pin id {id} /sys/fs/bpf/again"),
        String::from("fs unlink /sys/fs/bpf/counts"),
    ];
    for (command, text) in typed.iter().zip(&texts) {
        assert_eq!(&bpfplay_core::bpftool::parse(text).unwrap(), command);
    }
    reduce(&mut w, typed.map(Action::Command));
    let counts = map(&w);
    assert_eq!(counts.entries.len(), 1);
    assert_eq!(counts.pins, ["/sys/fs/bpf/again"]);
    // A form's text that is not bpftool's says so and changes nothing.
    let e = map_command::update(id, "1 0 0", "zz").unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("map {id}: the key or value is not bpftool's: ")),
        "{e}"
    );
    let e = map_command::create("/sys/fs/bpf/x", "hash", "four", "8", "1", "").unwrap_err();
    assert_eq!(
        e.to_string(),
        "maps item 1 `hash:four:8:1`: expected type:key_size:value_size:max_entries"
    );
}

#[test]
fn rebuilding_the_engine_from_the_workspace_gives_the_same_state() {
    let w = busy();
    let workspace = (**w.workspace()).clone();
    assert_eq!(workspace.tabs.len(), 2);
    assert_eq!(workspace.tabs[0].breakpoints, [3].into());
    assert_eq!(workspace.kernel, w.engine().session.kernel.snapshot());
    let rebuilt = Playground::open(workspace.clone()).unwrap();
    assert_eq!(**rebuilt.workspace(), workspace, "opening changes nothing");
    assert_eq!(
        rebuilt.engine().session.kernel.snapshot(),
        w.engine().session.kernel.snapshot()
    );
    assert_eq!(
        rebuilt.engine().session.current(),
        w.engine().session.current()
    );
    assert_eq!(rebuilt.maps(), w.maps());
    assert_eq!(rebuilt.bpffs(), w.bpffs());
    assert_eq!(rebuilt.program, w.program);
    assert_eq!(rebuilt.setup_view(), w.setup_view());
    // And it goes on the same way: the next run counts on the same maps.
    let (mut a, mut b) = (w, rebuilt);
    reduce(&mut a, [Action::Reset, Action::Continue, Action::Continue]);
    reduce(&mut b, [Action::Continue, Action::Continue]);
    assert_eq!(a.workspace(), b.workspace());
}

#[test]
fn a_paused_run_leaves_the_workspace_kernel_as_it_was_before_the_run() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::Step]);
    let before = w.workspace().kernel.clone();
    reduce(&mut w, [Action::Step, Action::Step, Action::Step]);
    assert_eq!(w.workspace().kernel, before);
    reduce(&mut w, [Action::Continue]);
    assert_ne!(
        w.workspace().kernel,
        before,
        "the run counted a packet in its map"
    );
}

#[test]
fn a_link_opens_over_the_autosave_which_stays_one_click_away() {
    let mine = busy();
    let stored = bpfplay_core::workspace::document::to_json(mine.workspace());
    let mut theirs = Playground::default();
    reduce(&mut theirs, [Action::Edit("r0 = 9\nexit\n".into())]);
    let link = bpfplay_core::workspace::link::encode(theirs.workspace()).unwrap();
    let preferences = Some(String::from(r#"{"version":1,"theme":"light"}"#));
    let mut page = storage::open_page(Some(stored.clone()), None, preferences, &link.fragment);
    assert_eq!(page.workspace(), theirs.workspace());
    assert_eq!(page.replaced.as_deref(), Some(&**mine.workspace()));
    reduce(&mut page, [Action::RestoreReplaced]);
    assert_eq!(page.workspace(), mine.workspace());
    // The reader's theme is the reader's, whichever workspace is open.
    assert_eq!(page.preferences.theme, Some(Theme::Light));
    assert_eq!(page.replaced.as_deref(), Some(&**theirs.workspace()));
    // The same link again opens nothing new.
    let again = storage::open_page(
        Some(bpfplay_core::workspace::document::to_json(
            theirs.workspace(),
        )),
        None,
        None,
        &link.fragment,
    );
    assert!(again.replaced.is_none());
}

#[test]
fn a_bad_link_says_what_is_wrong_and_keeps_the_workspace() {
    let mine = busy();
    let stored = bpfplay_core::workspace::document::to_json(mine.workspace());
    let link = bpfplay_core::workspace::link::encode(Playground::default().workspace()).unwrap();
    let cut = &link.fragment[..link.fragment.len() / 2];
    let page = storage::open_page(Some(stored), None, None, cut);
    assert_eq!(page.workspace(), mine.workspace());
    assert_eq!(
        notice(&page),
        Some(
            "this share link cannot be opened: it is cut short; copy the whole link, or share the workspace file"
        )
    );
    assert!(page.notice.as_ref().unwrap().error);
}

#[test]
fn a_damaged_store_keeps_the_programs_and_says_what_was_lost() {
    let mine = busy();
    let stored = bpfplay_core::workspace::document::to_json(mine.workspace());
    let damaged = &stored[..stored.len() - 200];
    let page = storage::restore(Some(damaged.to_owned()));
    let sources: Vec<&str> = page
        .workspace()
        .tabs
        .iter()
        .map(|t| t.source.as_str())
        .collect();
    let expected: Vec<&str> = mine
        .workspace()
        .tabs
        .iter()
        .map(|t| t.source.as_str())
        .collect();
    assert_eq!(sources, expected);
    let text = notice(&page).unwrap();
    assert!(
        text.starts_with("The saved workspace was damaged (it is not readable JSON ("),
        "{text}"
    );
    assert!(text.ends_with("Kept every program; lost: everything but the program texts (setups, breakpoints, kernel state)."), "{text}");
    let nothing = storage::restore(Some("}{".into()));
    assert_eq!(nothing.workspace(), Playground::default().workspace());
    assert!(
        notice(&nothing)
            .unwrap()
            .contains("could not be read at all")
    );
}

#[test]
fn the_old_quoted_autosave_still_opens() {
    let mine = busy();
    let quoted = serde_json::to_string(&bpfplay_core::workspace::document::to_json(
        mine.workspace(),
    ))
    .unwrap();
    assert_eq!(storage::restore(Some(quoted)).workspace(), mine.workspace());
}

#[test]
fn a_workspace_file_round_trips_and_a_bad_one_is_named() {
    let mine = busy();
    let (name, text) = share::workspace_file(mine.workspace());
    assert_eq!(name, "program1.bpfplay.json");
    assert_eq!(
        &share::open_file(&name, &text).unwrap(),
        &**mine.workspace()
    );
    let e = share::open_file(
        "x.bpfplay.json",
        "{\"format\": \"bpfplay-workspace\", \"version\": 9}",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.bpfplay.json: it is workspace format version 9, newer than this bpfplay reads (up to 3); update bpfplay"
    );
}

#[test]
fn a_file_too_large_is_refused_by_its_size() {
    assert!(share::check_file_size("w.bpfplay.json", share::MAX_FILE_BYTES).is_ok());
    let e = share::check_file_size("huge.json", 100 << 20).unwrap_err();
    assert_eq!(
        e.to_string(),
        "huge.json: 100 MB is too large for a workspace file (at most 8 MB); not opened"
    );
}

#[test]
fn share_warns_about_long_links() {
    let mut w = Playground::default();
    let shared = share::share(w.workspace(), "http://127.0.0.1:8080/").unwrap();
    assert!(!shared.long);
    assert_eq!(shared.note, format!("{} characters", shared.url.len()));
    // Text that deflate cannot shrink much.
    let mut x: u32 = 1;
    let noise: String = (0..9_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + (x >> 16) as u8 % 26)
        })
        .collect();
    reduce(&mut w, [Action::Edit(noise)]);
    let shared = share::share(w.workspace(), "http://127.0.0.1:8080/").unwrap();
    assert!(shared.long, "{}", shared.url.len());
    assert!(shared.note.contains("over 8000"), "{}", shared.note);
}

#[test]
fn a_card_action_echoes_its_command_line_as_if_it_had_been_typed() {
    let create =
        map_command::create("/sys/fs/bpf/counts", "hash", "4", "8", "16", "counts").unwrap();
    let update = |id| map_command::update(id, "1 0 0 0", "hex 2a 00 00 00 00 00 00 00").unwrap();
    let mut by_card = Playground::default();
    reduce(&mut by_card, [Action::Command(create)]);
    let id = by_card.maps()[0].id;
    reduce(&mut by_card, [Action::Command(update(id))]);

    let mut by_console = Playground::default();
    let typed = [
        String::from(
            "map create /sys/fs/bpf/counts type hash key 4 value 8 entries 16 name counts",
        ),
        format!("map update id {id} key hex 01 00 00 00 value hex 2a 00 00 00 00 00 00 00"),
    ];
    reduce(&mut by_console, typed.clone().map(Action::Console));

    let card_lines = by_card.console_lines(usize::MAX).0;
    assert_eq!(card_lines, by_console.console_lines(usize::MAX).0);
    let echoed: Vec<_> = card_lines
        .iter()
        .filter_map(|l| match l {
            ConsoleLine::Command(text) => Some(text),
            _ => None,
        })
        .collect();
    assert_eq!(echoed, typed.iter().collect::<Vec<_>>());
    assert!(
        matches!(&card_lines[1], ConsoleLine::Output(t) if t.starts_with("map ")),
        "{card_lines:?}"
    );
}

#[test]
fn a_long_run_goes_in_slices_stops_and_steps_back_from_its_end() {
    let mut w = Playground::default();
    // The breakpoint on the unreachable `exit` makes each instruction take the stepping
    // path, so that the 10M-instruction fuel takes many slices.
    reduce(
        &mut w,
        [
            Action::SetSetup(SetupField::ProgType("plain".into())),
            Action::Edit("r0 = 0\nloop:\nr0 += 1\ngoto loop\nexit".into()),
            Action::ToggleBreakpoint(3),
            Action::Continue,
        ],
    );
    let executed = |w: &Playground| w.engine().run.as_ref().unwrap().vm().executed();
    assert!(w.running().is_some(), "one slice did not finish it");
    reduce(&mut w, [Action::Stop]);
    let stopped = executed(&w);
    assert!(w.running().is_none() && stopped < Config::DEFAULT_FUEL);
    reduce(&mut w, [Action::RunSlice]);
    assert_eq!(executed(&w), stopped, "a stopped run stays where it is");
    reduce(&mut w, [Action::Continue]);
    while w.running().is_some() {
        reduce(&mut w, [Action::RunSlice]);
    }
    let vm_state = |w: &Playground| w.engine().run.as_ref().unwrap().vm().state().clone();
    assert!(
        matches!(vm_state(&w), State::Faulted(f) if matches!(f.kind, FaultKind::OutOfFuel { .. }))
    );
    // Out of fuel ends the run on fetching the next instruction: one step back is
    // before that end, with every instruction of the fuel executed.
    reduce(&mut w, [Action::StepBack]);
    assert_eq!(vm_state(&w), State::Running);
    assert_eq!(executed(&w), Config::DEFAULT_FUEL);
    reduce(&mut w, [Action::StepBack, Action::StepBack]);
    assert_eq!(executed(&w), Config::DEFAULT_FUEL - 2);
    assert_eq!(
        w.current_pc(),
        Some(2),
        "after an even count the loop is at its `goto`"
    );
}

#[test]
fn a_console_batch_goes_in_slices_while_editing_and_stop_ends_it() {
    let mut w = Playground::default();
    let runs = |w: &Playground| {
        w.engine()
            .console
            .iter()
            .filter(|l| {
                **l == ConsoleLine::Output("r0 = 0x2: keep the whole packet (2 bytes)".into())
            })
            .count() as u64
    };
    reduce(
        &mut w,
        [
            Action::Edit("r0 = 2\nexit\n".into()),
            Action::Console("prog load current /sys/fs/bpf/p type socket_filter".into()),
            Action::Console("prog run pinned /sys/fs/bpf/p packet hex 00 11 repeat 3".into()),
        ],
    );
    assert_eq!(
        (w.batch(), runs(&w)),
        (None, 3),
        "a short batch ends at once"
    );
    // A million runs take more than a slice; each slice makes progress, and editing
    // the program debugged leaves the batch going.
    reduce(
        &mut w,
        [Action::Console(
            "prog run pinned /sys/fs/bpf/p packet hex 00 11 repeat 1000000".into(),
        )],
    );
    let (first, total) = w.batch().expect("one slice did not finish it");
    assert_eq!(total, 1_000_000);
    assert_eq!(runs(&w), 3 + first);
    reduce(
        &mut w,
        [Action::Edit("r0 = 3\nexit\n".into()), Action::RunSlice],
    );
    let (second, _) = w.batch().expect("editing does not end the batch");
    assert!(second > first);
    reduce(&mut w, [Action::Stop]);
    assert_eq!(w.batch(), None);
    assert_eq!(
        w.engine().console.last(),
        Some(&ConsoleLine::Output(format!(
            "stopped after {second} of 1000000 runs"
        )))
    );
    reduce(&mut w, [Action::RunSlice]);
    assert_eq!(runs(&w), 3 + second, "a stopped batch runs no more");
}

#[test]
fn preferences_load_from_any_document_with_defaults_for_what_is_missing() {
    let defaults = Preferences::default();
    assert_eq!(Preferences::from_stored(None), defaults);
    assert_eq!(Preferences::from_stored(Some("{}")), defaults);
    assert_eq!(Preferences::from_stored(Some(r#"{"version":1}"#)), defaults);
    assert_eq!(Preferences::from_stored(Some("not json")), defaults);
    // A newer document's extra fields are skipped; the known ones still count.
    let newer = r#"{"version":2,"theme":"dark","font":"large"}"#;
    assert_eq!(
        Preferences::from_stored(Some(newer)).theme,
        Some(Theme::Dark)
    );
    let chosen = Preferences {
        theme: Some(Theme::Light),
        intro_dismissed: true,
    };
    assert_eq!(
        chosen.stored_text(),
        r#"{"version":1,"theme":"light","intro_dismissed":true}"#
    );
    assert_eq!(
        Preferences::from_stored(Some(&chosen.stored_text())),
        chosen
    );
}

#[test]
fn the_theme_follows_the_system_until_chosen_then_stays() {
    let mut w = Playground::default();
    assert_eq!(w.preferences.theme(true), Theme::Light);
    assert_eq!(w.preferences.theme(false), Theme::Dark);
    reduce(&mut w, [Action::SetTheme(Theme::Dark)]);
    assert_eq!(w.preferences.theme(true), Theme::Dark);
    // What a reload reads back.
    let stored = w.preferences.stored_text();
    let page = storage::open_page(None, None, Some(stored), "");
    assert_eq!(page.preferences.theme(true), Theme::Dark);
}

#[test]
fn the_introduction_shows_until_dismissed_and_reopens() {
    let mut w = Playground::default();
    assert!(!w.preferences.intro_dismissed, "a first visit shows it");
    reduce(&mut w, [Action::ShowIntro(false)]);
    assert!(w.preferences.intro_dismissed);
    let page = storage::open_page(None, None, Some(w.preferences.stored_text()), "");
    assert!(page.preferences.intro_dismissed, "a reload remembers");
    reduce(&mut w, [Action::ShowIntro(true)]);
    assert!(!w.preferences.intro_dismissed);
}

#[test]
fn the_engine_choice_is_saved_with_the_workspace() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::SetRunner(Runner::WasmJit)]);
    let stored = storage::stored_text(w.workspace());
    let page = storage::open_page(Some(stored.clone()), None, None, "");
    assert_eq!(page.workspace().runner, Runner::WasmJit);
    // A document from before the engine choice existed opens with the interpreter.
    let old = stored.replace(r#""runner":"wasm_jit","#, "");
    assert_ne!(old, stored);
    let page = storage::open_page(Some(old), None, None, "");
    assert_eq!(page.workspace().runner, Runner::Interpreter);
    assert!(page.notice.is_none(), "{:?}", page.notice);
}

#[test]
fn an_example_replaces_an_unedited_program_and_opens_beside_an_edited_one() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::LoadExample(example("answer.s"))]);
    assert_eq!(w.workspace().tabs.len(), 1, "nothing to lose: replaced");
    assert!(!w.has_edits());
    reduce(
        &mut w,
        [
            Action::Edit("r0 = 1\nexit\n".into()),
            Action::LoadExample(example("stack-swap.s")),
        ],
    );
    let names: Vec<&str> = w.workspace().tabs.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["program1", "stack-swap"]);
    assert_eq!(w.tab().name, "stack-swap");
    assert_eq!(
        w.workspace().tabs[0].source,
        "r0 = 1\nexit\n",
        "the edits are kept"
    );
    assert_eq!(
        notice(&w),
        Some(
            "Opened the example in a new tab, stack-swap, so that your edits in program1 are kept."
        )
    );
    assert_eq!(w.example, Some(example("stack-swap.s")));
    // The same example over edits again gets a name of its own.
    reduce(
        &mut w,
        [
            Action::Edit("r0 = 2\nexit\n".into()),
            Action::LoadExample(example("stack-swap.s")),
        ],
    );
    assert_eq!(w.tab().name, "stack-swap2");
}

#[test]
fn the_examples_are_grouped_by_program_type_with_titles() {
    let view = Playground::default().setup_view();
    let labels: Vec<&str> = view.example_groups.iter().map(|g| g.label).collect();
    assert_eq!(labels, ["socket_filter", "kprobe", "sched_cls", "plain VM"]);
    let mut indexes: Vec<usize> = view
        .example_groups
        .iter()
        .flat_map(|g| g.examples.iter().map(|e| e.index))
        .collect();
    indexes.sort();
    assert_eq!(indexes, (0..EXAMPLES.len()).collect::<Vec<_>>());
    let tc = &view.example_groups[2];
    assert!(
        tc.examples
            .iter()
            .any(|e| e.title == "Rewrite a source address (NAT)")
    );
    assert_eq!(
        view.example_description,
        Some(EXAMPLES[0].description),
        "the page opens on the first example"
    );
}

#[test]
fn the_listing_names_helpers_as_bpftool_does_and_assembles_back() {
    let w = Playground::default();
    let call = (0..w.program.insns.len())
        .filter_map(|i| w.program.listing_row(i))
        .find(|r| r.text.starts_with("call "))
        .unwrap();
    assert_eq!(call.text, "call bpf_map_lookup_elem");
    assert_eq!(call.bytes, "85 00 00 00 01 00 00 00");
    let again = Program::assemble(&call.text);
    assert_eq!(again.listing_row(0).unwrap().bytes, call.bytes);
}

#[test]
fn the_console_history_is_the_commands_run_without_repeats_in_a_row() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::Console("map show".into()),
            Action::Console("map show".into()),
            Action::Console("help".into()),
            Action::Console("nonsense".into()),
            Action::Console("map show".into()),
        ],
    );
    assert_eq!(
        w.console_history(),
        ["map show", "help", "nonsense", "map show"]
    );
}

#[test]
fn help_and_help_command_answer_in_the_console() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::Console("help".into()),
            Action::Console("help prog".into()),
        ],
    );
    let (lines, hidden) = w.console_lines(usize::MAX);
    assert_eq!(hidden, 0);
    assert!(
        !lines.iter().any(|l| matches!(l, ConsoleLine::Error(_))),
        "{lines:?}"
    );
    let texts: Vec<String> = lines.iter().map(ConsoleLine::text).collect();
    let at = texts.iter().position(|t| t == "> help prog").unwrap();
    assert_eq!(
        texts[at + 1..],
        [
            "prog load FILE PATH type socket_filter|kprobe|sched_cls|sched_act [map idx N MAP]...",
            "prog run pinned PATH [packet FILE | packet hex BYTES] [repeat N]",
            "prog show",
            "MAP is `pinned PATH` or `id N`; BYTES are numbers (1, 0x01, 010) or `hex 01 00`; # starts a comment",
        ]
    );
    assert_eq!(
        w.console_lines(3).1,
        lines.len() - 3,
        "what a limit leaves out is counted"
    );
}

#[test]
fn the_console_version_changes_with_its_lines_and_with_a_new_engine_only() {
    let mut w = Playground::default();
    reduce(&mut w, [Action::Console("help".into())]);
    let before = w.console_version();
    reduce(&mut w, [Action::Edit(String::from("r0 = 1\nexit\n"))]);
    assert_eq!(
        w.console_version(),
        before,
        "an edit leaves the console as it was"
    );
    reduce(&mut w, [Action::Console("help".into())]);
    let grown = w.console_version();
    assert_ne!(grown, before, "new lines are a new version");
    // Another workspace: a new engine, whose console may come to the same length.
    let workspace = (*w.workspace).clone();
    reduce(&mut w, [Action::Open(Box::new(workspace), Origin::Link)]);
    reduce(&mut w, [Action::Console("help".into())]);
    reduce(&mut w, [Action::Console("help".into())]);
    assert_eq!(w.console_version().1, grown.1);
    assert_ne!(
        w.console_version(),
        grown,
        "another engine is another console"
    );
}

#[test]
fn tab_completes_commands_keywords_and_pinned_paths() {
    use super::completion::{Completion, complete};
    let mut w = Playground::default();
    reduce(
        &mut w,
        [Action::Console(
            "map create /sys/fs/bpf/counts type hash key 4 value 8 entries 4".into(),
        )],
    );
    let paths = w.bpffs_paths();
    assert_eq!(paths, ["/sys/fs/bpf/", "/sys/fs/bpf/counts"]);
    let line = |text: &str| complete(text, &paths).line;
    assert_eq!(line("ma"), "map ");
    assert_eq!(line("map du"), "map dump ");
    assert_eq!(line("map dump p"), "map dump pinned ");
    assert_eq!(
        line("map dump pinned /sys/fs/bpf/c"),
        "map dump pinned /sys/fs/bpf/counts "
    );
    assert_eq!(line("fs ls /s"), "fs ls /sys/fs/bpf/");
    assert_eq!(line("help pro"), "help pro");
    assert_eq!(line("help prog"), "help prog ");
    assert_eq!(
        line("prog load a.s /sys/fs/bpf/p type so"),
        "prog load a.s /sys/fs/bpf/p type socket_filter "
    );
    assert_eq!(line("nothing"), "nothing", "no match leaves the line");
    assert_eq!(
        complete("map d", &paths),
        Completion {
            line: String::from("map d"),
            choices: vec![String::from("delete"), String::from("dump")],
        }
    );
    assert_eq!(
        complete("p", &paths).choices,
        ["process", "prog"],
        "several choices: the common prefix stays, the choices are listed"
    );
    assert_eq!(line("p"), "pro");
}

#[test]
fn a_map_card_reads_one_page_of_a_large_array_and_turns_pages() {
    let mut w = Playground::default();
    reduce(
        &mut w,
        [
            Action::Console("rlimit memlock unlimited".into()),
            Action::Console(
                "map create /sys/fs/bpf/big type array key 4 value 8 entries 4000003".into(),
            ),
            Action::Console(
                "map update pinned /sys/fs/bpf/big key 65 0 0 0 value 7 0 0 0 0 0 0 0".into(),
            ),
        ],
    );
    let card = |w: &Playground| {
        w.maps()
            .into_iter()
            .find(|m| m.title.contains("entries 4000003"))
            .expect("the card of /sys/fs/bpf/big")
    };
    let first_page = card(&w);
    assert_eq!(
        (first_page.first, first_page.total, first_page.entries.len()),
        (0, 4_000_003, view::SHOWN_ENTRIES)
    );
    reduce(
        &mut w,
        [Action::MapPage {
            map: first_page.id,
            first: 64,
        }],
    );
    let second_page = card(&w);
    assert_eq!(second_page.first, 64);
    assert_eq!(
        (
            second_page.entries[1].key_hex.as_str(),
            second_page.entries[1].value_hex.as_str()
        ),
        ("41 00 00 00", "07 00 00 00 00 00 00 00")
    );
    // A page past the end, as after the map shrank, shows the last one: 4,000,000 on.
    reduce(
        &mut w,
        [Action::MapPage {
            map: first_page.id,
            first: u64::MAX,
        }],
    );
    let last_page = card(&w);
    assert_eq!((last_page.first, last_page.entries.len()), (4_000_000, 3));
    assert!(
        w.bpffs()
            .iter()
            .any(|row| row.label.contains("(array, 4000003 entries)")),
        "{:?}",
        w.bpffs()
    );
}

#[test]
fn a_paste_is_verified_at_once_and_typing_waits_for_a_pause() {
    let mut w = Playground::default();
    assert!(!w.verify_pending());
    reduce(&mut w, [Action::Edit(String::from("r0 = 1\n"))]);
    assert!(w.verify_pending());
    assert_eq!(w.verifier().unwrap().headline, "verifying…");
    // Typing: the listing is the text's before the last key, until the pause.
    assert!(w.program.stale_text);
    let before = w.program.insns.clone();
    reduce(&mut w, [Action::Edit(String::from("r0 = 1\nexit"))]);
    assert!(Rc::ptr_eq(&before, &w.program.insns));
    // Any other action acts on the text as it is: assembled first.
    reduce(&mut w, [Action::Select(None)]);
    assert!(!w.program.stale_text);
    assert_eq!(w.program.insns.len(), 2);
    assert!(w.verify_pending(), "verifying still waits for the pause");
    reduce(&mut w, [Action::Paste(String::from("r0 = 2\nexit"))]);
    assert!(!w.verify_pending());
    assert_eq!(w.verifier().unwrap().headline, "accepted");
    assert_eq!(w.verifier().unwrap().log.len(), 2);
    // A paste of text that does not assemble leaves nothing to verify.
    reduce(&mut w, [Action::Paste(String::from("r0 = \nexit"))]);
    assert!(!w.verify_pending());
    assert_eq!(
        w.verifier().unwrap().state,
        view::VerdictState::NotAssembled
    );
    // Nor does the plain VM, which runs without the verifier, once the text is
    // assembled.
    reduce(
        &mut w,
        [
            Action::SetSetup(SetupField::ProgType(String::from("plain"))),
            Action::Edit(String::from("r0 = 3\nexit")),
        ],
    );
    assert!(w.verify_pending());
    reduce(&mut w, [Action::Verify]);
    assert!(!w.verify_pending());
}

#[test]
fn the_listing_is_formatted_a_window_at_a_time_an_lddw_taking_two_slots() {
    let w = {
        let mut w = Playground::default();
        reduce(
            &mut w,
            [Action::Paste(String::from(
                "r0 = 0\nr1 = 0x1122334455667788 ll\nr0 += 1\nexit",
            ))],
        );
        w
    };
    let program = &w.program;
    assert_eq!(program.slot_lines.len(), 5, "slots: the lddw takes two");
    let lddw = program.listing_row(1).unwrap();
    assert_eq!((lddw.pc, lddw.slots, lddw.line), (1, 2, 2));
    assert_eq!(
        lddw.bytes,
        "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11"
    );
    assert_eq!(program.listing_row(2).unwrap().pc, 3);
    assert_eq!(program.listing_row(4), None);
    // Slots to instructions: a window starting on the lddw's tail still shows the lddw.
    assert_eq!(program.insns_in_slots(0..1), 0..1);
    assert_eq!(program.insns_in_slots(2..3), 1..2);
    assert_eq!(program.insns_in_slots(2..5), 1..4);
    assert_eq!(program.insns_in_slots(5..9), 4..4);
    assert_eq!(program.slot_of_line(3), Some(3));
    assert_eq!(
        program.listing_text(),
        "   0: b7 00 00 00 00 00 00 00  r0 = 0\n   \
            1: 18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11  r1 = 0x1122334455667788 ll\n   \
            3: 07 00 00 00 01 00 00 00  r0 += 1\n   \
            4: 95 00 00 00 00 00 00 00  exit\n"
    );
}

#[test]
fn the_verifier_log_is_read_a_window_at_a_time_with_the_instruction_each_line_names() {
    let w = Playground::default();
    let log = w.verifier().unwrap().log;
    let all = log.lines(0..log.len());
    assert_eq!(all.len(), log.len());
    assert_eq!(
        all.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
        log.text().lines().collect::<Vec<_>>()
    );
    let window = log.lines(1..3);
    assert_eq!(window, all[1..3].to_vec());
    assert_eq!(all[0].pc, Some(0), "{}", all[0].text);
    assert_eq!(log.lines(log.len()..log.len() + 5), Vec::new());
}

#[test]
fn a_log_is_indexed_by_line_with_or_without_a_last_newline() {
    use super::program::line_starts;
    assert_eq!(line_starts(""), vec![0]);
    assert_eq!(line_starts("a\n"), vec![0, 2]);
    assert_eq!(line_starts("a\nbc"), vec![0, 2, 4]);
    assert_eq!(line_starts("a\n\nbc\n"), vec![0, 2, 3, 6]);
}
