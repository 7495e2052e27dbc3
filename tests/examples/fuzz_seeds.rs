//! Writes the seed corpora of the fuzz targets (`fuzz/`) from the conformance suite and
//! the shipped examples: `cargo run -p bpfplay-tests --example fuzz_seeds -- DIR` fills
//! `DIR/TARGET/` (`make fuzz-smoke` does it). Layouts follow each target's header.

use bpfplay_core::asm::assemble;
use bpfplay_core::workspace::{Setup, Tab, Workspace, document, link};
use bpfplay_tests::{data_files, examples, load};
use std::path::{Path, PathBuf};

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    std::fs::write(dir.join(name), bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// The interpreter's and the JIT's layout: profile and input length, input, program.
fn with_input(profile_bit: u8, input: &[u8], code: &[u8]) -> Vec<u8> {
    let input = &input[..input.len().min(127)];
    let mut out = vec![profile_bit | (input.len() as u8) << 1];
    out.extend_from_slice(input);
    out.extend_from_slice(code);
    out
}

fn main() {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .expect("usage: fuzz_seeds DIR");
    // (name, assembly text, program bytes, input)
    let mut programs: Vec<(String, String, Vec<u8>, Vec<u8>)> = Vec::new();
    for path in data_files("tests") {
        let file = load(&path).unwrap();
        let Ok(program) = file.program() else {
            continue;
        };
        programs.push((
            file.name.clone(),
            file.asm.clone(),
            program.encode(),
            file.mem.clone(),
        ));
    }
    let mut tabs = Vec::new();
    for ex in examples() {
        let program = assemble(&ex.source, None).unwrap().program;
        programs.push((
            ex.name.clone(),
            ex.source.clone(),
            program.encode(),
            ex.mem.clone(),
        ));
        if let Ok(setup) = Setup::from_headers(&ex.source) {
            tabs.push(Tab {
                name: ex.name.clone(),
                source: ex.source.clone(),
                setup,
                breakpoints: Default::default(),
            });
        }
    }
    for (name, text, code, input) in &programs {
        write(&dir, "decode", name, code);
        write(&dir, "assemble", name, text.as_bytes());
        write(&dir, "verify", name, &[&[0xe0u8][..], code].concat());
        for (profile_bit, profile) in [(0, "linux44"), (1, "rfc9669")] {
            let seed = with_input(profile_bit, input, code);
            write(&dir, "interpret", &format!("{name}.{profile}"), &seed);
            write(&dir, "jit", &format!("{name}.{profile}"), &seed);
        }
    }
    let mut tabs = tabs.into_iter();
    let mut workspace = Workspace::new(tabs.next().expect("an example with valid headers"));
    workspace.tabs.extend(tabs);
    write(
        &dir,
        "workspace_file",
        "examples.json",
        document::to_json(&workspace).as_bytes(),
    );
    for (i, tab) in workspace.tabs.iter().enumerate() {
        let single = Workspace::new(tab.clone());
        if let Ok(link) = link::encode(&single) {
            write(
                &dir,
                "share_link",
                &format!("{i}-{}", tab.name),
                link.fragment.as_bytes(),
            );
        }
    }
    // Command sequences: create a map, load a program using it, pin both, run, close.
    write(
        &dir,
        "kernel_syscalls",
        "create-load-pin-run",
        &[
            0x00, 0x02, 4, 8, 4, 0x04, 0x43, 0x06, 3, 0, 0x06, 4, 1, 0x0a, 4, 20, 0x05, 3, 0x05, 4,
        ],
    );
    eprintln!(
        "wrote seeds for {} programs into {}",
        programs.len(),
        dir.display()
    );
}
