//! Any bytes: the decoder gives a program or an error. A program encodes back to the
//! same bytes and survives disassembly and reassembly in both syntaxes.
#![no_main]

use bpfplay_core::asm::assemble;
use bpfplay_core::disasm::disassemble;
use bpfplay_core::isa::Program;
use bpfplay_core::syntax::Syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(program) = Program::decode(data) else {
        return;
    };
    assert_eq!(
        program.encode(),
        data,
        "decode then encode changed the bytes"
    );
    for syntax in Syntax::ALL {
        let text = disassemble(&program, syntax);
        let again = assemble(&text, Some(syntax)).unwrap_or_else(|e| {
            panic!("{} syntax does not reassemble: {e}\n{text}", syntax.name())
        });
        assert_eq!(
            again.program.encode(),
            data,
            "{} syntax round trip\n{text}",
            syntax.name()
        );
    }
});
