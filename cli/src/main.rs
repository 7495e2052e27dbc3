//! `bpfplay`: assemble, disassemble and run eBPF programs.

use bpfplay_cli::{assemble_file, load_program, parse_memory, trace_line};
use bpfplay_core::disasm;
use bpfplay_core::isa::{Profile, hex_lines};
use bpfplay_core::syntax::Syntax;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, State, Vm};
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "bpfplay", version, about = "eBPF playground: assemble, disassemble and run Linux 4.4 / RFC 9669 eBPF")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum SyntaxArg {
    /// bpf_conformance / uBPF: `mov %r0, 1`
    Ubpf,
    /// kernel / LLVM pseudo-C: `r0 = 1`
    Llvm,
}

impl From<SyntaxArg> for Syntax {
    fn from(s: SyntaxArg) -> Self {
        match s {
            SyntaxArg::Ubpf => Syntax::Ubpf,
            SyntaxArg::Llvm => Syntax::Llvm,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    #[value(name = "linux-4.4")]
    Linux44,
    #[value(name = "rfc9669")]
    Rfc9669,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::Linux44 => Profile::Linux44,
            ProfileArg::Rfc9669 => Profile::Rfc9669,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Assemble FILE and print the bytecode as hex, one 8-byte instruction per line.
    Asm {
        /// Force a syntax; by default each line's syntax is detected.
        #[arg(long, value_enum)]
        syntax: Option<SyntaxArg>,
        /// Assembly source, or - for stdin.
        file: String,
    },
    /// Disassemble PROGRAM (.s/.asm, .hex, .bin, or - for hex on stdin).
    Disasm {
        #[arg(long, value_enum, default_value = "llvm")]
        syntax: SyntaxArg,
        program: String,
    },
    /// Run PROGRAM and print r0 in hex.
    Run {
        #[arg(long, value_enum, default_value = "rfc9669")]
        profile: ProfileArg,
        /// Memory for r1 to point at (hex bytes); r2 holds its length.
        #[arg(long)]
        mem: Option<String>,
        /// Print every step with the registers and memory it changed.
        #[arg(long)]
        trace: bool,
        /// Instruction budget.
        #[arg(long, default_value_t = Config::DEFAULT_FUEL)]
        fuel: u64,
        program: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bpfplay: {message}");
            ExitCode::FAILURE
        }
    }
}

fn execute(command: Command) -> Result<(), String> {
    match command {
        Command::Asm { syntax, file } => {
            let program = assemble_file(&file, syntax.map(Syntax::from))?;
            print!("{}", hex_lines(&program.encode()));
        }
        Command::Disasm { syntax, program } => {
            let program = load_program(&program, None)?;
            print!("{}", disasm::disassemble(&program, syntax.into()));
        }
        Command::Run { profile, mem, trace, fuel, program } => {
            let program = load_program(&program, None)?;
            let memory = mem.as_deref().map(parse_memory).transpose()?.unwrap_or_default();
            let config = Config { fuel: Some(fuel), ..Config::for_profile(profile.into()) };
            let vm = Vm::new(program, config).map_err(|e| e.to_string())?;
            let mut vm = vm.with_input(memory);
            if trace {
                while let Some(step) = vm.step(&mut NoHelpers) {
                    println!("{}", trace_line(&vm, &step, Syntax::Llvm));
                }
            }
            match vm.run(&mut NoHelpers, &[]) {
                RunStop::Exited { r0 } => {
                    if let State::Exited { early: Some(reason), .. } = vm.state() {
                        eprintln!("note: {reason}");
                    }
                    println!("{r0:#x}");
                }
                RunStop::Faulted(fault) => return Err(fault.to_string()),
                RunStop::Breakpoint { pc } => return Err(format!("stopped at breakpoint {pc}")),
            }
        }
    }
    Ok(())
}
