//! `bpfplay-plugin`: a bpf_conformance plugin. The program comes as hex on stdin (or an
//! ELF object with `--elf`), the memory as the first argument; r0 is printed in hex.
//!
//! Usage: `bpfplay-plugin [MEM_HEX] [--profile linux-4.4|rfc9669] [--elf]`

use bpfplay_cli::{decode_hex, parse_memory, program_from_elf, read_stdin};
use bpfplay_core::isa::{Profile, parse_hex_bytes};
use bpfplay_core::vm::{Config, ConformanceHelpers, RunStop, Vm};
use std::process::ExitCode;

struct Options {
    memory: Vec<u8>,
    profile: Profile,
    elf: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        memory: Vec::new(),
        profile: Profile::Rfc9669,
        elf: false,
    };
    let mut args = args.filter(|a| !a.is_empty()).peekable();
    if let Some(first) = args.next_if(|a| !a.starts_with("--")) {
        options.memory = parse_memory(&first)?;
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--elf" => options.elf = true,
            "--profile" => {
                let name = args
                    .next()
                    .ok_or("--profile needs a value: linux-4.4 or rfc9669")?;
                options.profile = Profile::from_name(&name)
                    .ok_or_else(|| format!("unknown profile `{name}` (linux-4.4 or rfc9669)"))?;
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` (usage: bpfplay-plugin [MEM_HEX] [--profile P] [--elf])"
                ));
            }
        }
    }
    Ok(options)
}

fn run() -> Result<u64, String> {
    let options = parse_args(std::env::args().skip(1))?;
    let input = read_stdin()?;
    let program = if options.elf {
        let bytes = parse_hex_bytes(&input).map_err(|e| format!("stdin: {e}"))?;
        program_from_elf(&bytes)?
    } else {
        decode_hex(&input, "stdin")?
    };
    let vm = Vm::new(program, Config::for_profile(options.profile)).map_err(|e| e.to_string())?;
    match vm
        .with_input(options.memory)
        .run(&mut ConformanceHelpers, &[])
    {
        RunStop::Exited { r0 } => Ok(r0),
        RunStop::Faulted(fault) => Err(fault.to_string()),
        RunStop::Breakpoint { pc } => Err(format!("stopped at breakpoint {pc}")),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(r0) => {
            println!("{r0:x}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
