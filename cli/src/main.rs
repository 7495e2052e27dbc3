//! `bpfplay`: assemble, disassemble and run eBPF programs.

use bpfplay_cli::{
    Files, assemble_file, load_bytes, load_program, parse_memory, read_packet, read_stdin,
    trace_line,
};
use bpfplay_core::bpftool::{self, Session, parse_map_list};
use bpfplay_core::disasm;
use bpfplay_core::isa::{Profile, hex_lines};
use bpfplay_core::kernel::{Kernel, ProgLoad, RunInput, Settings};
use bpfplay_core::linux::ProgType;
use bpfplay_core::syntax::Syntax;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, State, Vm};
use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "bpfplay",
    version,
    about = "eBPF playground: assemble, disassemble and run Linux 4.4 / RFC 9669 eBPF"
)]
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
        /// Load without the verifier; run-time checks then catch faults.
        #[arg(long, requires = "prog_type")]
        no_verify: bool,
        /// Memory for r1 to point at (hex bytes); r2 holds its length.
        #[arg(long)]
        mem: Option<String>,
        /// Print every step with the registers and memory it changed.
        #[arg(long)]
        trace: bool,
        /// Instruction budget.
        #[arg(long, default_value_t = Config::DEFAULT_FUEL)]
        fuel: u64,
        /// With a workspace file: the tab to run (default: the one that was active).
        #[arg(long)]
        tab: Option<String>,
        /// A program file, or a workspace file (`NAME.bpfplay.json`, from the
        /// playground's Download): its tab runs with its setup, maps and packet.
        program: String,
    },
    /// Run bpftool-style commands against one emulated kernel (FILE, or - for stdin).
    Script { file: String },
    /// Verify PROGRAM with Linux 4.4's verifier and print its log. Exit 0 if accepted,
    /// 1 if rejected, 2 on a usage error.
    Verify {
        #[arg(long = "type", value_enum, default_value = "socket_filter")]
        prog_type: ProgTypeArg,
        /// Load as a user without CAP_SYS_ADMIN.
        #[arg(long)]
        unprivileged: bool,
        /// 4.4 prints the same log at every non-zero level.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=2))]
        log_level: u32,
        /// Maps to create, as for `run --maps`.
        #[arg(long)]
        maps: Option<String>,
        program: String,
    },
}

/// How a command failed: with a message, or (verify) with a rejection already printed.
enum ExitWith {
    Message(String),
    Rejected,
}

