//! Shared machinery of the data-driven tests: reading bpf_conformance `.data` files,
//! locating the suite, and golden files refreshed with `BLESS=1`.

use bpfplay_core::asm;
use bpfplay_core::isa::{Profile, Program, parse_hex_bytes};
use bpfplay_core::syntax::Syntax;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub mod harness;
pub mod jit_compare;
pub mod oracle;
pub mod progen;
pub mod verifier_case;
pub mod wasmi_engine;

/// One `.data` test file, split into its sections (bpf_conformance's parser rules:
/// `#` comments, `--` markers matched by substring, last line of `result`/`error`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataFile {
    pub name: String,
    pub asm: String,
    pub raw: Option<String>,
    pub mem: Vec<u8>,
    pub result: Option<String>,
    pub error: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    Asm,
    Result,
    Mem,
    Raw,
    Ignored,
    Error,
}

impl DataFile {
    /// Parses the text of a `.data` file. Unknown `--` directives are an error.
    pub fn parse(name: &str, text: &str) -> Result<DataFile, String> {
        let mut file = DataFile {
            name: name.to_owned(),
            ..DataFile::default()
        };
        let mut section = Section::None;
        let mut mem_text = String::new();
        let mut raw_text: Option<String> = None;
        for (index, line) in text.lines().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = line.split('#').next().unwrap_or("");
            if line.contains("--") {
                section = if line.contains("asm") {
                    Section::Asm
                } else if line.contains("result") {
                    Section::Result
                } else if line.contains("mem") {
                    Section::Mem
                } else if line.contains("raw") {
                    raw_text.get_or_insert_with(String::new);
                    Section::Raw
                } else if line.contains("no register offset") || line.contains(" c") {
                    Section::Ignored
                } else if line.contains("error") {
                    Section::Error
                } else {
                    return Err(format!(
                        "{name}:{}: unknown directive `{}`",
                        index + 1,
                        line.trim()
                    ));
                };
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            match section {
                Section::Asm => {
                    file.asm.push_str(line);
                    file.asm.push('\n');
                }
                Section::Result => file.result = Some(line.trim().to_owned()),
                Section::Error => file.error = Some(line.trim_end().to_owned()),
                Section::Mem => {
                    mem_text.push_str(line);
                    mem_text.push(' ');
                }
                Section::Raw => {
                    if let Some(raw) = raw_text.as_mut() {
                        raw.push_str(line);
                        raw.push(' ');
                    }
                }
                Section::None | Section::Ignored => {}
            }
        }
        for (i, token) in mem_text.split_whitespace().enumerate() {
            let byte = u32::from_str_radix(token, 16)
                .map_err(|_| format!("{name}: mem byte {} `{token}` is not hex", i + 1))?;
            file.mem.push(byte as u8);
        }
        file.raw = raw_text;
        Ok(file)
    }

    /// The expected r0 (0 when the file gives none, as the reference runner assumes).
    pub fn expected(&self) -> Result<u64, String> {
        let Some(text) = &self.result else {
            return Ok(0);
        };
        let parsed = match text.find("0x") {
            Some(at) => u64::from_str_radix(&text[at + 2..], 16),
            None => text.parse(),
        };
        parsed.map_err(|e| format!("{}: result `{text}`: {e}", self.name))
    }

    /// The program: the `-- raw` words when present, otherwise the assembled `-- asm`.
    pub fn program(&self) -> Result<Program, String> {
        let bytes = match &self.raw {
            Some(raw) => raw_bytes(raw).map_err(|e| format!("{}: raw: {e}", self.name))?,
            None => {
                let assembled = asm::assemble(&self.asm, Some(Syntax::Ubpf))
                    .map_err(|e| format!("{}: assembler: {e}", self.name))?;
                assembled.program.encode()
            }
        };
        if bytes.is_empty() {
            return Err(format!("{}: no instructions", self.name));
        }
        Program::decode(&bytes).map_err(|e| format!("{}: decoder: {e}", self.name))
    }
}

