//! Data-driven verifier tests: every `tests/data/verifier/*.case` is loaded through
//! BPF_PROG_LOAD by a privileged (uid 0) and an unprivileged (uid 1000) process, and the
//! outcome must match the case's expectation. The log of each run is kept as a golden
//! file (`tests/golden/verifier/NAME.{priv,unpriv}.log`, BLESS=1 refreshes them); log
//! level 2 must print exactly what level 1 prints, as in 4.4. One trial per case
//! (`cargo test -p bpfplay-tests --test verifier -- cases::012-loop-back-edge`).

use bpfplay_core::asm::assemble;
use bpfplay_core::kernel::{Kernel, ProgLoad, Settings};
use bpfplay_core::linux::Errno;
use bpfplay_core::verifier::{LeakTarget, Reason, Rejection};
use bpfplay_tests::harness::{self, trial};
use bpfplay_tests::verifier_case::{Case, Expect, cases, golden_text, parse_case};
use bpfplay_tests::{check_golden, verifier_golden, workspace_root};
use std::path::Path;

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
        (Some(text), None) => assemble(text, None)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name))
            .program
            .encode(),
        (None, Some(raw)) => raw.clone(),
        _ => panic!("{}: needs exactly one of -- asm and -- raw", case.name),
    };
    let mut attr = ProgLoad {
        prog_type: case.prog_type as u32,
        insns: bytes,
        license: Some(case.license.clone()),
        log_level: level,
        log_size: case.log_size,
        log_buf: true,
        kern_version: 0x040400,
        name: case.name.clone(),
    };
    // As `bpfplay verify` does: map indexes become fds only where maps are listed.
    if !case.maps.is_empty() {
        attr.bind_map_indexes(&fds)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    }
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

/// Both loads of one case, each against its expectation and its golden log.
fn check_case(path: &Path) -> Result<(), String> {
    let case = parse_case(path);
    let mut problems = Vec::new();
    for (uid, expect, suffix) in [
        (0, &case.privileged, "priv"),
        (1000, &case.unprivileged, "unpriv"),
    ] {
        let checked = check(&case, expect, uid)
            .and_then(|log| check_golden(&verifier_golden(&case.name, suffix), &golden_text(&log)));
        problems.extend(checked.err());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n\n"))
    }
}

fn at_least_150_cases() -> Result<(), String> {
    let count = cases().len();
    (count >= 150).then_some(()).ok_or(format!(
        "expected at least 150 verifier cases, found {count}"
    ))
}

/// A refused load is the verifier's rejection, with the errno and the last log line
/// of its reason, or else (the verifier accepted) this emulator's own `bpfplay:` line.
fn every_refusal_is_a_typed_rejection_or_the_emulators_line() -> Result<(), String> {
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
    Ok(())
}

/// Every shipped program that declares `; type: T` verifies as that program type, with
/// map index i bound to a map suited to it (`; maps: SPEC`, default none).
fn shipped_programs_verify_under_their_type() -> Result<(), String> {
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
    Ok(())
}

