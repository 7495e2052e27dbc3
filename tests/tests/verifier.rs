//! Data-driven verifier tests: every `tests/data/verifier/*.case` is loaded through
//! BPF_PROG_LOAD by a privileged (uid 0) and an unprivileged (uid 1000) process, and the
//! outcome must match the case's expectation. The log of each run is kept as a golden
//! file (`tests/golden/verifier/NAME.{priv,unpriv}.log`, BLESS=1 refreshes them); log
//! level 2 must print exactly what level 1 prints, as in 4.4.

use bpfplay_core::asm::assemble;
use bpfplay_core::bpftool::{bind_maps, parse_map_list};
use bpfplay_core::isa::parse_hex_bytes;
use bpfplay_core::kernel::{Kernel, MapCreate, ProgLoad, Settings};
use bpfplay_core::linux::{Errno, ProgType};
use bpfplay_core::verifier::Rejection;
use bpfplay_tests::{check_golden, workspace_root};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Accept,
    /// Rejected with this errno (when given) and this text in the log.
    Reject(Option<String>, String),
    Eperm,
}

#[derive(Debug)]
struct Case {
    name: String,
    prog_type: ProgType,
    license: String,
    log_size: u32,
    maps: Vec<MapCreate>,
    asm: Option<String>,
    raw: Option<Vec<u8>>,
    privileged: Expect,
    unprivileged: Expect,
}

fn parse_expect(text: &str, file: &str) -> Expect {
    let text = text.trim();
    match text {
        "accept" => Expect::Accept,
        "eperm" => Expect::Eperm,
        _ => match text.strip_prefix("reject") {
            Some(rest) => {
                let rest = rest.trim();
                match rest.strip_prefix("errno=") {
                    Some(r) => {
                        let (errno, msg) = r.split_once(' ').unwrap_or((r, ""));
                        Expect::Reject(Some(errno.to_owned()), msg.trim().to_owned())
                    }
                    None => Expect::Reject(None, rest.to_owned()),
                }
            }
            None => panic!("{file}: bad expectation `{text}`"),
        },
    }
}

fn parse_case(path: &Path) -> Case {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let mut section = String::new();
    let (mut asm, mut raw) = (None::<String>, None::<String>);
    let mut case = Case {
        name: name.clone(),
        prog_type: ProgType::SocketFilter,
        license: String::from("GPL"),
        log_size: 65536,
        maps: Vec::new(),
        asm: None,
        raw: None,
        privileged: Expect::Accept,
        unprivileged: Expect::Accept,
    };
    let (mut saw_priv, mut saw_unpriv) = (false, false);
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(directive) = line.strip_prefix("-- ") {
            let (key, value) = directive.split_once(' ').unwrap_or((directive, ""));
            section = key.to_owned();
            match key {
                "type" => {
                    case.prog_type =
                        ProgType::from_name(value.trim()).unwrap_or_else(|| panic!("{name}: type"))
                }
                "maps" => {
                    case.maps = parse_map_list(value).unwrap_or_else(|e| panic!("{name}: {e}"))
                }
                "license" => case.license = value.trim().to_owned(),
                "log_size" => {
                    case.log_size = value
                        .trim()
                        .parse()
                        .unwrap_or_else(|_| panic!("{name}: log_size"))
                }
                "asm" => asm = Some(String::new()),
                "raw" => raw = Some(String::new()),
                "privileged" => {
                    case.privileged = parse_expect(value, &name);
                    saw_priv = true;
                }
                "unprivileged" => {
                    case.unprivileged = parse_expect(value, &name);
                    saw_unpriv = true;
                }
                other => panic!("{name}: unknown directive `{other}`"),
            }
            continue;
        }
        match section.as_str() {
            "asm" => asm.as_mut().unwrap().push_str(&format!("{line}\n")),
            "raw" => raw.as_mut().unwrap().push_str(&format!("{line}\n")),
            _ if line.trim().is_empty() => {}
            _ => panic!("{name}: text outside a section: {line}"),
        }
    }
    assert!(
        saw_priv && saw_unpriv,
        "{name}: needs -- privileged and -- unprivileged"
    );
    case.asm = asm;
    case.raw = raw.map(|r| parse_hex_bytes(&r).unwrap_or_else(|e| panic!("{name}: raw: {e}")));
    case
}

/// Loads the case in a fresh kernel as `uid` with log level `level`: the fd or errno,
/// the log, and the verifier's rejection when it refused the program.
fn load_full(case: &Case, uid: u32, level: u32) -> (Result<u32, Errno>, String, Option<Rejection>) {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let pid = k.spawn("loader", uid);
    let fds: Vec<(u32, u32)> = case
        .maps
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                i as u32,
                k.map_create(pid, *m, "")
                    .unwrap_or_else(|e| panic!("{}: map {i}: {e}", case.name)),
            )
        })
        .collect();
    let bytes = match (&case.asm, &case.raw) {
        (Some(text), None) => {
            let program = assemble(text, None)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name))
                .program;
            bind_maps(&program, &fds)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name))
                .encode()
        }
        (None, Some(raw)) => raw.clone(),
        _ => panic!("{}: needs exactly one of -- asm and -- raw", case.name),
    };
    let attr = ProgLoad {
        prog_type: case.prog_type as u32,
        insns: bytes,
        license: Some(case.license.clone()),
        log_level: level,
        log_size: case.log_size,
        log_buf: true,
        kern_version: 0x040400,
        name: case.name.clone(),
    };
    let r = k.prog_load(pid, &attr);
    let rejection = r.verifier.and_then(|v| v.result.err());
    (r.fd, r.log, rejection)
}

