//! bytes -> disassembly -> assembly -> bytes is the identity, in both syntaxes, for
//! every conformance program and every shipped example.

use bpfplay_core::asm::assemble;
use bpfplay_core::disasm::disassemble;
use bpfplay_core::isa::Program;
use bpfplay_core::syntax::Syntax;
use bpfplay_tests::{data_files, examples, load};

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

#[test]
fn conformance_programs_round_trip_in_both_syntaxes() {
    let files = data_files("tests");
    for path in &files {
        let file = load(path).unwrap();
        assert_round_trip(&file.name, &file.program().unwrap());
    }
    eprintln!(
        "round-tripped {} conformance programs in both syntaxes",
        files.len()
    );
}

#[test]
fn examples_round_trip_in_both_syntaxes() {
    for ex in examples() {
        let program = assemble(&ex.source, None)
            .unwrap_or_else(|e| panic!("{}: {e}", ex.name))
            .program;
        assert_round_trip(&ex.name, &program);
    }
}