/// `-- raw` text: 64-bit words (`0x5566778800000018`), or, when every token is one
/// byte, the bytes themselves (how the suite's `negative/unused-*` files write it).
fn raw_bytes(raw: &str) -> Result<Vec<u8>, String> {
    let tokens: Vec<&str> = raw.split_whitespace().collect();
    if tokens.iter().all(|t| t.len() == 2) {
        return parse_hex_bytes(raw).map_err(|e| e.to_string());
    }
    let mut out = Vec::new();
    for t in tokens {
        let word = match t.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => t.parse(),
        }
        .map_err(|e| format!("`{t}`: {e}"))?;
        out.extend_from_slice(&word.to_le_bytes());
    }
    Ok(out)
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The commit of the public bpf_conformance repository that
/// `../shared/bpf_conformance/README.md` was prepared from (checked against it by the
/// `goldens` tests whenever the suite is present).
pub const CONFORMANCE_COMMIT: &str = "f558566280d8e76c95a502cfd8014264d8668130";

/// With this variable set to `1` (as `.ci/run` sets it) a missing suite fails the tests
/// instead of leaving its trials ignored.
pub const REQUIRE_CONFORMANCE: &str = "BPFPLAY_REQUIRE_CONFORMANCE";

/// Where the suite is looked for: `$BPF_CONFORMANCE_DIR`, else `../shared/bpf_conformance`
/// beside the checkout.
fn conformance_path() -> PathBuf {
    std::env::var_os("BPF_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/bpf_conformance"))
}

/// The suite's directory, when it holds `tests/`.
pub fn conformance_dir() -> Option<PathBuf> {
    let dir = conformance_path();
    dir.join("tests").is_dir().then_some(dir)
}

/// What to do when the suite is absent: the exact commands that fetch it.
pub fn conformance_missing() -> String {
    let dir = conformance_path();
    format!(
        "bpf_conformance NOT FOUND at {} (set BPF_CONFORMANCE_DIR to use another place).\n\
         Get the suite, the public repository at the commit the project's notes name:\n  \
         git clone https://github.com/Alan-Jowett/bpf_conformance {}\n  \
         git -C {} checkout {CONFORMANCE_COMMIT}\n\
         Without it the conformance trials are ignored; {REQUIRE_CONFORMANCE}=1 makes them fail.",
        dir.display(),
        dir.display(),
        dir.display()
    )
}

/// Whether a missing suite must fail the tests (`BPFPLAY_REQUIRE_CONFORMANCE=1`).
pub fn conformance_required() -> bool {
    std::env::var_os(REQUIRE_CONFORMANCE).is_some_and(|v| v == "1")
}

/// Sorted `.data` files of a directory of the suite (`tests` or `negative`). An absent
/// suite gives no files (and [`suite_trials`] an ignored trial saying how to get it),
/// or panics with those instructions when the suite is required.
pub fn data_files(subdir: &str) -> Vec<PathBuf> {
    let Some(dir) = conformance_dir() else {
        assert!(!conformance_required(), "{}", conformance_missing());
        return Vec::new();
    };
    sorted_files(&dir.join(subdir), "data")
}

/// The files of `dir` whose extension is `ext`, sorted by path.
pub fn sorted_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// One trial per `.data` file of the suite's `subdir`, named `PREFIX::STEM` and made by
/// `make(name, path)`. With the suite absent: a single trial
/// `PREFIX::bpf_conformance_suite_present` that fails with the instructions when the
/// suite is required and is otherwise ignored (the run then reports it as ignored, and
/// prints the instructions), so a missing suite never passes silently.
pub fn suite_trials(
    prefix: &str,
    subdir: &str,
    make: impl Fn(String, PathBuf) -> harness::Trial,
) -> Vec<harness::Trial> {
    if conformance_dir().is_none() {
        let message = conformance_missing();
        eprintln!("\n*** {message} ***\n");
        let required = conformance_required();
        return vec![
            harness::trial(
                format!("{prefix}::bpf_conformance_suite_present"),
                move || Err(message),
            )
            .with_ignored_flag(!required),
        ];
    }
    data_files(subdir)
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            make(format!("{prefix}::{stem}"), path)
        })
        .collect()
}

/// Reads and parses one `.data` file.
pub fn load(path: &Path) -> Result<DataFile, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    DataFile::parse(&name, &text)
}

/// The conformance suite's `tests/*.data`, parsed (see [`data_files`] for an absent suite).
pub fn conformance_suite() -> Vec<DataFile> {
    data_files("tests")
        .iter()
        .map(|p| load(p).unwrap())
        .collect()
}

/// Expected linux-4.4 results that differ from the files' RFC 9669 results
/// (`tests/data/linux-4.4-results.txt`: `NAME 0xRESULT` per line).
pub fn linux44_overrides() -> std::collections::BTreeMap<String, u64> {
    let text =
        std::fs::read_to_string(workspace_root().join("tests/data/linux-4.4-results.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, value) = l.split_once(' ').unwrap();
            (
                name.to_owned(),
                u64::from_str_radix(value.trim().trim_start_matches("0x"), 16).unwrap(),
            )
        })
        .collect()
}

