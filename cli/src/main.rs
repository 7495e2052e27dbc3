//! `bpfplay`: assemble, disassemble and run eBPF programs.

use bpfplay_cli::{Files, assemble_file, load_program, parse_maps_spec, parse_memory, read_packet, read_stdin, trace_line};
use bpfplay_core::kernel::script::{Session, bind_maps};
use bpfplay_core::kernel::{Kernel, ProgLoad, ProgType, RunInput, Settings};
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

#[derive(Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum ProgTypeArg {
    SocketFilter,
    Kprobe,
    SchedCls,
    SchedAct,
}

impl From<ProgTypeArg> for ProgType {
    fn from(t: ProgTypeArg) -> Self {
        match t {
            ProgTypeArg::SocketFilter => ProgType::SocketFilter,
            ProgTypeArg::Kprobe => ProgType::Kprobe,
            ProgTypeArg::SchedCls => ProgType::SchedCls,
            ProgTypeArg::SchedAct => ProgType::SchedAct,
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
    /// Run PROGRAM and print r0 in hex. With --type it is loaded into the emulated
    /// Linux 4.4 kernel and runs as that program type.
    Run {
        #[arg(long, value_enum, default_value = "rfc9669")]
        profile: ProfileArg,
        /// Load into the emulated kernel as this program type (implies linux-4.4).
        #[arg(long = "type", value_enum)]
        prog_type: Option<ProgTypeArg>,
        /// The packet for socket_filter / sched_cls / sched_act: a file (.bin raw,
        /// otherwise hex text) or hex bytes. Default: 60 zero bytes.
        #[arg(long, requires = "prog_type")]
        packet: Option<String>,
        /// Maps to create, `hash:4:8:16,array:4:8:4` (type:key:value:entries); an
        /// LD_IMM64 with src=1 and imm=i refers to the i-th.
        #[arg(long, requires = "prog_type")]
        maps: Option<String>,
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
    /// Run bpftool-style commands against one emulated kernel (FILE, or - for stdin).
    Script { file: String },
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

/// `bpfplay run --type`: create the maps, load the program and run it in a kernel.
fn run_in_kernel(
    program: bpfplay_core::isa::Program,
    prog_type: ProgType,
    packet: Option<&str>,
    maps: Option<&str>,
    trace: bool,
    fuel: u64,
) -> Result<(), String> {
    let mut kernel = Kernel::new(Settings { memlock_pages: None, ..Settings::default() });
    let pid = kernel.spawn("bpfplay", 0);
    let specs = maps.map(parse_maps_spec).transpose()?.unwrap_or_default();
    let mut bound = Vec::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let fd = kernel.map_create(pid, spec, "").map_err(|e| format!("--maps item {}: {e}", i + 1))?;
        bound.push((i as u32, fd));
    }
    let program = bind_maps(&program, &bound)?;
    let load = ProgLoad { log_level: 1, log_size: 1 << 16, log_buf: true, ..ProgLoad::new(prog_type, &program) };
    let loaded = kernel.prog_load(pid, &load);
    let fd = loaded.fd.map_err(|e| format!("BPF_PROG_LOAD: {e}{}", if loaded.log.is_empty() { String::new() } else { format!("\n{}", loaded.log.trim_end()) }))?;
    let input = if prog_type == ProgType::Kprobe {
        RunInput::Kprobe { regs: Default::default() }
    } else {
        let bytes = match packet {
            None => vec![0; 60],
            Some(p) if std::path::Path::new(p).is_file() => read_packet(p)?,
            Some(p) => parse_memory(p).map_err(|e| format!("--packet: {e}"))?,
        };
        RunInput::packet(bytes)
    };
    let mut inv = kernel.invoke(pid, fd, input).map_err(|e| e.to_string())?;
    inv.vm.set_fuel(Some(fuel));
    if trace {
        while let Some(step) = kernel.step(&mut inv) {
            println!("{}", trace_line(&inv.vm, &step, Syntax::Llvm));
        }
    }
    kernel.run(&mut inv, &[]);
    let report = kernel.finish(inv);
    for line in &report.trace {
        println!("{line}");
    }
    for (event, bytes) in &report.perf_samples {
        println!("perf event {event}: {}", bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" "));
    }
    if let Some(redirect) = &report.redirect {
        println!("{redirect}");
    }
    if let Some(fault) = report.fault {
        return Err(fault.to_string());
    }
    if let Some(verdict) = report.verdict {
        eprintln!("note: {verdict}");
    }
    println!("{:#x}", report.r0);
    Ok(())
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
        Command::Script { file } => {
            let (text, base) = if file == "-" {
                (read_stdin()?, std::path::PathBuf::from("."))
            } else {
                let text = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?;
                (text, std::path::Path::new(&file).parent().map(std::path::Path::to_path_buf).unwrap_or_default())
            };
            let mut session = Session::default();
            for line in session.run_script(&text, &mut Files { base }) {
                println!("{line}");
            }
        }
        Command::Run { prog_type: Some(prog_type), packet, maps, trace, fuel, program, mem, .. } => {
            if mem.is_some() {
                return Err(String::from("--mem is for plain runs; with --type the program gets its context in r1"));
            }
            let program = load_program(&program, None)?;
            run_in_kernel(program, prog_type.into(), packet.as_deref(), maps.as_deref(), trace, fuel)?;
        }
        Command::Run { profile, mem, trace, fuel, program, .. } => {
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