impl From<String> for ExitWith {
    fn from(message: String) -> Self {
        ExitWith::Message(message)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(ExitWith::Rejected) => ExitCode::FAILURE,
        Err(ExitWith::Message(message)) => {
            eprintln!("bpfplay: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A kernel with the `--maps` maps created by a process of `uid`.
struct Loader {
    kernel: Kernel,
    pid: u32,
    /// Each map's index in `--maps` with its fd.
    fds: Vec<(u32, u32)>,
}

fn kernel_with_maps(maps: Option<&str>, uid: u32, verify: bool) -> Result<Loader, String> {
    let mut kernel = Kernel::new(Settings {
        memlock_pages: None,
        verifier: verify,
        ..Settings::default()
    });
    let pid = kernel.spawn("bpfplay", uid);
    let specs = maps
        .map(parse_map_list)
        .transpose()
        .map_err(|e| format!("--{e}"))?
        .unwrap_or_default();
    let mut bound = Vec::new();
    for (i, spec) in specs.into_iter().enumerate() {
        let fd = kernel
            .map_create(pid, spec, "")
            .map_err(|e| format!("--maps item {}: {e}", i + 1))?;
        bound.push((i as u32, fd));
    }
    Ok(Loader {
        kernel,
        pid,
        fds: bound,
    })
}

/// The options of `bpfplay run --type`.
struct KernelRun {
    prog_type: ProgType,
    packet: Option<String>,
    maps: Option<String>,
    verify: bool,
    trace: bool,
    fuel: u64,
}

/// `bpfplay run --type`: create the maps, load the program (verifying it, as the
/// kernel does) and run it.
fn run_in_kernel(program: bpfplay_core::isa::Program, run: &KernelRun) -> Result<(), String> {
    let KernelRun {
        prog_type,
        ref packet,
        ref maps,
        verify,
        trace,
        fuel,
    } = *run;
    let Loader {
        mut kernel,
        pid,
        fds,
    } = kernel_with_maps(maps.as_deref(), 0, verify)?;
    let mut load = ProgLoad::new(prog_type, &program);
    // Worded as bpftool words it, which the CLI's messages have always followed.
    load.bind_map_indexes(&fds)
        .map_err(|e| bpftool::Error::from(e).to_string())?;
    let packet = packet.as_deref();
    let input = if prog_type == ProgType::Kprobe {
        RunInput::Kprobe {
            regs: Default::default(),
        }
    } else {
        let bytes = match packet {
            None => vec![0; 60],
            Some(p) if std::path::Path::new(p).is_file() => read_packet(p)?,
            Some(p) => parse_memory(p).map_err(|e| format!("--packet: {e}"))?,
        };
        RunInput::packet(bytes)
    };
    load_and_run(&mut kernel, pid, load, input, trace, fuel)
}

/// Loads a program whose maps are bound into `kernel` as process `pid` (verifying it
/// unless the kernel's settings say not to), runs it on `input` and prints what it did.
fn load_and_run(
    kernel: &mut Kernel,
    pid: u32,
    load: ProgLoad,
    input: RunInput,
    trace: bool,
    fuel: u64,
) -> Result<(), String> {
    let load = ProgLoad {
        log_level: 1,
        log_size: u32::MAX >> 8,
        log_buf: true,
        ..load
    };
    let loaded = kernel.prog_load(pid, &load);
    let fd = loaded.fd.map_err(|e| {
        let log = loaded.log.trim_end();
        if log.is_empty() {
            format!("BPF_PROG_LOAD: {e}")
        } else {
            format!("BPF_PROG_LOAD: {e}\n{log}")
        }
    })?;
    let mut inv = kernel.invoke(pid, fd, input).map_err(|e| e.to_string())?;
    inv.vm.set_fuel(Some(fuel));
    if trace {
        while let Some(step) = kernel.step(&mut inv) {
            println!("{}", trace_line(&inv.vm, &step, Syntax::Llvm));
        }
    }
    kernel.run(&mut inv, &[]);
    let report = kernel.finish(inv);
    for line in bpfplay_core::kernel::trace_lines(&report.trace) {
        println!("{line}");
    }
    for (event, bytes) in &report.perf_samples {
        println!(
            "perf event {event}: {}",
            bpfplay_core::isa::spaced_hex(bytes)
        );
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
    // What the kernel returns: BPF_PROG_RUN's u32 (the full r0 is in `--trace`).
    println!("{:#x}", report.ret);
    Ok(())
}

/// Runs a program in the plain VM with r1 pointing at `memory`; prints r0.
fn run_plain(
    program: bpfplay_core::isa::Program,
    profile: Profile,
    memory: Vec<u8>,
    trace: bool,
    fuel: u64,
) -> Result<(), ExitWith> {
    let config = Config {
        fuel: Some(fuel),
        ..Config::for_profile(profile)
    };
    let vm = Vm::new(program, config).map_err(|e| ExitWith::Message(e.to_string()))?;
    let mut vm = vm.with_input(memory);
    if trace {
        while let Some(step) = vm.step(&mut NoHelpers) {
            println!("{}", trace_line(&vm, &step, Syntax::Llvm));
        }
    }
    match vm.run(&mut NoHelpers, &[]) {
        RunStop::Exited { r0 } => {
            if let State::Exited {
                early: Some(reason),
                ..
            } = vm.state()
            {
                eprintln!("note: {reason}");
            }
            println!("{r0:#x}");
        }
        RunStop::Faulted(fault) => return Err(fault.to_string().into()),
        RunStop::Breakpoint { pc } => {
            return Err(format!("stopped at breakpoint {pc}").into());
        }
    }
    Ok(())
}

/// What workspace files are called (the playground's Download names them so).
const WORKSPACE_SUFFIX: &str = ".bpfplay.json";

/// `bpfplay run NAME.bpfplay.json [--tab NAME]`: runs a tab as the playground does, on
/// the workspace's kernel (its maps, entries and pins) with the tab's setup.
fn run_workspace(path: &str, tab: Option<&str>, trace: bool, fuel: u64) -> Result<(), ExitWith> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let workspace =
        bpfplay_core::workspace::document::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
    let tab = match tab {
        None => workspace.tab(),
        Some(name) => workspace.tab_named(name).ok_or_else(|| {
            let names: Vec<&str> = workspace.tabs.iter().map(|t| t.name.as_str()).collect();
            format!("{path}: no tab `{name}` (its tabs: {})", names.join(", "))
        })?,
    };
    let program = bpfplay_core::asm::assemble(&tab.source, None)
        .map_err(|e| format!("{path}: tab `{}`: {e}", tab.name))?
        .program;
    let setup = &tab.setup;
    let Some(prog_type) = setup.prog_type else {
        return run_plain(program, setup.profile, setup.packet.clone(), trace, fuel);
    };
    let mut kernel = workspace.check().map_err(|e| format!("{path}: {e}"))?;
    let mut bound = workspace.setup_maps.clone();
    let (pid, fds) = bpfplay_core::workspace::run::setup_maps(setup, &mut kernel, &mut bound)
        .map_err(|e| format!("{path}: tab `{}`: {e}", tab.name))?;
    let mut load = ProgLoad::new(prog_type, &program);
    load.bind_map_indexes(&fds).map_err(|e| {
        let e = bpftool::Error::from(e);
        format!("{path}: tab `{}`: {e}", tab.name)
    })?;
    load_and_run(&mut kernel, pid, load, setup.run_input(), trace, fuel)?;
    Ok(())
}

fn execute(command: Command) -> Result<(), ExitWith> {
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
                (
                    text,
                    std::path::Path::new(&file)
                        .parent()
                        .map(std::path::Path::to_path_buf)
                        .unwrap_or_default(),
                )
            };
            let mut session = Session::default();
            for line in bpftool::print::transcript(&mut session, &text, &mut Files { base }) {
                println!("{line}");
            }
        }
        Command::Run {
            program,
            tab,
            prog_type,
            packet,
            maps,
            no_verify,
            mem,
            trace,
            fuel,
            ..
        } if program.ends_with(WORKSPACE_SUFFIX) => {
            let from_file = [
                ("--type", prog_type.is_some()),
                ("--packet", packet.is_some()),
                ("--maps", maps.is_some()),
                ("--no-verify", no_verify),
                ("--mem", mem.is_some()),
            ];
            if let Some((flag, _)) = from_file.iter().find(|(_, given)| *given) {
                return Err(format!(
                    "{flag} does not go with a workspace file: the tab's setup says how it runs"
                )
                .into());
            }
            run_workspace(&program, tab.as_deref(), trace, fuel)?;
        }
        Command::Run { tab: Some(_), .. } => {
            return Err(
                String::from("--tab picks a tab of a workspace file (NAME.bpfplay.json)").into(),
            );
        }
        Command::Run {
            prog_type: Some(prog_type),
            packet,
            maps,
            no_verify,
            trace,
            fuel,
            program,
            mem,
            ..
        } => {
            if mem.is_some() {
                return Err(String::from(
                    "--mem is for plain runs; with --type the program gets its context in r1",
                )
                .into());
            }
            let program = load_program(&program, None)?;
            let run = KernelRun {
                prog_type: prog_type.into(),
                packet,
                maps,
                verify: !no_verify,
                trace,
                fuel,
            };
            run_in_kernel(program, &run)?;
        }
        Command::Verify {
            prog_type,
            unprivileged,
            log_level,
            maps,
            program,
        } => {
            // Raw bytes, so that a malformed instruction gets the verifier's message.
            let bytes = load_bytes(&program, None)?;
            let uid = if unprivileged { 1000 } else { 0 };
            let Loader {
                mut kernel,
                pid,
                fds,
            } = kernel_with_maps(maps.as_deref(), uid, true)?;
            let mut attr = ProgLoad {
                log_level,
                log_size: u32::MAX >> 8,
                log_buf: true,
                ..ProgLoad::from_bytes(prog_type.into(), bytes)
            };
            // Without --maps, a map load's imm goes to the kernel as the fd it names.
            if maps.is_some() {
                attr.bind_map_indexes(&fds)
                    .map_err(|e| format!("{program}: {e} in --maps"))?;
            }
            let result = kernel.prog_load(pid, &attr);
            print!("{}", result.log);
            match result.fd {
                Ok(_) => println!(
                    "bpfplay: accepted ({} instructions processed)",
                    result.verifier.map_or(0, |v| v.processed)
                ),
                Err(e) => {
                    println!("bpfplay: rejected: {e}");
                    let rejection = result.verifier.and_then(|v| v.result.err());
                    if let Some(explanation) = rejection.map(|r| r.reason.explanation()) {
                        println!("bpfplay: what it means: {}", explanation.meaning);
                        println!("bpfplay: usual fix: {}", explanation.fix);
                    } else if e == bpfplay_core::linux::Errno::EPERM {
                        println!(
                            "bpfplay: without CAP_SYS_ADMIN, Linux 4.4 loads only socket_filter programs"
                        );
                    }
                    return Err(ExitWith::Rejected);
                }
            }
        }
        Command::Run {
            profile,
            mem,
            trace,
            fuel,
            program,
            ..
        } => {
            let program = load_program(&program, None)?;
            let memory = mem
                .as_deref()
                .map(parse_memory)
                .transpose()?
                .unwrap_or_default();
            run_plain(program, profile.into(), memory, trace, fuel)?;
        }
    }
    Ok(())
}
