//! The `bpfplay` command line as users see it: output formats, exit codes, messages.

mod common;

use common::{bpfplay, stderr, stdout, temp_file};

#[test]
fn asm_prints_one_instruction_of_16_hex_digits_per_line() {
    let src = temp_file("a.s", b"mov %r0, 1\nr1 = 0x1122334455667788 ll\nexit\n");
    let out = bpfplay(&["asm", &src], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "b700000001000000\n1801000088776655\n0000000044332211\n9500000000000000\n"
    );
    let forced = bpfplay(&["asm", "--syntax", "ubpf", &src], "");
    assert!(!forced.status.success());
    assert_eq!(
        stderr(&forced),
        format!("bpfplay: {src}: line 2, column 1: expected a mnemonic, found `r1`\n")
    );
}

#[test]
fn disasm_output_assembles_back_to_the_same_bytes() {
    let hex = "b700000001000000\n1801000088776655\n0000000044332211\nc300000001000000\ndb1a0000f1000000\n9500000000000000\n";
    for syntax in ["ubpf", "llvm"] {
        let text = stdout(&bpfplay(&["disasm", "--syntax", syntax, "-"], hex));
        let path = temp_file(&format!("round-{syntax}.s"), text.as_bytes());
        let again = bpfplay(&["asm", &path], "");
        assert_eq!(stdout(&again), hex, "{syntax}:\n{text}");
    }
    let bin = temp_file(
        "p.bin",
        &[0xb7, 0, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0],
    );
    assert_eq!(stdout(&bpfplay(&["disasm", &bin], "")), "r0 = 7\nexit\n");
    let hexfile = temp_file(
        "p.hex",
        b"b7 00 00 00 07 00 00 00\n95 00 00 00 00 00 00 00\n",
    );
    assert_eq!(
        stdout(&bpfplay(&["disasm", "--syntax", "ubpf", &hexfile], "")),
        "mov %r0, 7\nexit\n"
    );
}

#[test]
fn run_prints_r0_and_traces_changes() {
    let src = temp_file(
        "sum.s",
        b"r0 = *(u8 *)(r1 +0)\nr3 = *(u8 *)(r1 +1)\nr0 += r3\nr0 += r2\nexit\n",
    );
    let out = bpfplay(&["run", "--mem", "10 20 30", &src], "");
    assert_eq!(stdout(&out), "0x33\n");
    let traced = stdout(&bpfplay(&["run", "--trace", "--mem", "1020", &src], ""));
    let lines: Vec<&str> = traced.lines().collect();
    assert_eq!(lines.len(), 6, "{traced}");
    assert_eq!(
        lines[0],
        "    0: r0 = *(u8 *)(r1 +0)                  r0=0x10 (was 0x0)"
    );
    assert_eq!(
        lines[2],
        "    2: r0 += r3                             r0=0x30 (was 0x10)"
    );
    assert_eq!(lines[5], "0x32");
}

#[test]
fn run_profiles_differ_on_division_by_zero_and_newer_instructions() {
    let div = temp_file("div.s", b"r0 = 7\nr1 = 0\nr0 /= r1\nr0 += 5\nexit\n");
    let old = bpfplay(&["run", "--profile", "linux-4.4", &div], "");
    assert_eq!(stdout(&old), "0x0\n");
    assert_eq!(
        stderr(&old),
        "note: division by zero ends the program with r0 = 0 (Linux 4.4)\n"
    );
    assert_eq!(
        stdout(&bpfplay(&["run", "--profile", "rfc9669", &div], "")),
        "0x5\n"
    );
    let jlt = temp_file("jlt.s", b"r0 = 1\nif r0 < 2 goto +0\nexit\n");
    let out = bpfplay(&["run", "--profile", "linux-4.4", &jlt], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "bpfplay: instruction 1: jlt needs Linux 4.14 (profile linux-4.4)\n"
    );
}

#[test]
fn failures_exit_non_zero_with_one_clear_line() {
    let lp = temp_file("loop.s", b"l: goto l\n");
    let cases: Vec<(Vec<&str>, &str, String)> = vec![
        (vec!["run", "--fuel", "50", &lp], "", "bpfplay: fault at instruction 0: ran out of fuel after 50 instructions (raise the budget or look for a loop)\n".into()),
        (vec!["run", "-"], "b7 00 00", "bpfplay: stdin: program is not a whole number of 8-byte instructions: 3 byte(s) left after instruction 0\n".into()),
        (vec!["run", "/nonexistent/x.s"], "", "bpfplay: /nonexistent/x.s: No such file or directory (os error 2)\n".into()),
        (vec!["run", "--mem", "1g", &lp], "", "bpfplay: memory: line 1, column 2: `g` (in `1g`) is not a hex digit\n".into()),
        (vec!["disasm", "prog.elf"], "", "bpfplay: prog.elf: cannot tell the program format from the file name (use .s, .asm, .hex, .bin, or - for hex on stdin)\n".into()),
    ];
    for (args, input, message) in cases {
        let out = bpfplay(&args, input);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&out), message, "{args:?}");
        assert!(stdout(&out).is_empty());
    }
    let usage = bpfplay(&["run", "--profile", "linux-9.9", &lp], "");
    assert_eq!(usage.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn verify_prints_the_4_4_log_and_exits_by_verdict() {
    let ok = temp_file("ok.s", b"r0 = *(u32 *)(r1 +0)\nexit\n");
    let out = bpfplay(&["verify", &ok], "");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "0: (61) r0 = *(u32 *)(r1 +0)\n1: (95) exit\nbpfplay: accepted (2 instructions processed)\n"
    );
    let leak = temp_file("leak.s", b"r0 = r10\nexit\n");
    assert_eq!(bpfplay(&["verify", &leak], "").status.code(), Some(0));
    let out = bpfplay(&["verify", "--unprivileged", "--log-level", "2", &leak], "");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.starts_with("0: (bf) r0 = r10\n1: (95) exit\nR0 leaks addr as return value\nbpfplay: rejected: EACCES"), "{text}");
    assert!(
        text.contains("bpfplay: what it means: Unprivileged programs may not return a pointer."),
        "{text}"
    );
    let tc = bpfplay(
        &["verify", "--type", "sched_cls", "--unprivileged", &ok],
        "",
    );
    assert_eq!(
        (tc.status.code(), stdout(&tc)),
        (
            Some(1),
            String::from(
                "bpfplay: rejected: EPERM: Operation not permitted\nbpfplay: without CAP_SYS_ADMIN, Linux 4.4 loads only socket_filter programs\n"
            )
        )
    );
    assert_eq!(
        bpfplay(&["verify", "--log-level", "3", &ok], "")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        bpfplay(&["verify", "--type", "xdp", &ok], "").status.code(),
        Some(2)
    );
}