/// xorshift64*: a deterministic generator for the random-program tests, so that a
/// failure reproduces from its seed and the tests need no dependency. The seed must not
/// be 0.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Programs (`tests/benches/programs/NAME.s`) whose JIT modules are timed in V8.
pub const JIT_BENCH_PROGRAMS: [&str; 2] = ["alu_mix", "alu_mem"];

/// The profile every engine runs the ALU benchmarks under (interpreter natively and in
/// wasm, the JIT's modules): Linux 4.4's, whose programs they are, with its one 512-byte
/// stack frame, as rbpf's.
pub const ALU_BENCH_PROFILE: Profile = Profile::Linux44;

/// The input (r1's memory) of the JIT benchmark runs.
pub const JIT_BENCH_INPUT: [u8; 64] = {
    let mut input = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        input[i] = (i as u8).wrapping_mul(37) ^ 0x5a;
        i += 1;
    }
    input
};

/// One verification as the verifier benchmarks (native and wasm) measure it: a socket
/// filter, privileged, GPL, no maps. Returns (accepted, instructions processed).
pub fn bench_verify(insns: &[bpfplay_core::isa::RawInsn], log: bool) -> (bool, u32) {
    use bpfplay_core::linux::{Errno, ProgType};
    use bpfplay_core::verifier::{Env, MapInfo, verify};
    let mut resolve = |_fd: i32| -> Result<MapInfo, Errno> { Err(Errno::EBADF) };
    let env = Env {
        prog_type: ProgType::SocketFilter,
        privileged: true,
        gpl_compatible: true,
        log,
        resolve_map: &mut resolve,
    };
    let report = verify(insns, env);
    (report.result.is_ok(), report.processed)
}

/// Memory as the runner passes it to a plugin: `%02x` plus two spaces per byte.
pub fn runner_memory_arg(mem: &[u8]) -> String {
    mem.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}  ");
        s
    })
}

/// The golden files, by the data that produces them: the one place that maps a case to
/// its golden, shared by the tests that compare them and by the `goldens` test that
/// reports golden files no case produces.
fn golden(dir: &str, file: String) -> PathBuf {
    workspace_root().join("tests/golden").join(dir).join(file)
}

/// The outcome of the suite's `negative/NAME.data`.
pub fn negative_golden(name: &str) -> PathBuf {
    golden("negative", format!("{name}.out"))
}

/// The transcript of the script `NAME.txt`.
pub fn script_golden(name: &str) -> PathBuf {
    golden("scripts", format!("{name}.out"))
}

/// The PROG_LOAD log of a verifier case (`suffix` `priv` or `unpriv`).
pub fn verifier_golden(case: &str, suffix: &str) -> PathBuf {
    golden("verifier", format!("{case}.{suffix}.log"))
}

/// The `bpfplay verify` output of a verifier case (`suffix` `priv` or `unpriv`).
pub fn verify_golden(case: &str, suffix: &str) -> PathBuf {
    golden("verify", format!("{case}.{suffix}.out"))
}

/// The scripts `bpfplay script` runs against their golden transcripts: the shipped
/// examples in `static/scripts/*.txt` and the error and `help` cases in
/// `tests/data/scripts/*.txt`, sorted within each directory.
pub fn scripts() -> Vec<PathBuf> {
    ["static/scripts", "tests/data/scripts"]
        .iter()
        .flat_map(|dir| sorted_files(&workspace_root().join(dir), "txt"))
        .collect()
}

/// Compares `actual` with the golden file at `path`, or rewrites it when `BLESS=1`.
/// Returns a description of the mismatch.
pub fn check_golden(path: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        return std::fs::write(path, actual).map_err(|e| format!("{}: {e}", path.display()));
    }
    let expected = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run with BLESS=1 to create it)", path.display()))?;
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "{} differs (BLESS=1 refreshes it)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ))
    }
}

/// A shipped example program (`static/examples/*.s`) and the run its header declares
/// with `; profile:`, `; mem:` and `; result:` lines.
#[derive(Clone, Debug)]
pub struct Example {
    pub name: String,
    pub source: String,
    pub profile: bpfplay_core::isa::Profile,
    /// The program type, for programs that run in the emulated kernel.
    pub prog_type: Option<bpfplay_core::linux::ProgType>,
    /// `; maps:` of kernel programs.
    pub maps: Option<String>,
    /// r1 memory (plain runs) or the packet (kernel runs).
    pub mem: Vec<u8>,
    /// The expected r0 (the kernel's 32-bit return value for kernel runs); `None` for
    /// programs the verifier rejects.
    pub result: Option<u64>,
}