/// The variant of a rejection, by name (the leak target counts: each is its own 4.4
/// message). Exhaustive on purpose: a new variant must be named here, listed in
/// [`VARIANTS`] and given a raw case.
fn variant(reason: &Reason) -> &'static str {
    match reason {
        Reason::LdxReserved => "LdxReserved",
        Reason::StxReserved => "StxReserved",
        Reason::InvalidLdImm64 => "InvalidLdImm64",
        Reason::UnrecognizedLdImm64 => "UnrecognizedLdImm64",
        Reason::BadMapFd { .. } => "BadMapFd",
        Reason::TooManyMaps => "TooManyMaps",
        Reason::JumpOutOfRange { .. } => "JumpOutOfRange",
        Reason::BackEdge { .. } => "BackEdge",
        Reason::Unreachable { .. } => "Unreachable",
        Reason::JaWithSourceBit => "JaWithSourceBit",
        Reason::InsnStateInternalBug => "InsnStateInternalBug",
        Reason::InvalidInsnIdx { .. } => "InvalidInsnIdx",
        Reason::TooLarge { .. } => "TooLarge",
        Reason::TooComplex => "TooComplex",
        Reason::UnknownInsnClass { .. } => "UnknownInsnClass",
        Reason::InvalidReg { .. } => "InvalidReg",
        Reason::RegNotReadable { .. } => "RegNotReadable",
        Reason::FramePointerReadOnly => "FramePointerReadOnly",
        Reason::NegReserved => "NegReserved",
        Reason::EndReserved => "EndReserved",
        Reason::MovReserved => "MovReserved",
        Reason::AluReserved => "AluReserved",
        Reason::InvalidAluOpcode { .. } => "InvalidAluOpcode",
        Reason::DivByZero => "DivByZero",
        Reason::InvalidShift { .. } => "InvalidShift",
        Reason::PointerArithmetic { .. } => "PointerArithmetic",
        Reason::PartialPointerCopy { .. } => "PartialPointerCopy",
        Reason::MisalignedAccess { .. } => "MisalignedAccess",
        Reason::MapValueOutOfBounds { .. } => "MapValueOutOfBounds",
        Reason::InvalidCtxAccess { .. } => "InvalidCtxAccess",
        Reason::InvalidStackOff { .. } => "InvalidStackOff",
        Reason::InvalidSpillSize => "InvalidSpillSize",
        Reason::CorruptedSpill => "CorruptedSpill",
        Reason::InvalidStackRead { .. } => "InvalidStackRead",
        Reason::CorruptSpilledPointer => "CorruptSpilledPointer",
        Reason::LeaksAddr {
            into: LeakTarget::Map,
            ..
        } => "LeaksAddr(Map)",
        Reason::LeaksAddr {
            into: LeakTarget::Ctx,
            ..
        } => "LeaksAddr(Ctx)",
        Reason::LeaksAddr {
            into: LeakTarget::HelperFunction,
            ..
        } => "LeaksAddr(HelperFunction)",
        Reason::LeaksReturnValue => "LeaksReturnValue",
        Reason::InvalidMemAccess { .. } => "InvalidMemAccess",
        Reason::XaddReserved => "XaddReserved",
        Reason::DifferentPointers => "DifferentPointers",
        Reason::StReserved => "StReserved",
        Reason::CallReserved => "CallReserved",
        Reason::JaReserved => "JaReserved",
        Reason::ExitReserved => "ExitReserved",
        Reason::InvalidJmpOpcode { .. } => "InvalidJmpOpcode",
        Reason::JmpReserved => "JmpReserved",
        Reason::PointerComparison { .. } => "PointerComparison",
        Reason::InvalidFunc { .. } => "InvalidFunc",
        Reason::UnknownFunc { .. } => "UnknownFunc",
        Reason::GplOnly => "GplOnly",
        Reason::ArgType { .. } => "ArgType",
        Reason::InvalidStackType { .. } => "InvalidStackType",
        Reason::InvalidIndirectRead { .. } => "InvalidIndirectRead",
        Reason::MapArgWithoutMap { .. } => "MapArgWithoutMap",
        Reason::SizeWithoutStackBuffer => "SizeWithoutStackBuffer",
        Reason::MisconfiguredVerifier => "MisconfiguredVerifier",
        Reason::HelperMapMismatch { .. } => "HelperMapMismatch",
        Reason::InvalidLdImm => "InvalidLdImm",
        Reason::LdImm64Reserved => "LdImm64Reserved",
        Reason::LdAbsNotAllowed => "LdAbsNotAllowed",
        Reason::LdAbsReserved => "LdAbsReserved",
        Reason::LdAbsR6NotCtx => "LdAbsR6NotCtx",
        Reason::InvalidLdMode => "InvalidLdMode",
    }
}