fn load(case: &Case, uid: u32, level: u32) -> (Result<u32, Errno>, String) {
    let (fd, log, _) = load_full(case, uid, level);
    (fd, log)
}

fn check(case: &Case, expect: &Expect, uid: u32) -> Result<String, String> {
    let (fd, log) = load(case, uid, 1);
    let (_, log2) = load(case, uid, 2);
    if log2 != log {
        return Err(format!("{}: log level 2 differs from level 1", case.name));
    }
    let who = if uid == 0 {
        "privileged"
    } else {
        "unprivileged"
    };
    match (expect, &fd) {
        (Expect::Accept, Ok(_)) => Ok(log),
        (Expect::Eperm, Err(Errno::EPERM)) => Ok(log),
        (Expect::Reject(errno, text), Err(e)) if *e != Errno::EPERM || uid == 0 => {
            if errno.as_deref().is_some_and(|n| n != e.name()) {
                Err(format!(
                    "{} ({who}): rejected with {e}, expected {}",
                    case.name,
                    errno.as_deref().unwrap_or("")
                ))
            } else if log.contains(text.as_str()) {
                Ok(log)
            } else {
                Err(format!(
                    "{} ({who}): rejected ({e}) but the log lacks `{text}`:\n{log}",
                    case.name
                ))
            }
        }
        _ => Err(format!(
            "{} ({who}): expected {expect:?}, got {fd:?}\n{log}",
            case.name
        )),
    }
}

/// Logs longer than this many lines are kept as their head and tail only.
const GOLDEN_LINES: usize = 60;

fn golden_text(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    if lines.len() <= GOLDEN_LINES {
        return log.to_owned();
    }
    let half = GOLDEN_LINES / 2;
    let mut out = lines[..half].join("\n");
    out.push_str(&format!("\n... {} lines ...\n", lines.len() - 2 * half));
    out.push_str(&lines[lines.len() - half..].join("\n"));
    out.push('\n');
    out
}

fn cases() -> Vec<PathBuf> {
    let dir = workspace_root().join("tests/data/verifier");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    files.sort();
    files
}

#[test]
fn verifier_cases_match_4_4() {
    let files = cases();
    let mut problems = Vec::new();
    for path in &files {
        let case = parse_case(path);
        for (uid, expect, suffix) in [
            (0, &case.privileged, "priv"),
            (1000, &case.unprivileged, "unpriv"),
        ] {
            match check(&case, expect, uid) {
                Ok(log) => {
                    let golden = workspace_root()
                        .join("tests/golden/verifier")
                        .join(format!("{}.{suffix}.log", case.name));
                    if let Err(e) = check_golden(&golden, &golden_text(&log)) {
                        problems.push(e);
                    }
                }
                Err(e) => problems.push(e),
            }
        }
    }
    eprintln!(
        "verifier: {} cases, {} problems",
        files.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(
        files.len() >= 150,
        "expected at least 150 verifier cases, found {}",
        files.len()
    );
}

/// A refused load is the verifier's rejection, with the errno and the last log line
/// of its reason, or else (the verifier accepted) this emulator's own `bpfplay:` line.
#[test]
fn every_refusal_is_a_typed_rejection_or_the_emulators_line() {
    for path in cases() {
        let case = parse_case(&path);
        for uid in [0, 1000] {
            let (fd, log, rejection) = load_full(&case, uid, 1);
            let Err(errno) = fd else { continue };
            // A full log overrides the verdict's errno and cuts its last line.
            if errno == Errno::ENOSPC {
                continue;
            }
            let last_line = log.lines().last().unwrap_or("");
            match rejection {
                Some(r) => {
                    assert_eq!(r.errno(), errno, "{} (uid {uid})", case.name);
                    if !r.reason.is_silent() {
                        assert_eq!(last_line, r.to_string(), "{} (uid {uid})", case.name);
                    }
                }
                None => assert!(
                    errno == Errno::EPERM || last_line.starts_with("bpfplay: "),
                    "{} (uid {uid}): refused with {errno} but no rejection:\n{log}",
                    case.name
                ),
            }
        }
    }
}

/// Every shipped program that declares `; type: T` verifies as that program type, with
/// map index i bound to a map suited to it (`; maps: SPEC`, default none).
#[test]
fn shipped_programs_verify_under_their_type() {
    let mut checked = 0;
    for dir in ["static/examples", "static/scripts"] {
        for entry in std::fs::read_dir(workspace_root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "s") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let header = |key: &str| bpfplay_core::asm::header(&text, key).map(str::to_owned);
            let Some(t) = header("type:") else { continue };
            let maps = header("maps:")
                .map(|m| format!("-- maps {m}\n"))
                .unwrap_or_default();
            let rejected = header("expect:").as_deref() == Some("rejected");
            let verdict = if rejected { "reject" } else { "accept" };
            let case_text = format!(
                "-- type {t}\n{maps}-- asm\n{text}\n-- privileged {verdict}\n-- unprivileged {verdict}\n"
            );
            let case_path = std::env::temp_dir().join(format!(
                "bpfplay-{}.case",
                path.file_stem().unwrap().to_string_lossy()
            ));
            std::fs::write(&case_path, case_text).unwrap();
            let case = parse_case(&case_path);
            let (fd, log) = load(&case, 0, 1);
            assert_eq!(fd.is_ok(), !rejected, "{} as {t}:\n{log}", path.display());
            checked += 1;
        }
    }
    assert!(
        checked >= 7,
        "only {checked} shipped programs declare a type"
    );
}
