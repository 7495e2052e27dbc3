//! bpftool-style commands against one emulated kernel, for `bpfplay script` and the
//! playground console. Where bpftool has an equivalent, the grammar is bpftool's:
//!
//! ```text
//! map create PATH type hash key 4 value 8 entries 64 name counts
//! MAP is `pinned PATH` or `id N` (an id from `map show`):
//! map update MAP key 1 0 0 0 value 0 0 0 0 0 0 0 0 [any|noexist|exist]
//! map update pinned PATH key 0 0 0 0 value pinned PROG_PATH      (prog_array)
//! map update pinned PATH key 0 0 0 0 value perf cpu 0             (perf_event_array)
//! map lookup|delete|getnext MAP key …   ·   map dump MAP   ·   map pin MAP PATH   ·   map show
//! prog load FILE PATH type sched_cls [map idx 0 MAP]…     ·   prog show
//! prog run pinned PATH [packet FILE | packet hex …] [repeat N]
//! process new NAME [uid N] · process use NAME · process exit
//! fs mkdir|rmdir|unlink|ls PATH
//! rlimit memlock BYTES|unlimited · sysctl kernel.unprivileged_bpf_disabled 1
//! ```
//! Byte lists take bpftool's numbers (`1`, `0x01`, `010`) or `hex 01 00`. Objects made
//! by `map create` and `prog load` stay open in the current process until it exits.

use super::ctx::PtRegs;
use super::map::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};
use super::{Kernel, MapCreate, Object, ObjectId, PerfKind, Pid, ProgLoad, RunInput};
use crate::isa::{Imm64Kind, Insn, Program};
use crate::linux::{Errno, MapType, ProgType};
use crate::prelude::*;
use core::fmt;

/// Reads the files a script names (`prog load FILE`, `packet FILE`).
pub trait FileSource {
    /// A program file (assembly, hex or raw bytes).
    fn program(&mut self, name: &str) -> Result<Program, String>;
    /// Packet bytes.
    fn packet(&mut self, name: &str) -> Result<Vec<u8>, String>;
}

/// Why a command failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// The kernel refused it.
    Errno(Errno),
    /// The command itself is malformed; says what was expected.
    Usage(String),
}

impl From<Errno> for CommandError {
    fn from(e: Errno) -> Self {
        CommandError::Errno(e)
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Errno(e) => write!(f, "Error: {e}"),
            CommandError::Usage(m) => write!(f, "Error: {m}"),
        }
    }
}

fn usage(message: impl Into<String>) -> CommandError {
    CommandError::Usage(message.into())
}

/// A script session: a kernel and the current process.
#[derive(Debug)]
pub struct Session {
    pub kernel: Kernel,
    /// The current process; `None` after `process exit`.
    current: Option<Pid>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new(Kernel::default())
    }
}

type Result<T, E = CommandError> = core::result::Result<T, E>;

/// Splits a line into words, dropping a `#` comment.
fn words(line: &str) -> Vec<&str> {
    line.split('#')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

/// bpftool's number syntax (strtoul base 0): `0x1f`, `017`, `15`.
fn number(word: &str) -> Option<u64> {
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if word.len() > 1 && word.starts_with('0') {
        u64::from_str_radix(&word[1..], 8).ok()
    } else {
        word.parse().ok()
    }
}

/// A byte list after `key` or `value`: numbers, or `hex` and two-digit hex bytes. Stops
/// at the first word that is neither.
fn bytes<'a>(
    it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    what: &str,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let hex = it.next_if_eq(&"hex").is_some();
    while let Some(word) = it.peek() {
        let byte = if hex {
            u8::from_str_radix(word, 16).ok()
        } else {
            number(word).and_then(|n| u8::try_from(n).ok())
        };
        match byte {
            Some(b) => {
                out.push(b);
                it.next();
            }
            None if out.is_empty() => {
                return Err(usage(format!("`{word}` is not a byte of the {what}")));
            }
            None => break,
        }
    }
    if out.is_empty() {
        return Err(usage(format!("expected the bytes of the {what}")));
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn expect<'a>(it: &mut impl Iterator<Item = &'a str>, keyword: &str) -> Result<()> {
    match it.next() {
        Some(w) if w == keyword => Ok(()),
        Some(w) => Err(usage(format!("expected `{keyword}`, found `{w}`"))),
        None => Err(usage(format!("expected `{keyword}`"))),
    }
}

fn arg<'a>(it: &mut impl Iterator<Item = &'a str>, what: &str) -> Result<&'a str> {
    it.next().ok_or_else(|| usage(format!("expected {what}")))
}