/// Every name [`variant`] gives.
const VARIANTS: [&str; 65] = [
    "LdxReserved",
    "StxReserved",
    "InvalidLdImm64",
    "UnrecognizedLdImm64",
    "BadMapFd",
    "TooManyMaps",
    "JumpOutOfRange",
    "BackEdge",
    "Unreachable",
    "JaWithSourceBit",
    "InsnStateInternalBug",
    "InvalidInsnIdx",
    "TooLarge",
    "TooComplex",
    "UnknownInsnClass",
    "InvalidReg",
    "RegNotReadable",
    "FramePointerReadOnly",
    "NegReserved",
    "EndReserved",
    "MovReserved",
    "AluReserved",
    "InvalidAluOpcode",
    "DivByZero",
    "InvalidShift",
    "PointerArithmetic",
    "PartialPointerCopy",
    "MisalignedAccess",
    "MapValueOutOfBounds",
    "InvalidCtxAccess",
    "InvalidStackOff",
    "InvalidSpillSize",
    "CorruptedSpill",
    "InvalidStackRead",
    "CorruptSpilledPointer",
    "LeaksAddr(Map)",
    "LeaksAddr(Ctx)",
    "LeaksAddr(HelperFunction)",
    "LeaksReturnValue",
    "InvalidMemAccess",
    "XaddReserved",
    "DifferentPointers",
    "StReserved",
    "CallReserved",
    "JaReserved",
    "ExitReserved",
    "InvalidJmpOpcode",
    "JmpReserved",
    "PointerComparison",
    "InvalidFunc",
    "UnknownFunc",
    "GplOnly",
    "ArgType",
    "InvalidStackType",
    "InvalidIndirectRead",
    "MapArgWithoutMap",
    "SizeWithoutStackBuffer",
    "MisconfiguredVerifier",
    "HelperMapMismatch",
    "InvalidLdImm",
    "LdImm64Reserved",
    "LdAbsNotAllowed",
    "LdAbsReserved",
    "LdAbsR6NotCtx",
    "InvalidLdMode",
];

/// Consistency checks of the verifier and its helper table that no program can reach
/// (the control-flow check and the 4.4 prototypes rule them out); 4.4 has them too.
const UNREACHABLE: [&str; 5] = [
    "InsnStateInternalBug",
    "InvalidInsnIdx",
    "MapArgWithoutMap",
    "SizeWithoutStackBuffer",
    "MisconfiguredVerifier",
];

/// Each reachable rejection has a case on raw bytes (which `bpfplay verify` also runs:
/// the command line's tests), privileged or not.
fn every_rejection_has_a_raw_case() -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for path in cases() {
        let case = parse_case(&path);
        if case.raw.is_none() {
            continue;
        }
        for uid in [0, 1000] {
            if let (_, _, Some(r)) = load_full(&case, uid, 1) {
                let name = variant(&r.reason);
                assert!(VARIANTS.contains(&name), "{name} is missing from VARIANTS");
                seen.insert(name);
            }
        }
    }
    let missing: Vec<&str> = VARIANTS
        .into_iter()
        .filter(|v| !seen.contains(v) && !UNREACHABLE.contains(v))
        .collect();
    assert!(missing.is_empty(), "no raw case rejects with {missing:?}");
    Ok(())
}

fn main() {
    let mut trials: Vec<_> = cases()
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            trial(format!("cases::{stem}"), move || check_case(&path))
        })
        .collect();
    trials.push(trial("at_least_150_cases", at_least_150_cases));
    trials.push(trial(
        "every_refusal_is_a_typed_rejection_or_the_emulators_line",
        every_refusal_is_a_typed_rejection_or_the_emulators_line,
    ));
    trials.push(trial(
        "shipped_programs_verify_under_their_type",
        shipped_programs_verify_under_their_type,
    ));
    trials.push(trial(
        "every_rejection_has_a_raw_case",
        every_rejection_has_a_raw_case,
    ));
    harness::run(trials)
}