#[test]
fn run_verifies_first_unless_told_not_to() {
    let bad = temp_file("bad.s", b"r0 = *(u64 *)(r1 +4096)\nexit\n");
    let out = bpfplay(&["run", "--type", "socket_filter", &bad], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("bpfplay: BPF_PROG_LOAD: EACCES: Permission denied\n0: (79) r0 = *(u64 *)(r1 +4096)\ninvalid bpf_context access off=4096 size=8"), "{}", stderr(&out));
    let out = bpfplay(&["run", "--type", "socket_filter", "--no-verify", &bad], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .starts_with("bpfplay: fault at instruction 0: out-of-bounds read of 8 byte(s)"),
        "{}",
        stderr(&out)
    );
}

/// A workspace as the playground saves it: a plain tab, a socket filter reading
/// `skb->mark`, and a counter whose setup map already holds a count.
fn workspace_file() -> String {
    use bpfplay_core::kernel::Kernel;
    use bpfplay_core::workspace::{Setup, Tab, Workspace, document, run};
    let tab = |name: &str, source: &str| Tab {
        name: name.into(),
        source: source.into(),
        setup: Setup::from_headers(source).unwrap(),
        breakpoints: Default::default(),
    };
    // No `; type:` header: a plain VM run.
    let mut workspace = Workspace::new(tab("answer", "r0 = 6\nr0 *= 7\nexit\n"));
    workspace.tabs.push(tab(
        "mark",
        "; type: socket_filter\n; skb: mark=7\nr0 = *(u32 *)(r1 +8)\nexit\n",
    ));
    let count = tab(
        "count",
        "; type: socket_filter\n; maps: array:4:8:1\n\
         r1 = 0\n*(u32 *)(r10 -4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd(0) ll\n\
         call bpf_map_lookup_elem\nif r0 == 0 goto out\nr0 = *(u64 *)(r0 +0)\nout:\nexit\n",
    );
    let mut kernel = Kernel::restore(&workspace.kernel).unwrap();
    let mut bound = None;
    let (pid, fds) = run::setup_maps(&count.setup, &mut kernel, &mut bound).unwrap();
    kernel
        .map_update(pid, fds[0].1, &[0; 4], &5u64.to_le_bytes(), 0)
        .unwrap();
    workspace.tabs.push(count);
    workspace.kernel = kernel.snapshot();
    workspace.setup_maps = bound;
    temp_file(
        "bug.bpfplay.json",
        document::to_pretty_json(&workspace).as_bytes(),
    )
}

#[test]
fn run_reproduces_a_tab_of_a_workspace_file() {
    let file = workspace_file();
    let run = |args: &[&str]| bpfplay(&[&["run", file.as_str()], args].concat(), "");
    let answer = run(&[]);
    assert_eq!(stdout(&answer), "0x2a\n", "{}", stderr(&answer));
    assert_eq!(
        stdout(&run(&["--tab", "mark"])),
        "0x7\n",
        "the tab's skb fields"
    );
    let count = run(&["--tab", "count"]);
    assert_eq!(
        stdout(&count),
        "0x5\n",
        "the map entry of the file: {}",
        stderr(&count)
    );

    let missing = run(&["--tab", "nope"]);
    assert!(!missing.status.success());
    assert_eq!(
        stderr(&missing),
        format!("bpfplay: {file}: no tab `nope` (its tabs: answer, mark, count)\n")
    );
    let flag = run(&["--type", "kprobe"]);
    assert_eq!(
        stderr(&flag),
        "bpfplay: --type does not go with a workspace file: the tab's setup says how it runs\n"
    );
    let tab_alone = bpfplay(&["run", "--tab", "x", "prog.s"], "");
    assert_eq!(
        stderr(&tab_alone),
        "bpfplay: --tab picks a tab of a workspace file (NAME.bpfplay.json)\n"
    );
    let damaged = temp_file(
        "damaged.bpfplay.json",
        b"{\"format\": \"bpfplay-workspace\"",
    );
    let e = bpfplay(&["run", &damaged], "");
    assert!(
        stderr(&e).starts_with(&format!("bpfplay: {damaged}: it is not readable JSON (")),
        "{}",
        stderr(&e)
    );
}
