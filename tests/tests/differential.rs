//! The interpreter against rbpf 0.4.1 on 10,000 generated programs (fixed seed; see
//! `bpfplay_tests::progen`), with a plain RFC 9669 interpreter
//! (`bpfplay_tests::oracle`) settling every difference: the project's interpreter must
//! agree with the oracle, and rbpf may differ from it only through one of its named,
//! known bugs (`oracle::Quirks::RBPF_0_4_1`). Any other difference fails with a shrunk
//! reproducer. `BPFPLAY_DIFFERENTIAL_PROGRAMS=N` runs more programs.

use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::vm::{Config, NoHelpers, RegionKind, RunStop, Vm};
use bpfplay_tests::Rng;
use bpfplay_tests::oracle::{self, End, Quirks};
use bpfplay_tests::progen::{Generated, input};
use std::collections::BTreeMap;

/// How an engine ended: r0, or a fault (the engines word faults differently), and the
/// input memory afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    r0: Option<u64>,
    input: Vec<u8>,
}

impl From<oracle::Outcome> for Seen {
    fn from(o: oracle::Outcome) -> Seen {
        Seen {
            r0: match o.end {
                End::Exit(r0) => Some(r0),
                End::Fault(_) => None,
            },
            input: o.input,
        }
    }
}

fn interpreter(bytes: &[u8]) -> Result<Seen, String> {
    let program = Program::decode(bytes).map_err(|e| format!("decoder: {e}"))?;
    // One 512-byte frame, as rbpf's and the oracle's stack: the programs make no local
    // calls, and an access below the frame must fault in every engine.
    let config = Config {
        max_frames: 1,
        ..Config::for_profile(Profile::Rfc9669)
    };
    let vm = Vm::new(program, config).map_err(|e| e.to_string())?;
    let mut vm = vm.with_input(input());
    let r0 = match vm.run(&mut NoHelpers, &[]) {
        RunStop::Exited { r0 } => Some(r0),
        RunStop::Faulted(_) => None,
        other => return Err(format!("{other:?}")),
    };
    let input = vm
        .memory()
        .region(RegionKind::Input)
        .ok_or("no input region")?
        .data
        .to_vec();
    Ok(Seen { r0, input })
}

/// rbpf's interpreter, or `None` when its own verifier refuses the program. A panic
/// (one of its known bugs) counts as a fault.
fn rbpf(bytes: &[u8]) -> Option<Seen> {
    static QUIET_RBPF_PANICS: std::sync::Once = std::sync::Once::new();
    QUIET_RBPF_PANICS.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("rbpf")) {
                report(info);
            }
        }));
    });
    let vm = rbpf::EbpfVmRaw::new(Some(bytes)).ok()?;
    let mut mem = input();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        vm.execute_program(&mut mem).ok()
    }));
    Some(Seen {
        r0: run.ok().flatten(),
        input: mem,
    })
}

fn disassembly(program: &Generated) -> String {
    Program::decode(&program.bytes())
        .map(|p| bpfplay_core::disasm::disassemble(&p, bpfplay_core::syntax::Syntax::Llvm))
        .unwrap_or_else(|e| e.to_string())
}

/// The known rbpf bug that explains rbpf's result, if one does.
fn rbpf_bug(bytes: &[u8], seen: &Seen) -> Option<&'static str> {
    Quirks::RBPF_0_4_1
        .iter()
        .find(|(_, quirks)| Seen::from(oracle::run(bytes, &input(), *quirks)) == *seen)
        .map(|(name, _)| *name)
        .or_else(|| {
            (Seen::from(oracle::run(bytes, &input(), Quirks::ALL_RBPF_0_4_1)) == *seen)
                .then_some("several of rbpf 0.4.1's known bugs")
        })
}

/// Whether the project's interpreter and the oracle disagree.
fn interpreter_differs(program: &Generated) -> bool {
    let bytes = program.bytes();
    interpreter(&bytes) != Ok(oracle::run(&bytes, &input(), Quirks::default()).into())
}

/// Whether rbpf runs the program and differs from the oracle in a way no known bug
/// explains.
fn rbpf_differs_unexplained(program: &Generated) -> bool {
    let bytes = program.bytes();
    let Some(seen) = rbpf(&bytes) else {
        return false;
    };
    seen != oracle::run(&bytes, &input(), Quirks::default()).into()
        && rbpf_bug(&bytes, &seen).is_none()
}