/// A typed example loaded as its header declares: a fresh kernel, the maps created and
/// bound, the program loaded, and the input to run it on.
pub struct LoadedExample {
    pub kernel: bpfplay_core::kernel::Kernel,
    pub pid: bpfplay_core::kernel::Pid,
    /// The program's fd, or the verifier's log when it was rejected.
    pub prog: Result<bpfplay_core::kernel::Fd, String>,
    pub input: bpfplay_core::kernel::RunInput,
}

impl Example {
    /// Loads a typed example (`None` for a plain program).
    pub fn load(&self) -> Option<LoadedExample> {
        use bpfplay_core::kernel::RunInput;
        use bpfplay_core::linux::ProgType;
        let prog_type = self.prog_type?;
        let maps = self.maps.as_deref().unwrap_or("");
        let FreshLoad {
            kernel, pid, prog, ..
        } = load_in_fresh_kernel(&self.name, &self.source, prog_type, maps);
        let input = if prog_type == ProgType::Kprobe {
            RunInput::Kprobe {
                regs: Default::default(),
            }
        } else {
            RunInput::packet(if self.mem.is_empty() {
                vec![0; 60]
            } else {
                self.mem.clone()
            })
        };
        Some(LoadedExample {
            kernel,
            pid,
            prog,
            input,
        })
    }
}