fn num_arg<'a>(it: &mut impl Iterator<Item = &'a str>, what: &str) -> Result<u64> {
    let w = arg(it, what)?;
    number(w).ok_or_else(|| usage(format!("`{w}` is not a number ({what})")))
}

fn u32_arg<'a>(it: &mut impl Iterator<Item = &'a str>, what: &str) -> Result<u32> {
    let n = num_arg(it, what)?;
    u32::try_from(n).map_err(|_| usage(format!("{what} {n} does not fit in 32 bits")))
}

fn end<'a>(it: &mut impl Iterator<Item = &'a str>) -> Result<()> {
    match it.next() {
        None => Ok(()),
        Some(w) => Err(usage(format!("unexpected `{w}`"))),
    }
}

impl Session {
    /// A session whose current process is `main` (uid 0).
    pub fn new(mut kernel: Kernel) -> Self {
        let main = kernel.spawn("main", 0);
        Session {
            kernel,
            current: Some(main),
        }
    }

    /// The current process.
    pub fn pid(&self) -> Result<Pid> {
        self.current.ok_or_else(|| {
            usage("no current process (after `process exit`, use `process new` or `process use`)")
        })
    }

    /// Runs a whole script and returns its transcript: each command echoed after `> `,
    /// then its output or its error line. A failing command does not stop the script.
    pub fn run_script(&mut self, text: &str, files: &mut dyn FileSource) -> Vec<String> {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if words(line).is_empty() {
                continue;
            }
            out.push(format!("> {}", words(line).join(" ")));
            match self.execute(line, files) {
                Ok(lines) => out.extend(lines),
                Err(e @ CommandError::Errno(_)) => out.push(e.to_string()),
                Err(e) => out.push(format!("{e} (line {})", n + 1)),
            }
        }
        out
    }

    /// Runs one command and returns what it prints.
    pub fn execute(&mut self, line: &str, files: &mut dyn FileSource) -> Result<Vec<String>> {
        let w = words(line);
        let mut it = w.iter().copied().peekable();
        let object = arg(
            &mut it,
            "a command (map, prog, process, fs, rlimit, sysctl)",
        )?;
        let verb = arg(&mut it, "a subcommand")?;
        match (object, verb) {
            ("map", "create") => self.map_create(&mut it),
            ("map", "update") => self.map_update(&mut it),
            ("map", "lookup" | "delete" | "getnext") => self.map_key_command(verb, &mut it),
            ("map", "dump") => self.map_dump(&mut it),
            ("map", "pin") => self.map_pin(&mut it),
            ("map", "show") => end(&mut it).map(|()| self.map_show()),
            ("prog", "load") => self.prog_load(&mut it, files),
            ("prog", "run") => self.prog_run(&mut it, files),
            ("prog", "show") => end(&mut it).map(|()| self.prog_show()),
            ("process", _) => self.process(verb, &mut it),
            ("fs", _) => self.fs(verb, &mut it),
            ("rlimit", "memlock") => {
                let limit = arg(&mut it, "a byte count or `unlimited`")?;
                self.kernel.settings.memlock_pages = match limit {
                    "unlimited" => None,
                    n => Some(
                        number(n)
                            .ok_or_else(|| usage(format!("`{n}` is not a byte count")))?
                            .div_ceil(4096),
                    ),
                };
                end(&mut it)?;
                Ok(Vec::new())
            }
            ("sysctl", "kernel.unprivileged_bpf_disabled") => {
                // A one-way switch: only 1 is accepted.
                match arg(&mut it, "1")? {
                    "1" => self.kernel.settings.unprivileged_bpf_disabled = true,
                    _ => return Err(Errno::EINVAL.into()),
                }
                Ok(Vec::new())
            }
            _ => Err(usage(format!("unknown command `{object} {verb}`"))),
        }
    }

    fn pinned<'a>(&mut self, it: &mut impl Iterator<Item = &'a str>) -> Result<u32> {
        expect(it, "pinned")?;
        let path = arg(it, "a path under /sys/fs/bpf")?;
        let pid = self.pid()?;
        Ok(self.kernel.obj_get(pid, path)?)
    }

    /// bpftool's MAP: `pinned PATH` or `id N` (ids as `map show` lists them).
    fn map_ref<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) -> Result<u32> {
        match it.peek().copied() {
            Some("id") => {
                it.next();
                let id = u32_arg(it, "a map id")?;
                let pid = self.pid()?;
                Ok(self.kernel.map_get_fd_by_id(pid, ObjectId(id))?)
            }
            Some("pinned") => self.pinned(it),
            Some(w) => Err(usage(format!(
                "expected `pinned PATH` or `id N`, found `{w}`"
            ))),
            None => Err(usage("expected `pinned PATH` or `id N`")),
        }
    }

    fn map_pin<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) -> Result<Vec<String>> {
        let fd = self.map_ref(it)?;
        self.with_fd(fd, |s, pid, fd| {
            let path = arg(it, "the path to pin at")?;
            end(it)?;
            s.kernel.obj_pin(pid, fd, path)?;
            Ok(Vec::new())
        })
    }

    /// Runs `f` with an fd opened for one command, closing it afterwards as bpftool does.
    fn with_fd<T>(
        &mut self,
        fd: u32,
        f: impl FnOnce(&mut Self, Pid, u32) -> Result<T>,
    ) -> Result<T> {
        let pid = self.pid()?;
        let result = f(self, pid, fd);
        let _ = self.kernel.close(pid, fd);
        result
    }

    fn map_create<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) -> Result<Vec<String>> {
        let path = arg(it, "the path to pin the map at")?;
        let (mut map_type, mut key, mut value, mut entries, mut name) =
            (None, None, None, None, String::new());
        while let Some(keyword) = it.next() {
            match keyword {
                "type" => {
                    let t = arg(it, "a map type")?;
                    map_type = Some(MapType::from_name(t).ok_or_else(|| {
                        usage(format!("unknown map type `{t}` (4.4 has hash, array, prog_array, perf_event_array)"))
                    })?);
                }
                "key" => key = Some(u32_arg(it, "the key size")?),
                "value" => value = Some(u32_arg(it, "the value size")?),
                "entries" => entries = Some(u32_arg(it, "the number of entries")?),
                "name" => name = arg(it, "a name")?.to_owned(),
                other => {
                    return Err(usage(format!(
                        "unexpected `{other}` (expected type, key, value, entries or name)"
                    )));
                }
            }
        }
        let missing = |what: &str| usage(format!("map create needs `{what}`"));
        let attr = MapCreate {
            map_type: map_type.ok_or_else(|| missing("type"))? as u32,
            key_size: key.ok_or_else(|| missing("key"))?,
            value_size: value.ok_or_else(|| missing("value"))?,
            max_entries: entries.ok_or_else(|| missing("entries"))?,
        };
        let pid = self.pid()?;
        let fd = self.kernel.map_create(pid, attr, &name)?;
        if let Err(e) = self.kernel.obj_pin(pid, fd, path) {
            let _ = self.kernel.close(pid, fd);
            return Err(e.into());
        }
        let id = self.kernel.fd_object(pid, fd)?;
        Ok(vec![format!("map {id} created, fd {fd}, pinned at {path}")])
    }

    fn map_update<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) -> Result<Vec<String>> {
        let fd = self.map_ref(it)?;
        self.with_fd(fd, |s, pid, fd| {
            expect(it, "key")?;
            let key = bytes(it, "key")?;
            expect(it, "value")?;
            // prog_array and perf_event_array values are fds of the caller.
            let mut extra_fd = None;
            let value = match it.peek().copied() {
                Some("pinned") => {
                    it.next();
                    let path = arg(it, "the pinned program's path")?;
                    let fd = s.kernel.obj_get(pid, path)?;
                    extra_fd = Some(fd);
                    fd.to_le_bytes().to_vec()
                }
                Some("perf") => {
                    it.next();
                    expect(it, "cpu")?;
                    let cpu = u32_arg(it, "a CPU number")?;
                    let fd = s.kernel.perf_open(pid, PerfKind::BpfOutput, cpu)?;
                    extra_fd = Some(fd);
                    fd.to_le_bytes().to_vec()
                }
                _ => bytes(it, "value")?,
            };
            let flags = match it.next() {
                None | Some("any") => BPF_ANY,
                Some("noexist") => BPF_NOEXIST,
                Some("exist") => BPF_EXIST,
                Some(w) => {
                    return Err(usage(format!(
                        "unexpected `{w}` (expected any, noexist or exist)"
                    )));
                }
            };
            end(it)?;
            check_sizes(&s.kernel, pid, fd, &key, Some(&value))?;
            let result = s.kernel.map_update(pid, fd, &key, &value, flags);
            if let Some(extra) = extra_fd {
                let _ = s.kernel.close(pid, extra);
            }
            result?;
            Ok(Vec::new())
        })
    }

    fn map_key_command<'a>(
        &mut self,
        verb: &str,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) -> Result<Vec<String>> {
        let fd = self.map_ref(it)?;
        self.with_fd(fd, |s, pid, fd| {
            expect(it, "key")?;
            let key = bytes(it, "key")?;
            end(it)?;
            check_sizes(&s.kernel, pid, fd, &key, None)?;
            Ok(match verb {
                "lookup" => {
                    let value = s.kernel.map_lookup(pid, fd, &key, 0)?;
                    vec![format!("key: {}  value: {}", hex(&key), hex(&value))]
                }
                "delete" => {
                    s.kernel.map_delete(pid, fd, &key)?;
                    Vec::new()
                }
                _ => {
                    let next = s.kernel.map_next_key(pid, fd, Some(&key))?;
                    vec![format!("key: {}  next key: {}", hex(&key), hex(&next))]
                }
            })
        })
    }

    fn map_dump<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
    ) -> Result<Vec<String>> {
        let fd = self.map_ref(it)?;
        self.with_fd(fd, |s, pid, fd| {
            end(it)?;
            let id = s.kernel.fd_object(pid, fd)?;
            let map = s.kernel.map(id).ok_or(Errno::EINVAL)?;
            let entries = map.entries();
            let label = if matches!(
                map.def.map_type,
                MapType::ProgArray | MapType::PerfEventArray
            ) {
                "object"
            } else {
                "value"
            };
            let mut out: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("key: {}  {label}: {}", hex(k), hex(v)))
                .collect();
            out.push(format!(
                "Found {} element{}",
                entries.len(),
                if entries.len() == 1 { "" } else { "s" }
            ));
            Ok(out)
        })
    }

    fn map_show(&self) -> Vec<String> {
        self.kernel
            .objects()
            .filter_map(|(id, o)| match o {
                Object::Map { map, refcnt, usercnt } => Some(format!(
                    "{id}: {}  name {}  key {}B  value {}B  max_entries {}  memlock {}B  refs {refcnt} (user {usercnt})",
                    map.def.map_type,
                    if map.name.is_empty() { "-" } else { &map.name },
                    map.def.key_size,
                    map.def.value_size,
                    map.def.max_entries,
                    map.pages * 4096
                )),
                _ => None,
            })
            .collect()
    }

    fn prog_show(&self) -> Vec<String> {
        self.kernel
            .objects()
            .filter_map(|(id, o)| match o {
                Object::Prog { prog, refcnt } => {
                    let maps: Vec<String> = prog.used_maps.iter().map(|m| m.to_string()).collect();
                    Some(format!(
                        "{id}: {}  name {}  insns {}  license {}  map_ids [{}]  refs {refcnt}",
                        prog.prog_type,
                        if prog.name.is_empty() {
                            "-"
                        } else {
                            &prog.name
                        },
                        prog.source.len(),
                        prog.license,
                        maps.join(",")
                    ))
                }
                _ => None,
            })
            .collect()
    }

    fn prog_load<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
        files: &mut dyn FileSource,
    ) -> Result<Vec<String>> {
        let file = arg(it, "a program file")?;
        let path = arg(it, "the path to pin the program at")?;
        expect(it, "type")?;
        let t = arg(it, "a program type")?;
        let prog_type = ProgType::from_name(t).ok_or_else(|| {
            usage(format!(
                "unknown program type `{t}` (4.4 has socket_filter, kprobe, sched_cls, sched_act)"
            ))
        })?;
        let pid = self.pid()?;
        let mut map_fds: Vec<(u32, u32)> = Vec::new();
        let close_all = |k: &mut Kernel, fds: &[(u32, u32)]| {
            for (_, fd) in fds {
                let _ = k.close(pid, *fd);
            }
        };
        while it.peek().is_some() {
            let bound = (|| {
                expect(it, "map")?;
                expect(it, "idx")?;
                let idx = u32_arg(it, "a map index")?;
                let fd = self.map_ref(it)?;
                Ok::<_, CommandError>((idx, fd))
            })();
            match bound {
                Ok(pair) => map_fds.push(pair),
                Err(e) => {
                    close_all(&mut self.kernel, &map_fds);
                    return Err(e);
                }
            }
        }
        let loaded = files
            .program(file)
            .map_err(usage)
            .and_then(|program| bind_maps(&program, &map_fds).map_err(usage));
        let program = match loaded {
            Ok(p) => p,
            Err(e) => {
                close_all(&mut self.kernel, &map_fds);
                return Err(e);
            }
        };
        let attr = ProgLoad {
            name: file.to_owned(),
            ..ProgLoad::new(prog_type, &program)
        };
        let result = self.kernel.prog_load(pid, &attr);
        close_all(&mut self.kernel, &map_fds);
        let fd = result.fd?;
        self.kernel.obj_pin(pid, fd, path).inspect_err(|_| {
            let _ = self.kernel.close(pid, fd);
        })?;
        let id = self.kernel.fd_object(pid, fd)?;
        Ok(vec![format!("prog {id} loaded, fd {fd}, pinned at {path}")])
    }

    fn prog_run<'a>(
        &mut self,
        it: &mut core::iter::Peekable<impl Iterator<Item = &'a str>>,
        files: &mut dyn FileSource,
    ) -> Result<Vec<String>> {
        let fd = self.pinned(it)?;
        self.with_fd(fd, |s, pid, fd| {
            let mut packet: Option<Vec<u8>> = None;
            let mut repeat = 1u64;
            while let Some(keyword) = it.next() {
                match keyword {
                    "packet" if it.peek() == Some(&"hex") => packet = Some(bytes(it, "packet")?),
                    "packet" => {
                        packet = Some(files.packet(arg(it, "a packet file")?).map_err(usage)?)
                    }
                    "repeat" => repeat = num_arg(it, "a repeat count")?.max(1),
                    other => {
                        return Err(usage(format!(
                            "unexpected `{other}` (expected packet or repeat)"
                        )));
                    }
                }
            }
            let id = s.kernel.prog_fd(pid, fd)?;
            let skb = s.kernel.prog(id).is_some_and(|p| p.prog_type.has_skb());
            let mut out = Vec::new();
            for _ in 0..repeat {
                let input = if skb {
                    RunInput::packet(packet.clone().unwrap_or_else(|| vec![0; 60]))
                } else {
                    RunInput::Kprobe {
                        regs: PtRegs::default(),
                    }
                };
                let report = s.kernel.run_prog(pid, fd, input)?;
                out.extend(report.trace.iter().cloned());
                for (event, bytes) in &report.perf_samples {
                    out.push(format!("perf event {event}: {}", hex(bytes)));
                }
                if let Some(redirect) = &report.redirect {
                    out.push(redirect.to_string());
                }
                match (&report.fault, &report.verdict) {
                    (Some(fault), _) => out.push(format!("fault: {fault}")),
                    (None, Some(verdict)) => out.push(format!("r0 = {:#x}: {verdict}", report.ret)),
                    (None, None) => out.push(format!("r0 = {:#x}", report.ret)),
                }
            }
            Ok(out)
        })
    }

    fn process<'a>(
        &mut self,
        verb: &str,
        it: &mut impl Iterator<Item = &'a str>,
    ) -> Result<Vec<String>> {
        match verb {
            "new" => {
                let name = arg(it, "a process name")?;
                let uid = match it.next() {
                    Some("uid") => u32_arg(it, "a uid")?,
                    Some(w) => return Err(usage(format!("unexpected `{w}` (expected uid N)"))),
                    None => 0,
                };
                end(it)?;
                self.current = Some(self.kernel.spawn(name, uid));
                Ok(Vec::new())
            }
            "use" => {
                let name = arg(it, "a process name")?;
                end(it)?;
                let pid = self
                    .kernel
                    .processes()
                    .find(|(_, p)| p.name == name)
                    .map(|(pid, _)| pid);
                self.current =
                    Some(pid.ok_or_else(|| usage(format!("no process named `{name}`")))?);
                Ok(Vec::new())
            }
            "exit" => {
                end(it)?;
                let pid = self.pid()?;
                self.kernel.exit(pid)?;
                self.current = None;
                Ok(Vec::new())
            }
            _ => Err(usage(format!(
                "unknown command `process {verb}` (new, use, exit)"
            ))),
        }
    }

    fn fs<'a>(
        &mut self,
        verb: &str,
        it: &mut impl Iterator<Item = &'a str>,
    ) -> Result<Vec<String>> {
        let path = arg(it, "a path")?;
        end(it)?;
        match verb {
            "mkdir" => self.kernel.mkdir(path)?,
            "rmdir" => self.kernel.rmdir(path)?,
            "unlink" => {
                let pid = self.pid()?;
                self.kernel.unlink(pid, path)?;
            }
            "ls" => {
                return Ok(self
                    .kernel
                    .fs()
                    .list(path)?
                    .into_iter()
                    .map(|e| {
                        match e
                            .object
                            .and_then(|id| self.kernel.object(id).map(|o| (id, o)))
                        {
                            Some((id, o)) => format!("{}  {} {id}", e.path, o.kind_name()),
                            None => format!("{}/", e.path),
                        }
                    })
                    .collect());
            }
            _ => {
                return Err(usage(format!(
                    "unknown command `fs {verb}` (mkdir, rmdir, unlink, ls)"
                )));
            }
        }
        Ok(Vec::new())
    }
}