#[test]
fn interpreter_agrees_with_rbpf_and_the_rfc_oracle_on_generated_programs() {
    let count: u64 = std::env::var("BPFPLAY_DIFFERENTIAL_PROGRAMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut explained: BTreeMap<&str, u32> = BTreeMap::new();
    let (mut faults, mut refused_by_rbpf) = (0u64, 0u64);
    for n in 0..count {
        let program = Generated::random(&mut rng, 40);
        let bytes = program.bytes();
        let expected: Seen = oracle::run(&bytes, &input(), Quirks::default()).into();
        faults += u64::from(expected.r0.is_none());
        if interpreter(&bytes) != Ok(expected.clone()) {
            let minimal = program.shrink(interpreter_differs);
            let bytes = minimal.bytes();
            panic!(
                "program {n}: the interpreter differs from the RFC 9669 oracle\n\
                 interpreter: {:?}\noracle: {:?}\nminimal reproducer:\n{}",
                interpreter(&bytes),
                oracle::run(&bytes, &input(), Quirks::default()),
                disassembly(&minimal)
            );
        }
        let Some(seen) = rbpf(&bytes) else {
            refused_by_rbpf += 1;
            continue;
        };
        if seen == expected {
            continue;
        }
        match rbpf_bug(&bytes, &seen) {
            Some(bug) => *explained.entry(bug).or_insert(0) += 1,
            None => {
                let minimal = program.shrink(rbpf_differs_unexplained);
                let bytes = minimal.bytes();
                panic!(
                    "program {n}: rbpf differs from the RFC 9669 oracle and the interpreter, \
                     and no known rbpf bug explains it\nrbpf: {:?}\noracle: {:?}\n\
                     minimal reproducer:\n{}",
                    rbpf(&bytes),
                    oracle::run(&bytes, &input(), Quirks::default()),
                    disassembly(&minimal)
                );
            }
        }
    }
    eprintln!(
        "{count} programs: 0 real differences; {faults} fault by design; rbpf refused \
         {refused_by_rbpf}; differences explained by known rbpf bugs: {explained:?}"
    );
    assert!(
        refused_by_rbpf < count / 100,
        "rbpf refused {refused_by_rbpf} programs: the generator left its subset"
    );
    assert!(
        faults > count / 50 && faults < count / 2,
        "{faults} faults: the generator no longer mixes in-bounds and out-of-bounds accesses"
    );
}

/// The oracle is a real third opinion: it finds each known rbpf bug on a program made
/// to show it, and agrees with the interpreter there.
#[test]
fn each_known_rbpf_bug_shows_on_its_program() {
    let slot = |op: u8, regs: u8, off: i16, imm: i32| {
        let mut s = vec![op, regs];
        s.extend_from_slice(&off.to_le_bytes());
        s.extend_from_slice(&imm.to_le_bytes());
        s
    };
    // r0 = -1; if r0 == -1 (sign-extended) goto +1; r0 = 7; exit.
    let jump = [
        slot(0xb7, 0x00, 0, -1),
        slot(0x15, 0x00, 1, -1),
        slot(0xb7, 0x00, 0, 7),
        slot(0x95, 0, 0, 0),
    ]
    .concat();
    // r0 = 0x1_0000_0005; r2 = 0; w0 %= w2; exit: the RFC gives 5.
    let modulo = [
        slot(0x18, 0x00, 0, 5),
        slot(0x00, 0x00, 0, 1),
        slot(0xb7, 0x02, 0, 0),
        slot(0x9c, 0x20, 0, 0),
        slot(0x95, 0, 0, 0),
    ]
    .concat();
    // r0 = 1 << 63; r0 = -r0; exit: the RFC gives 1 << 63 back.
    let negation = [
        slot(0x18, 0x00, 0, 0),
        slot(0x00, 0x00, 0, i32::MIN),
        slot(0x87, 0x00, 0, 0),
        slot(0x95, 0, 0, 0),
    ]
    .concat();
    let [zero_extended, mod32, neg] = Quirks::RBPF_0_4_1;
    for (bytes, rfc_r0, (bug, _)) in [
        (jump, u64::MAX, zero_extended),
        (modulo, 5, mod32),
        (negation, 1 << 63, neg),
    ] {
        let expected: Seen = oracle::run(&bytes, &input(), Quirks::default()).into();
        assert_eq!(expected.r0, Some(rfc_r0), "{bug}");
        assert_eq!(interpreter(&bytes), Ok(expected.clone()), "{bug}");
        let seen = rbpf(&bytes).expect("rbpf runs it");
        assert_ne!(seen, expected, "rbpf no longer shows: {bug}");
        assert_eq!(rbpf_bug(&bytes, &seen), Some(bug));
    }
}
