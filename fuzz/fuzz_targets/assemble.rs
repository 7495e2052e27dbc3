//! Any text through both assemblers (each syntax forced, and detected): a program or a
//! typed error, never a panic.
#![no_main]

use bpfplay_core::asm::assemble;
use bpfplay_core::syntax::Syntax;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for syntax in [Some(Syntax::Ubpf), Some(Syntax::Llvm), None] {
        if let Err(e) = assemble(&text, syntax) {
            // Errors render for people.
            let _ = e.to_string();
        }
    }
});
