//! bytes -> disassembly -> assembly -> bytes is the identity, in both syntaxes, for
//! every conformance program, every shipped example and every valid single-slot
//! encoding. One trial per conformance program and per example.

use bpfplay_core::asm::assemble;
use bpfplay_core::disasm::{disassemble, mnemonic};
use bpfplay_core::isa::{AtomicOp, Program, RawInsn, table};
use bpfplay_core::syntax::Syntax;
use bpfplay_tests::harness::{self, trial};
use bpfplay_tests::{examples, load, suite_trials};

fn assert_round_trip(name: &str, program: &Program) {
    let bytes = program.encode();
    for syntax in Syntax::ALL {
        let text = disassemble(program, syntax);
        for forced in [Some(syntax), None] {
            let again = assemble(&text, forced).unwrap_or_else(|e| {
                panic!(
                    "{name} ({} syntax, forced {forced:?}): {e}\n{text}",
                    syntax.name()
                )
            });
            assert_eq!(
                again.program.encode(),
                bytes,
                "{name} ({} syntax)\n{text}",
                syntax.name()
            );
        }
    }
}

/// The wire bytes of one slot (`lddw` plus its tail: with the tail appended).
fn raw(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> Vec<u8> {
    RawInsn {
        opcode,
        dst,
        src,
        off,
        imm,
    }
    .to_bytes()
    .to_vec()
}

/// Every single-slot encoding with fields drawn from interesting values.
fn candidate_insns() -> impl Iterator<Item = Vec<u8>> {
    let offs = [0i16, 1, -1, 8, 16, 32, 0x7fff];
    let mut imms = vec![0i32, 1, -1, 16, 32, 64, i32::MIN];
    imms.extend(AtomicOp::ALL.iter().map(|op| op.code()));
    (0..=255u8).flat_map(move |opcode| {
        let imms = imms.clone();
        [0x00u8, 0x10, 0x20, 0x21, 0xa3, 0x1a, 0x30, 0x40, 0x50, 0x61]
            .into_iter()
            .flat_map(move |regs| {
                let imms = imms.clone();
                offs.into_iter().flat_map(move |off| {
                    imms.clone().into_iter().map(move |imm| {
                        let mut b = raw(opcode, regs & 0xf, regs >> 4, off, imm);
                        if opcode == table::LDDW {
                            b.extend_from_slice(&raw(0, 0, 0, 0, -7));
                        }
                        b
                    })
                })
            })
    })
}

fn every_valid_encoding_round_trips_through_both_syntaxes() -> Result<(), String> {
    let mut seen = Vec::new();
    for bytes in candidate_insns() {
        let Ok(program) = Program::decode(&bytes) else {
            continue;
        };
        let insn = *program.get(0).unwrap();
        let name = mnemonic(&insn);
        if !seen.contains(&name) {
            seen.push(name);
        }
        for syntax in Syntax::ALL {
            let text = disassemble(&program, syntax);
            let again = assemble(&text, Some(syntax))
                .unwrap_or_else(|e| panic!("{} does not assemble: {e}", text.trim()));
            assert_eq!(
                again.program.encode(),
                bytes,
                "{} ({})",
                text.trim(),
                syntax.name()
            );
        }
    }
    // Every mnemonic family of RFC 9669 appears.
    for expected in [
        "add",
        "add32",
        "sdiv",
        "smod32",
        "movsx864",
        "movsx1632",
        "movsx3264",
        "arsh32",
        "neg",
        "neg32",
        "le16",
        "be64",
        "bswap32",
        "lddw",
        "lddw map_fd",
        "lddw map_value",
        "lddw map_idx_value",
        "ldabsb",
        "ldindw",
        "ldxdw",
        "ldxsh",
        "stb",
        "stxdw",
        "lock add",
        "lock fetch xor32",
        "lock xchg",
        "lock cmpxchg32",
        "ja",
        "ja32",
        "jeq",
        "jsle32",
        "jset",
        "call",
        "call local",
        "call runtime",
        "callx",
        "exit",
    ] {
        assert!(
            seen.iter().any(|s| s == expected),
            "no encoding produced `{expected}`"
        );
    }
    Ok(())
}

fn main() {
    let mut trials = suite_trials("conformance", "tests", |name, path| {
        trial(name, move || {
            let file = load(&path)?;
            assert_round_trip(&file.name, &file.program()?);
            Ok(())
        })
    });
    for ex in examples() {
        trials.push(trial(format!("examples::{}", ex.name), move || {
            let program = assemble(&ex.source, None)
                .map_err(|e| e.to_string())?
                .program;
            assert_round_trip(&ex.name, &program);
            Ok(())
        }));
    }
    trials.push(trial(
        "every_valid_encoding_round_trips_through_both_syntaxes",
        every_valid_encoding_round_trips_through_both_syntaxes,
    ));
    harness::run(trials)
}
