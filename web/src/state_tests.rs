use super::*;

fn reduce(w: &mut Workspace, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        w.reduce_mut(a);
    }
}

fn example(name: &str) -> usize {
    EXAMPLES.iter().position(|e| e.name == name).unwrap()
}

fn r0(w: &Workspace) -> u64 {
    w.engine
        .borrow()
        .run
        .as_ref()
        .map_or(0, |r| r.vm().regs()[0])
}

#[test]
fn the_page_opens_on_the_first_example_verified() {
    let w = Workspace::default();
    assert_eq!(w.setup().prog_type, Some(ProgType::SocketFilter));
    assert!(!w.listing.is_empty());
    let verdict = w.verdict.as_ref().unwrap();
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
        let mut w = Workspace::default();
        reduce(&mut w, [Action::LoadExample(i), Action::Continue]);
        if header(e.source, "expect:") == Some("rejected") {
            let v = w.verdict.as_ref().unwrap();
            assert!(
                v.explanation.is_some() && v.rejection.is_some(),
                "{}",
                e.name
            );
            continue;
        }
        let engine = w.engine.borrow();
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
    let mut w = Workspace::default();
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
    assert_eq!(w.engine.borrow().history.len(), 1);
    reduce(
        &mut w,
        [Action::Reset, Action::ToggleBreakpoint(1), Action::Continue],
    );
    assert_eq!(
        w.engine.borrow().run.as_ref().unwrap().vm().pc(),
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
    assert_eq!(w.engine.borrow().run.as_ref().unwrap().vm().pc(), 0);
}

#[test]
fn kernel_runs_report_trace_and_verdict() {
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("kprobe-count.s")),
            Action::Continue,
        ],
    );
    let engine = w.engine.borrow();
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
fn rejected_programs_show_the_log_and_an_explanation() {
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [Action::LoadExample(example("rejected-null-check.s"))],
    );
    let v = w.verdict.clone().unwrap();
    assert_eq!(v.errno, Some(Errno::EACCES));
    assert_eq!(
        v.rejection.unwrap().to_string(),
        "R0 invalid mem access 'map_value_or_null'"
    );
    assert!(v.explanation.is_some());
    reduce(&mut w, [Action::Continue]);
    assert!(
        w.engine.borrow().run.is_none(),
        "a rejected program does not run"
    );
}

#[test]
fn the_console_drives_the_same_kernel() {
    let mut w = Workspace::default();
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
    let engine = w.engine.borrow();
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
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [Action::Edit("r0 = \nexit".into()), Action::Continue],
    );
    assert_eq!(
        w.asm_error.as_ref().unwrap().to_string(),
        "line 1, column 5: expected an immediate, found end of line"
    );
    assert!(
        w.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("assembler:")),
        "{:?}",
        w.notice
    );
    let mut setup = w.setup().clone();
    setup.prog_type = Some(ProgType::SocketFilter);
    setup.maps = "hash:4".into();
    reduce(
        &mut w,
        [Action::Edit("r0 = 0\nexit".into()), Action::SetSetup(setup)],
    );
    assert!(
        w.notice
            .as_deref()
            .is_some_and(|n| n.contains("expected type:key_size")),
        "{:?}",
        w.notice
    );
}

#[test]
fn plain_programs_run_in_the_vm_with_memory() {
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("sum-bytes.s")),
            Action::Continue,
        ],
    );
    assert_eq!(w.setup().prog_type, None);
    assert!(w.verdict.is_none(), "no kernel verifier for plain runs");
    assert_eq!(r0(&w), 10);
}

#[test]
fn helper_calls_are_shown_with_their_arguments_and_result() {
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("sockex1-proto-count.s")),
            Action::Continue,
        ],
    );
    let engine = w.engine.borrow();
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
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [Action::Edit(
            "r0 = *(u32 *)(r1 +8)\nr2 = *(u32 *)(r1 +48)\nr0 += r2\nexit".into(),
        )],
    );
    let mut setup = w.setup().clone();
    setup.skb = "mark=0x10 cb0=2".into();
    reduce(&mut w, [Action::SetSetup(setup.clone()), Action::Continue]);
    assert_eq!(r0(&w), 0x10, "socket filters see zeroed cb");
    setup.prog_type = Some(ProgType::SchedCls);
    reduce(&mut w, [Action::SetSetup(setup.clone()), Action::Continue]);
    assert_eq!(r0(&w), 0x12);
    setup.skb = "colour=3".into();
    reduce(&mut w, [Action::SetSetup(setup), Action::Continue]);
    assert!(
        w.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("skb: unknown field `colour`")),
        "{:?}",
        w.notice
    );
}

