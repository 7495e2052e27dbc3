//! The whole bpf_conformance suite through the `bpfplay-plugin` binary, exactly as the
//! reference runner drives a plugin: program hex on stdin, memory as the first argument
//! (`%02x` plus two spaces per byte), r0 parsed from stdout as hex.

use bpfplay_tests::{data_files, load, runner_memory_arg};
use std::io::Write;
use std::process::{Command, Stdio};

struct Outcome {
    exit_ok: bool,
    stdout: String,
    stderr: String,
}

fn plugin(program_hex: &str, mem: &[u8], options: &[&str]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bpfplay-plugin"));
    if !mem.is_empty() {
        cmd.arg(runner_memory_arg(mem));
    }
    cmd.args(options)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn bpfplay-plugin");
    let mut stdin = child.stdin.take().unwrap();
    // A plugin may refuse its arguments before reading stdin; like the runner, ignore
    // the broken pipe that leaves.
    let _ = stdin
        .write_all(program_hex.as_bytes())
        .and_then(|()| stdin.write_all(b"\n"));
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    Outcome {
        exit_ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The program as the runner sends it: each byte `%02x` separated by spaces.
fn program_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs the suite under a profile; returns (passed, run, failures).
fn run_suite(
    profile: &str,
    expected_for: impl Fn(&bpfplay_tests::DataFile, &[u8]) -> Option<u64>,
) -> (usize, usize, Vec<String>) {
    let mut failures = Vec::new();
    let (mut run, mut passed) = (0, 0);
    for path in data_files("tests") {
        let file = load(&path).unwrap();
        let bytes = file.program().unwrap().encode();
        let Some(expected) = expected_for(&file, &bytes) else {
            continue;
        };
        run += 1;
        let out = plugin(&program_hex(&bytes), &file.mem, &["--profile", profile]);
        // The runner parses the first token with stoull(.., 16).
        let r0 = out
            .stdout
            .split_whitespace()
            .next()
            .and_then(|t| u64::from_str_radix(t, 16).ok());
        match (out.exit_ok, r0) {
            (true, Some(r0)) if r0 == expected => passed += 1,
            _ => failures.push(format!(
                "{}: exit ok {} stdout {:?} stderr {:?}, expected {expected:#x}",
                file.name, out.exit_ok, out.stdout, out.stderr
            )),
        }
    }
    (passed, run, failures)
}

#[test]
fn plugin_passes_the_whole_suite_in_rfc9669() {
    let (passed, run, failures) = run_suite("rfc9669", |file, _| Some(file.expected().unwrap()));
    eprintln!("bpfplay-plugin --profile rfc9669: passed {passed} out of {run} tests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if bpfplay_tests::conformance_dir().is_some() {
        assert_eq!(run, 313);
    }
}

#[test]
fn plugin_passes_the_4_4_subset_in_linux_4_4() {
    let overrides = std::fs::read_to_string(
        bpfplay_tests::workspace_root().join("tests/data/linux-4.4-results.txt"),
    )
    .unwrap();
    let (passed, run, failures) = run_suite("linux-4.4", |file, bytes| {
        let program = bpfplay_core::isa::Program::decode(bytes).unwrap();
        program
            .check_profile(bpfplay_core::isa::Profile::Linux44)
            .ok()?;
        let line = overrides
            .lines()
            .find(|l| l.split_whitespace().next() == Some(file.name.as_str()));
        Some(match line.and_then(|l| l.split_whitespace().nth(1)) {
            Some(v) => u64::from_str_radix(v.trim_start_matches("0x"), 16).unwrap(),
            None => file.expected().unwrap(),
        })
    });
    eprintln!("bpfplay-plugin --profile linux-4.4: passed {passed} out of {run} tests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if bpfplay_tests::conformance_dir().is_some() {
        assert_eq!(run, 160);
    }
}

#[test]
fn plugin_refuses_later_instructions_in_linux_4_4_with_one_line() {
    // jlt %r0, 1, +0 ; exit
    let out = plugin(
        "a5 00 00 00 01 00 00 00 95 00 00 00 00 00 00 00",
        &[],
        &["--profile", "linux-4.4"],
    );
    assert!(!out.exit_ok);
    assert_eq!(
        out.stderr.trim(),
        "instruction 0: jlt needs Linux 4.14 (profile linux-4.4)"
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn plugin_reports_bad_input_in_one_line() {
    for (program, mem, options, message) in [
        (
            "b7 00 00",
            &[][..],
            &[][..],
            "stdin: program is not a whole number of 8-byte instructions: 3 byte(s) left after instruction 0",
        ),
        (
            "zz",
            &[],
            &[],
            "stdin: line 1, column 1: `z` (in `zz`) is not a hex digit",
        ),
        ("", &[], &[], "stdin: no instructions"),
        (
            "b7 00 00 00 01 00 00 00",
            &[],
            &[],
            "fault at instruction 1: ran past the last instruction without exit",
        ),
        (
            "95 00 00 00 00 00 00 00",
            &[],
            &["--profile", "bogus"],
            "unknown profile `bogus` (linux-4.4 or rfc9669)",
        ),
        (
            "95 00 00 00 00 00 00 00",
            &[],
            &["--jit"],
            "unknown argument `--jit` (usage: bpfplay-plugin [MEM_HEX] [--profile P] [--elf])",
        ),
        (
            "85 00 00 00 07 00 00 00 95 00 00 00 00 00 00 00",
            &[],
            &[],
            "fault at instruction 0: call to unknown helper 7",
        ),
    ] {
        let out = plugin(program, mem, options);
        assert!(!out.exit_ok, "{program}");
        assert_eq!(out.stderr.trim_end(), message);
        assert_eq!(out.stderr.lines().count(), 1);
    }
}

#[test]
fn plugin_ignores_empty_arguments_from_doubled_spaces() {
    let out = plugin(
        "b7 00 00 00 2a 00 00 00 95 00 00 00 00 00 00 00",
        &[],
        &["", "--profile", "", "rfc9669"],
    );
    // An empty string between --profile and its value is skipped like every empty argument.
    assert!(out.exit_ok, "{}", out.stderr);
    assert_eq!(out.stdout, "2a\n");
}

/// An ELF64 relocatable eBPF object with the code in `.text` and a `main` symbol, as the
/// runner sends with `--elf true`.
fn elf_object(code: &[u8]) -> Vec<u8> {
    use object::write::{Object, Symbol, SymbolSection};
    use object::{
        Architecture, BinaryFormat, Endianness, SectionKind, SymbolFlags, SymbolKind, SymbolScope,
    };
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::Bpf, Endianness::Little);
    let text = obj.add_section(Vec::new(), b".text".to_vec(), SectionKind::Text);
    obj.append_section_data(text, code, 8);
    obj.add_symbol(Symbol {
        name: b"main".to_vec(),
        value: 0,
        size: code.len() as u64,
        kind: SymbolKind::Text,
        scope: SymbolScope::Linkage,
        weak: false,
        section: SymbolSection::Section(text),
        flags: SymbolFlags::None,
    });
    obj.write().unwrap()
}

#[test]
fn plugin_reads_elf_objects_with_elf() {
    let mut passed = 0;
    for path in data_files("tests") {
        let file = load(&path).unwrap();
        let bytes = file.program().unwrap().encode();
        let out = plugin(&program_hex(&elf_object(&bytes)), &file.mem, &["--elf"]);
        let r0 = out
            .stdout
            .split_whitespace()
            .next()
            .and_then(|t| u64::from_str_radix(t, 16).ok());
        assert_eq!(
            (out.exit_ok, r0),
            (true, Some(file.expected().unwrap())),
            "{}: {}",
            file.name,
            out.stderr
        );
        passed += 1;
    }
    eprintln!("bpfplay-plugin --elf: passed {passed} tests");
    let out = plugin("7f 45 4c 46", &[], &["--elf"]);
    assert!(!out.exit_ok);
    assert!(out.stderr.starts_with("ELF: "), "{}", out.stderr);
}