/// Every example, sorted by name.
pub fn examples() -> Vec<Example> {
    sorted_files(&workspace_root().join("static/examples"), "s")
        .iter()
        .map(|p| parse_example(p).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

fn parse_example(path: &Path) -> Result<Example, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let header = |key: &str| bpfplay_core::asm::header(&source, key);
    let profile = header("profile:")
        .and_then(bpfplay_core::isa::Profile::from_name)
        .ok_or_else(|| format!("{name}: needs a `; profile: linux-4.4|rfc9669` line"))?;
    let mem = header("mem:")
        .or_else(|| header("packet:"))
        .map(parse_hex_bytes)
        .transpose()
        .map_err(|e| format!("{name}: mem: {e}"))?
        .unwrap_or_default();
    let prog_type = header("type:").and_then(bpfplay_core::linux::ProgType::from_name);
    let rejected = header("expect:") == Some("rejected");
    let result =
        header("result:").and_then(|r| u64::from_str_radix(r.trim_start_matches("0x"), 16).ok());
    if result.is_none() && !rejected {
        return Err(format!("{name}: needs a `; result: 0x...` line"));
    }
    let maps = header("maps:").map(str::to_owned);
    Ok(Example {
        name,
        source,
        profile,
        prog_type,
        maps,
        mem,
        result,
    })
}

/// A benchmark program loaded into a fresh emulated kernel with its maps (a prog array
/// gets the program itself in slot 0), and the return value it must give on
/// [`bench_frame`].
pub struct KernelBench {
    pub name: &'static str,
    pub kernel: bpfplay_core::kernel::Kernel,
    pub pid: bpfplay_core::kernel::Pid,
    pub prog: bpfplay_core::kernel::Fd,
    pub expect_ret: u32,
}

/// The Ethernet/IPv4/TCP frame of `tests/benches/programs/tcp_frame.hex`.
pub fn bench_frame() -> Vec<u8> {
    bpfplay_core::isa::parse_hex_bytes(include_str!("../benches/programs/tcp_frame.hex"))
        .expect("tcp_frame.hex")
}

/// A program loaded in a fresh kernel (see [`load_in_fresh_kernel`]).
struct FreshLoad {
    kernel: bpfplay_core::kernel::Kernel,
    pid: bpfplay_core::kernel::Pid,
    /// (map index, fd) bindings.
    maps: Vec<(u32, u32)>,
    /// The program's fd, or the verifier's error and log.
    prog: Result<u32, String>,
}

/// A fresh kernel (no memlock limit) with the maps of `maps` (as `; maps:` writes them)
/// created in a new process and bound, and `source` loaded as `prog_type`.
fn load_in_fresh_kernel(
    name: &str,
    source: &str,
    prog_type: bpfplay_core::linux::ProgType,
    maps: &str,
) -> FreshLoad {
    use bpfplay_core::bpftool::parse_map_list;
    use bpfplay_core::kernel::{Kernel, ProgLoad, Settings};
    let program = bpfplay_core::asm::assemble(source, None)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .program;
    let mut kernel = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let pid = kernel.spawn("bpfplay-tests", 0);
    let defs = parse_map_list(maps).unwrap_or_else(|e| panic!("{name}: {e}"));
    let fds: Vec<(u32, u32)> = (0u32..)
        .zip(defs)
        .map(|(i, def)| {
            (
                i,
                kernel
                    .map_create(pid, def, "")
                    .unwrap_or_else(|e| panic!("{name}: {e}")),
            )
        })
        .collect();
    let mut load = ProgLoad::new(prog_type, &program);
    load.bind_map_indexes(&fds)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let loaded = kernel.prog_load(pid, &load);
    let prog = loaded.fd.map_err(|e| format!("{e}\n{}", loaded.log));
    FreshLoad {
        kernel,
        pid,
        maps: fds,
        prog,
    }
}

/// The benchmark programs that need the kernel (maps, helpers, tail calls). The sources
/// are embedded, so that the wasm benchmark runs the same set.
pub fn kernel_benches() -> Vec<KernelBench> {
    use bpfplay_core::linux::ProgType::{SchedCls, SocketFilter};
    vec![
        kernel_bench(
            "packet_parser",
            include_str!("../benches/programs/packet_parser.s"),
            SocketFilter,
            "",
            0x68,
        ),
        kernel_bench(
            "hash_map",
            include_str!("../benches/programs/hash_map.s"),
            SchedCls,
            "hash:4:8:1024",
            0,
        ),
        // The packet counter of the shipped scripts, not a copy of it.
        kernel_bench(
            "array_counter",
            include_str!("../../static/scripts/count-packets.s"),
            SchedCls,
            "array:4:8:4",
            0,
        ),
        kernel_bench(
            "tail_chain",
            include_str!("../benches/programs/tail_chain.s"),
            SchedCls,
            "prog_array:4:4:1",
            34,
        ),
        kernel_bench(
            "csum_rewrite",
            include_str!("../benches/programs/csum_rewrite.s"),
            SchedCls,
            "",
            0,
        ),
        kernel_bench(
            "helper_calls",
            include_str!("../benches/programs/helper_calls.s"),
            SchedCls,
            "hash:4:8:1024",
            0,
        ),
    ]
}

/// The trace benchmark: `tail_4096.s` (4095 slots of ALU mix ending in a tail call to
/// itself) in a prog array that holds it.
pub fn trace_bench() -> KernelBench {
    let source = include_str!("../benches/programs/tail_4096.s");
    kernel_bench(
        "tail_4096",
        source,
        bpfplay_core::linux::ProgType::SchedCls,
        "prog_array:4:4:1",
        0,
    )
}

/// Records a full step trace of one invocation of `bench` on `frame`, keeping every
/// `Step` as the playground's step history does; returns (steps, tail calls).
pub fn record_trace(bench: &mut KernelBench, frame: &[u8]) -> (usize, u32) {
    let input = bpfplay_core::kernel::RunInput::packet(frame.to_vec());
    let mut inv = bench
        .kernel
        .invoke(bench.pid, bench.prog, input)
        .expect("the program runs");
    let mut trace = Vec::new();
    while let Some(step) = bench.kernel.step(&mut inv) {
        trace.push(step);
    }
    assert!(
        matches!(inv.vm.state(), bpfplay_core::vm::State::Exited { .. }),
        "{:?}",
        inv.vm.state()
    );
    (trace.len(), inv.state.tail_calls)
}

fn kernel_bench(
    name: &'static str,
    source: &str,
    prog_type: bpfplay_core::linux::ProgType,
    maps: &str,
    expect_ret: u32,
) -> KernelBench {
    let FreshLoad {
        mut kernel,
        pid,
        maps: fds,
        prog,
    } = load_in_fresh_kernel(name, source, prog_type, maps);
    let prog = prog.unwrap_or_else(|log| panic!("{name}: {log}"));
    if let Some(&(_, jmp)) = fds.first().filter(|_| maps.starts_with("prog_array:")) {
        kernel
            .map_update(pid, jmp, &0u32.to_le_bytes(), &prog.to_le_bytes(), 0)
            .unwrap();
    }
    KernelBench {
        name,
        kernel,
        pid,
        prog,
        expect_ret,
    }
}
