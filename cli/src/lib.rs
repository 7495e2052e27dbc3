//! What the `bpfplay` and `bpfplay-plugin` binaries share: reading programs from files
//! and running them with caller memory.

use bpfplay_core::asm;
use bpfplay_core::disasm;
use bpfplay_core::isa::{Program, parse_hex_bytes};
use bpfplay_core::syntax::Syntax;
use bpfplay_core::vm::{State, Step, Vm};
use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

/// Reads a program: `.s`/`.asm` is assembly, `.hex` hex text, `.bin` raw bytes,
/// `-` hex on stdin. `syntax` forces an assembly syntax; `None` detects it.
pub fn load_program(path: &str, syntax: Option<Syntax>) -> Result<Program, String> {
    if is_assembly(path) {
        return assemble_file(path, syntax);
    }
    let bytes = load_bytes(path, syntax)?;
    let origin = if path == "-" { "stdin" } else { path };
    Program::decode(&bytes).map_err(|e| format!("{origin}: {e}"))
}

/// Reads a program's wire bytes without judging its instructions: `.hex`, `.bin` and
/// `-` as they are (so the kernel's verifier reports a malformed instruction in Linux
/// 4.4's own words), assembly assembled.
pub fn load_bytes(path: &str, syntax: Option<Syntax>) -> Result<Vec<u8>, String> {
    if path == "-" {
        return hex_bytes(&read_stdin()?, "stdin");
    }
    if is_assembly(path) {
        return Ok(assemble_file(path, syntax)?.encode());
    }
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    match ext {
        "hex" => hex_bytes(&read_text(path)?, path),
        "bin" => std::fs::read(path).map_err(|e| format!("{path}: {e}")),
        _ => Err(format!(
            "{path}: cannot tell the program format from the file name (use .s, .asm, .hex, .bin, or - for hex on stdin)"
        )),
    }
}

fn is_assembly(path: &str) -> bool {
    path != "-"
        && Path::new(path)
            .extension()
            .is_some_and(|e| e == "s" || e == "asm")
}

/// Assembles a file (or `-` for stdin).
pub fn assemble_file(path: &str, syntax: Option<Syntax>) -> Result<Program, String> {
    let text = if path == "-" {
        read_stdin()?
    } else {
        read_text(path)?
    };
    asm::assemble(&text, syntax)
        .map(|a| a.program)
        .map_err(|e| format!("{path}: {e}"))
}

pub fn decode_hex(text: &str, origin: &str) -> Result<Program, String> {
    Program::decode(&hex_bytes(text, origin)?).map_err(|e| format!("{origin}: {e}"))
}

fn hex_bytes(text: &str, origin: &str) -> Result<Vec<u8>, String> {
    let bytes = parse_hex_bytes(text).map_err(|e| format!("{origin}: {e}"))?;
    if bytes.is_empty() {
        return Err(format!("{origin}: no instructions"));
    }
    Ok(bytes)
}

fn read_text(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
}

pub fn read_stdin() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("stdin: {e}"))?;
    Ok(text)
}

/// Memory hex as the conformance runner passes it: bytes separated by any whitespace.
pub fn parse_memory(text: &str) -> Result<Vec<u8>, String> {
    parse_hex_bytes(text).map_err(|e| format!("memory: {e}"))
}

/// The code of an ELF64 relocatable eBPF object: its `.text` section, or the section
/// holding the symbol `main`.
pub fn program_from_elf(bytes: &[u8]) -> Result<Program, String> {
    use object::{Object, ObjectSection, ObjectSymbol};
    let file = object::File::parse(bytes).map_err(|e| format!("ELF: {e}"))?;
    if file.architecture() != object::Architecture::Bpf {
        return Err(format!(
            "ELF: architecture is {:?}, not eBPF",
            file.architecture()
        ));
    }
    let by_symbol = file
        .symbols()
        .find(|s| s.name() == Ok("main"))
        .and_then(|s| s.section_index())
        .and_then(|i| file.section_by_index(i).ok());
    let section = by_symbol
        .or_else(|| file.section_by_name(".text"))
        .ok_or("ELF: no `main` symbol and no .text section")?;
    let data = section.data().map_err(|e| format!("ELF: {e}"))?;
    Program::decode(data).map_err(|e| format!("ELF section {}: {e}", section.name().unwrap_or("?")))
}

/// Script and kernel-run files, resolved relative to a base directory.
pub struct Files {
    pub base: std::path::PathBuf,
}

impl bpfplay_core::bpftool::FileSource for Files {
    fn program(&mut self, name: &str) -> Result<Program, String> {
        load_program(&self.base.join(name).to_string_lossy(), None)
    }

    fn packet(&mut self, name: &str) -> Result<Vec<u8>, String> {
        read_packet(&self.base.join(name).to_string_lossy())
    }
}

/// Packet bytes from a file: `.bin` is raw, anything else hex text.
pub fn read_packet(path: &str) -> Result<Vec<u8>, String> {
    if path.ends_with(".bin") {
        return std::fs::read(path).map_err(|e| format!("{path}: {e}"));
    }
    let text = read_text(path)?;
    parse_hex_bytes(&text).map_err(|e| format!("{path}: {e}"))
}

/// One line of `--trace`: the instruction and what it changed.
pub fn trace_line(vm: &Vm, step: &Step, syntax: Syntax) -> String {
    let text = step
        .insn
        .map(|i| disasm::format_insn(&i, syntax))
        .unwrap_or_default();
    let mut line = format!("{:>5}: {text:<36}", step.pc);
    for c in &step.regs {
        let _ = write!(line, " {}={:#x} (was {:#x})", c.reg, c.new, c.old);
    }
    for m in &step.memory {
        let place = vm
            .memory()
            .symbolize(m.addr)
            .map(|(r, off)| format!("{}{off:+}", r.kind))
            .unwrap_or_default();
        let _ = write!(
            line,
            " [{:#x} {place}] {} -> {}",
            m.addr,
            hex(&m.old),
            hex(&m.new)
        );
    }
    if let State::Faulted(f) = &step.state {
        let _ = write!(line, " FAULT: {}", f.kind);
    }
    line.trim_end().to_owned()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