#[test]
fn a_workspace_holds_several_programs_the_console_can_load() {
    let mut w = Workspace::default();
    reduce(
        &mut w,
        [
            Action::LoadExample(example("shared-ingress.s")),
            Action::NewTab,
            Action::LoadExample(example("shared-egress.s")),
        ],
    );
    assert_eq!(w.tabs.len(), 2);
    assert_eq!((w.active, w.tabs[1].name.as_str()), (1, "program2"));
    reduce(&mut w, [
        Action::Console("map create /sys/fs/bpf/traffic type array key 4 value 8 entries 2".into()),
        Action::Console("prog load program1 /sys/fs/bpf/in type sched_cls map idx 0 pinned /sys/fs/bpf/traffic".into()),
        Action::Console("prog load program2 /sys/fs/bpf/out type sched_cls map idx 0 pinned /sys/fs/bpf/traffic".into()),
        Action::Console("prog run pinned /sys/fs/bpf/in packet hex 00 11 22 33".into()),
        Action::Console("prog run pinned /sys/fs/bpf/out packet hex 00 11".into()),
        Action::Console("map dump pinned /sys/fs/bpf/traffic".into()),
    ]);
    let engine = w.engine.borrow();
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
    assert_eq!((w.tabs.len(), w.active), (1, 0));
}

#[test]
fn closing_a_tab_keeps_the_active_program_and_the_last_tab_stays() {
    let mut w = Workspace::default();
    reduce(&mut w, [Action::NewTab, Action::NewTab]);
    reduce(&mut w, [Action::Edit("mov r0, 3\nexit\n".into())]);
    assert_eq!((w.tabs.len(), w.active), (3, 2));
    reduce(&mut w, [Action::CloseTab(0)]);
    assert_eq!(
        (w.tabs.len(), w.active, w.tabs[1].name.as_str()),
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
        (w.tabs.len(), w.active, w.tabs[0].name.as_str()),
        (1, 0, "program2")
    );
}

/// A stand-in for the browser's WebAssembly: compiles the program with core's JIT (so
/// the reducer handed over a runnable program) but, instead of running the module,
/// ends the run with a fixed r0 and no effects.
struct FixedJit(u64);

impl crate::jit::JitRunner for FixedJit {
    fn run(
        &self,
        mut run: bpfplay_core::jit::host::JitRun,
        _helpers: Rc<RefCell<dyn bpfplay_core::vm::Helpers>>,
    ) -> Result<crate::jit::JitOutcome, String> {
        let module = bpfplay_core::jit::compile(run.program(), run.config().profile)
            .map_err(|e| e.to_string())?;
        assert_eq!(&module[..4], b"\0asm");
        let image = run.image();
        let next = run
            .returned(&image, Ok(self.0))
            .map_err(|e| e.to_string())?;
        assert!(matches!(next, bpfplay_core::jit::host::Next::Done));
        Ok(crate::jit::JitOutcome {
            vm: run.finish(),
            modules: 1,
            module_bytes: module.len(),
            instantiate_ms: 1.0,
            run_ms: 0.5,
        })
    }
}

fn with_jit(r0: u64) -> Workspace {
    let mut w = Workspace::default();
    w.engine.borrow_mut().jit_host = Some(crate::jit::JitHost(Rc::new(FixedJit(r0))));
    reduce(&mut w, [Action::UseJit(true)]);
    w
}

#[test]
fn run_with_the_jit_compares_it_with_the_interpreter() {
    let mut w = with_jit(42);
    reduce(
        &mut w,
        [Action::LoadExample(example("answer.s")), Action::Continue],
    );
    let report = w.engine.borrow().jit_report.clone().expect("a JIT report");
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
    let report = w.engine.borrow().jit_report.clone().unwrap();
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
    let mut w = Workspace::default();
    reduce(&mut w, load());
    let r0 = match w
        .engine
        .borrow()
        .run
        .as_ref()
        .map(|r| r.vm().state().clone())
    {
        Some(State::Exited { r0, .. }) => r0,
        other => panic!("{other:?}"),
    };
    let mut w = with_jit(r0);
    reduce(&mut w, load());
    let report = w.engine.borrow().jit_report.clone().expect("a JIT report");
    assert_eq!(
        report.difference.as_deref(),
        Some("the kernels differ after the run (map contents)"),
        "{report}"
    );
    assert!(report.to_string().contains("DISAGREES"), "{report}");
}

#[test]
fn the_jit_needs_a_host() {
    let mut w = Workspace::default();
    reduce(&mut w, [Action::UseJit(true), Action::Continue]);
    assert!(
        w.notice
            .as_deref()
            .unwrap()
            .contains("needs the browser's WebAssembly engine")
    );
}