/// bpftool's check before the syscall: the byte lists must have the map's sizes.
fn check_sizes(kernel: &Kernel, pid: Pid, fd: u32, key: &[u8], value: Option<&[u8]>) -> Result<()> {
    let id = kernel.fd_object(pid, fd)?;
    let def = kernel.map(id).ok_or(Errno::EINVAL)?.def;
    if key.len() != def.key_size as usize {
        return Err(usage(format!(
            "key expected {} bytes got {}",
            def.key_size,
            key.len()
        )));
    }
    match value {
        Some(v) if v.len() != def.value_size as usize => Err(usage(format!(
            "value expected {} bytes got {}",
            def.value_size,
            v.len()
        ))),
        _ => Ok(()),
    }
}

/// Rewrites `LD_IMM64 src=1 imm=i` (the i-th map) to name the fd bound to index i.
pub fn bind_maps(program: &Program, maps: &[(u32, u32)]) -> core::result::Result<Program, String> {
    let mut insns = Vec::new();
    for (pc, insn) in program.insns() {
        insns.push(match *insn {
            Insn::LoadImm64 { dst, kind: Imm64Kind::MapFd, imm } => {
                let idx = imm as u32;
                let fd = maps.iter().find(|(i, _)| *i == idx).map(|(_, fd)| *fd).ok_or_else(|| {
                    format!("instruction {pc} uses map index {idx}, but no `map idx {idx} pinned PATH` was given")
                })?;
                Insn::LoadImm64 { dst, kind: Imm64Kind::MapFd, imm: fd.into() }
            }
            other => other,
        });
    }
    Ok(Program::from_insns(insns))
}
