//! A session: one emulated kernel and a current process, running [`Command`]s and
//! answering with typed [`Output`].

use super::command::{
    Command, DUMP_PAGE, FsOp, MapCommand, MapRef, MapValue, Packet, ProcessCommand, ProgCommand,
};
use super::parse::ParseError;
use crate::isa::Program;
use crate::kernel::ctx::PtRegs;
use crate::kernel::{
    Fd, Kernel, MapCreate, Object, ObjectId, PerfKind, Pid, ProgLoad, RunInput, RunReport,
    UnboundMapIndex,
};
use crate::linux::{Errno, MapType, ProgType};
use crate::prelude::*;
use core::fmt;

/// Reads the files a command names (`prog load FILE`, `packet FILE`).
pub trait FileSource {
    /// A program file (assembly, hex or raw bytes). The error names the file.
    fn program(&mut self, name: &str) -> Result<Program, String>;
    /// Packet bytes. The error names the file.
    fn packet(&mut self, name: &str) -> Result<Vec<u8>, String>;
}

/// A file source with no files: for callers whose commands name none (map commands,
/// `prog run` with packet bytes), such as UI forms.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFiles;

impl FileSource for NoFiles {
    fn program(&mut self, name: &str) -> Result<Program, String> {
        Err(format!("no file `{name}`: nothing to read files from"))
    }

    fn packet(&mut self, name: &str) -> Result<Vec<u8>, String> {
        Err(format!("no file `{name}`: nothing to read files from"))
    }
}

/// Why a command failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The line does not follow the grammar.
    Parse(ParseError),
    /// The kernel refused it.
    Errno(Errno),
    /// After `process exit`, until `process new` or `process use`.
    NoCurrentProcess,
    NoSuchProcess(String),
    /// bpftool's check before the syscall: a byte list has not the map's size.
    SizeMismatch {
        part: &'static str,
        expected: u32,
        got: usize,
    },
    /// The file source could not give the file; its message names it.
    File(String),
    UnboundMapIndex(UnboundMapIndex),
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Errno(e)
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(e)
    }
}

impl From<UnboundMapIndex> for Error {
    fn from(e: UnboundMapIndex) -> Self {
        Error::UnboundMapIndex(e)
    }
}

impl fmt::Display for Error {
    /// The message without its place: the printer adds the line or column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => write!(f, "{}", e.kind),
            Error::Errno(e) => write!(f, "{e}"),
            Error::NoCurrentProcess => f.write_str(
                "no current process (after `process exit`, use `process new` or `process use`)",
            ),
            Error::NoSuchProcess(name) => write!(f, "no process named `{name}`"),
            Error::SizeMismatch {
                part,
                expected,
                got,
            } => write!(f, "{part} expected {expected} bytes got {got}"),
            Error::File(message) => f.write_str(message),
            // A script binds indexes with `prog load ... map idx I pinned PATH`: say so.
            Error::UnboundMapIndex(UnboundMapIndex { pc, index }) => write!(
                f,
                "instruction {pc} uses map index {index}, but no `map idx {index} pinned PATH` was given"
            ),
        }
    }
}

impl core::error::Error for Error {}

/// What a command answers, as data for a UI; [`super::print`] renders it as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// The command succeeded and prints nothing.
    Done,
    /// `map create`.
    MapCreated { id: ObjectId, fd: Fd, path: String },
    /// `prog load`.
    ProgLoaded { id: ObjectId, fd: Fd, path: String },
    /// `map lookup`.
    Value { key: Vec<u8>, value: Vec<u8> },
    /// `map getnext`.
    NextKey { key: Vec<u8>, next: Vec<u8> },
    /// `map dump`: a page of entries in the kernel's iteration order. For prog_array and
    /// perf_event_array the values are the object ids in the slots.
    Dump {
        map: MapRef,
        map_type: MapType,
        entries: Vec<(Vec<u8>, Vec<u8>)>,
        /// The elements after the page, when there are any.
        more: Option<MoreElements>,
    },
    /// `map show`.
    Maps(Vec<MapRow>),
    /// `prog show`.
    Progs(Vec<ProgRow>),
    /// `prog run`: one report per run.
    Runs(Vec<RunReport>),
    /// `fs ls`.
    Listing(Vec<FsRow>),
    /// `help`: the syntax of every command, or of one object's.
    Help(Vec<&'static str>),
}

/// What a `map dump` page leaves out: how many elements follow it, and the key of the
/// first, where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoreElements {
    pub count: u64,
    pub next_key: Vec<u8>,
}

/// A line of `map show`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapRow {
    pub id: ObjectId,
    pub map_type: MapType,
    /// Empty when the map has none.
    pub name: String,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
    pub memlock_bytes: u64,
    pub refcnt: u32,
    pub usercnt: u32,
}

/// A line of `prog show`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgRow {
    pub id: ObjectId,
    pub prog_type: ProgType,
    /// Empty when the program has none.
    pub name: String,
    pub insns: usize,
    pub license: String,
    pub map_ids: Vec<ObjectId>,
    pub refcnt: u32,
}

/// A line of `fs ls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FsRow {
    pub path: String,
    /// The pinned object and its kind (`map`, `prog`); `None` for a directory.
    pub object: Option<(ObjectId, &'static str)>,
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

type Result<T, E = Error> = core::result::Result<T, E>;

impl Session {
    /// A session whose current process is `main` (uid 0).
    pub fn new(mut kernel: Kernel) -> Self {
        let main = kernel.spawn("main", 0);
        Session {
            kernel,
            current: Some(main),
        }
    }

    /// A session over a restored kernel, continuing with the current process a saved
    /// session had ([`Session::current`]); unlike [`Session::new`] it spawns nothing, so
    /// the kernel stays exactly as saved.
    pub fn resume(kernel: Kernel, current: Option<Pid>) -> Self {
        Session { kernel, current }
    }

    /// The current process, `None` after `process exit`.
    pub fn current(&self) -> Option<Pid> {
        self.current
    }

    /// The current process.
    ///
    /// # Errors
    /// [`Error::NoCurrentProcess`] after `process exit`.
    pub fn pid(&self) -> Result<Pid> {
        self.current.ok_or(Error::NoCurrentProcess)
    }

    /// Runs one command. `files` resolves the names `prog load` and `prog run … packet`
    /// give.
    ///
    /// # Errors
    /// The kernel's errno, or what else stopped the command; the kernel keeps what the
    /// command did before it failed, as bpftool leaves it.
    pub fn apply(&mut self, command: Command, files: &mut dyn FileSource) -> Result<Output> {
        match command {
            Command::Map(command) => self.map(command),
            Command::Prog(ProgCommand::Load {
                file,
                path,
                prog_type,
                maps,
            }) => self.prog_load(&file, &path, prog_type, &maps, files),
            Command::Prog(ProgCommand::Run {
                path,
                packet,
                repeat,
            }) => self.prog_run(&path, packet, repeat, files),
            Command::Prog(ProgCommand::Show) => Ok(Output::Progs(self.prog_rows())),
            Command::Process(command) => self.process(command),
            Command::Fs { op, path } => self.fs(op, &path),
            Command::RlimitMemlock { bytes } => {
                self.kernel.settings.memlock_pages = bytes.map(|b| b.div_ceil(4096));
                Ok(Output::Done)
            }
            Command::UnprivilegedBpfDisabled { value: 1 } => {
                self.kernel.settings.unprivileged_bpf_disabled = true;
                Ok(Output::Done)
            }
            Command::UnprivilegedBpfDisabled { .. } => Err(Errno::EINVAL.into()),
            Command::Help { topic } => Ok(Output::Help(super::help_lines(topic))),
        }
    }

    /// Parses and runs one command line.
    ///
    /// # Errors
    /// [`Error::Parse`] for a line off the grammar, else as [`Session::apply`].
    pub fn run_line(&mut self, line: &str, files: &mut dyn FileSource) -> Result<Output> {
        let command = super::parse(line)?;
        self.apply(command, files)
    }

    /// Runs `f` with an fd for bpftool's MAP, opened for this command only.
    fn with_map<T>(
        &mut self,
        map: &MapRef,
        f: impl FnOnce(&mut Self, Pid, Fd) -> Result<T>,
    ) -> Result<T> {
        let fd = self.open_map(map)?;
        self.with_fd(fd, f)
    }

    /// Opens an fd for bpftool's MAP in the current process.
    fn open_map(&mut self, map: &MapRef) -> Result<Fd> {
        let pid = self.pid()?;
        Ok(match map {
            MapRef::Pinned(path) => self.kernel.obj_get(pid, path)?,
            MapRef::Id(id) => self.kernel.map_get_fd_by_id(pid, *id)?,
        })
    }

    /// Runs `f` with an fd opened for one command, closing it afterwards as bpftool does.
    fn with_fd<T>(&mut self, fd: Fd, f: impl FnOnce(&mut Self, Pid, Fd) -> Result<T>) -> Result<T> {
        let pid = self.pid()?;
        let result = f(self, pid, fd);
        let _ = self.kernel.close(pid, fd);
        result
    }

    fn map(&mut self, command: MapCommand) -> Result<Output> {
        match command {
            MapCommand::Create {
                path,
                map_type,
                key_size,
                value_size,
                max_entries,
                name,
            } => {
                let attr = MapCreate {
                    map_type: map_type as u32,
                    key_size,
                    value_size,
                    max_entries,
                };
                self.map_create(attr, &name, path)
            }
            MapCommand::Show => Ok(Output::Maps(self.map_rows())),
            MapCommand::Update {
                map,
                key,
                value,
                flags,
            } => self.with_map(&map, |s, pid, fd| {
                // prog_array and perf_event_array values are fds of the caller.
                let (value, extra_fd) = match value {
                    MapValue::Bytes(bytes) => (bytes, None),
                    MapValue::PinnedProg(path) => {
                        let fd = s.kernel.obj_get(pid, &path)?;
                        (fd.to_le_bytes().to_vec(), Some(fd))
                    }
                    MapValue::PerfEvent { cpu } => {
                        let fd = s.kernel.perf_open(pid, PerfKind::BpfOutput, cpu)?;
                        (fd.to_le_bytes().to_vec(), Some(fd))
                    }
                };
                let result = check_sizes(&s.kernel, pid, fd, &key, Some(&value))
                    .and_then(|()| Ok(s.kernel.map_update(pid, fd, &key, &value, flags.bits())?));
                if let Some(extra) = extra_fd {
                    let _ = s.kernel.close(pid, extra);
                }
                result.map(|()| Output::Done)
            }),
            MapCommand::Lookup { map, key } => self.with_map(&map, |s, pid, fd| {
                check_sizes(&s.kernel, pid, fd, &key, None)?;
                let value = s.kernel.map_lookup(pid, fd, &key, 0)?;
                Ok(Output::Value { key, value })
            }),
            MapCommand::Delete { map, key } => self.with_map(&map, |s, pid, fd| {
                check_sizes(&s.kernel, pid, fd, &key, None)?;
                s.kernel.map_delete(pid, fd, &key)?;
                Ok(Output::Done)
            }),
            MapCommand::GetNext { map, key } => self.with_map(&map, |s, pid, fd| {
                check_sizes(&s.kernel, pid, fd, &key, None)?;
                let next = s.kernel.map_next_key(pid, fd, Some(&key))?;
                Ok(Output::NextKey { key, next })
            }),
            MapCommand::Dump { map: map_ref, from } => self.with_map(&map_ref, |s, pid, fd| {
                if let Some(key) = &from {
                    check_sizes(&s.kernel, pid, fd, key, None)?;
                }
                let id = s.kernel.fd_object(pid, fd)?;
                let map = s.kernel.map(id).ok_or(Errno::EINVAL)?;
                let first = match &from {
                    None => 0,
                    // As a lookup of a key that is not there.
                    Some(key) => map.position(key).ok_or(Errno::ENOENT)?,
                };
                let entries = map.page(first, DUMP_PAGE);
                let after = first + entries.len() as u64;
                let more = map.page(after, 1).pop().map(|(next_key, _)| MoreElements {
                    count: map.element_count() - after,
                    next_key,
                });
                Ok(Output::Dump {
                    map: map_ref.clone(),
                    map_type: map.def.map_type,
                    entries,
                    more,
                })
            }),
            MapCommand::Pin { map, path } => self.with_map(&map, |s, pid, fd| {
                s.kernel.obj_pin(pid, fd, &path)?;
                Ok(Output::Done)
            }),
        }
    }

    fn map_create(&mut self, attr: MapCreate, name: &str, path: String) -> Result<Output> {
        let pid = self.pid()?;
        let fd = self.kernel.map_create(pid, attr, name)?;
        if let Err(e) = self.kernel.obj_pin(pid, fd, &path) {
            let _ = self.kernel.close(pid, fd);
            return Err(e.into());
        }
        let id = self.kernel.fd_object(pid, fd)?;
        Ok(Output::MapCreated { id, fd, path })
    }

    fn map_rows(&self) -> Vec<MapRow> {
        self.kernel
            .objects()
            .filter_map(|(id, o)| match o {
                Object::Map {
                    map,
                    refcnt,
                    usercnt,
                } => Some(MapRow {
                    id,
                    map_type: map.def.map_type,
                    name: map.name.clone(),
                    key_size: map.def.key_size,
                    value_size: map.def.value_size,
                    max_entries: map.def.max_entries,
                    memlock_bytes: map.pages * 4096,
                    refcnt: *refcnt,
                    usercnt: *usercnt,
                }),
                _ => None,
            })
            .collect()
    }

    fn prog_rows(&self) -> Vec<ProgRow> {
        self.kernel
            .objects()
            .filter_map(|(id, o)| match o {
                Object::Prog { prog, refcnt } => Some(ProgRow {
                    id,
                    prog_type: prog.prog_type,
                    name: prog.name.clone(),
                    insns: prog.source.len(),
                    license: prog.license.clone(),
                    map_ids: prog.used_maps.clone(),
                    refcnt: *refcnt,
                }),
                _ => None,
            })
            .collect()
    }

    fn prog_load(
        &mut self,
        file: &str,
        path: &str,
        prog_type: ProgType,
        maps: &[(u32, MapRef)],
        files: &mut dyn FileSource,
    ) -> Result<Output> {
        let pid = self.pid()?;
        let mut map_fds: Vec<(u32, Fd)> = Vec::new();
        let close_all = |k: &mut Kernel, fds: &[(u32, Fd)]| {
            for (_, fd) in fds {
                let _ = k.close(pid, *fd);
            }
        };
        for (index, map) in maps {
            match self.open_map(map) {
                Ok(fd) => map_fds.push((*index, fd)),
                Err(e) => {
                    close_all(&mut self.kernel, &map_fds);
                    return Err(e);
                }
            }
        }
        let loaded = files
            .program(file)
            .map_err(Error::File)
            .and_then(|program| {
                let mut attr = ProgLoad {
                    name: file.to_owned(),
                    ..ProgLoad::new(prog_type, &program)
                };
                attr.bind_map_indexes(&map_fds)?;
                Ok(attr)
            });
        let attr = match loaded {
            Ok(attr) => attr,
            Err(e) => {
                close_all(&mut self.kernel, &map_fds);
                return Err(e);
            }
        };
        let result = self.kernel.prog_load(pid, &attr);
        close_all(&mut self.kernel, &map_fds);
        let fd = result.fd?;
        self.kernel.obj_pin(pid, fd, path).inspect_err(|_| {
            let _ = self.kernel.close(pid, fd);
        })?;
        let id = self.kernel.fd_object(pid, fd)?;
        Ok(Output::ProgLoaded {
            id,
            fd,
            path: path.to_owned(),
        })
    }

    fn prog_run(
        &mut self,
        path: &str,
        packet: Option<Packet>,
        repeat: u64,
        files: &mut dyn FileSource,
    ) -> Result<Output> {
        let pid = self.pid()?;
        let fd = self.kernel.obj_get(pid, path)?;
        self.with_fd(fd, |s, pid, fd| {
            let packet = match packet {
                None => None,
                Some(Packet::Bytes(bytes)) => Some(bytes),
                Some(Packet::File(name)) => Some(files.packet(&name).map_err(Error::File)?),
            };
            let id = s.kernel.prog_fd(pid, fd)?;
            let skb = s.kernel.prog(id).is_some_and(|p| p.prog_type.has_skb());
            let mut reports = Vec::new();
            for _ in 0..repeat {
                let input = if skb {
                    RunInput::packet(packet.clone().unwrap_or_else(|| vec![0; 60]))
                } else {
                    RunInput::Kprobe {
                        regs: PtRegs::default(),
                    }
                };
                reports.push(s.kernel.run_prog(pid, fd, input)?);
            }
            Ok(Output::Runs(reports))
        })
    }

    fn process(&mut self, command: ProcessCommand) -> Result<Output> {
        match command {
            ProcessCommand::New { name, uid } => {
                self.current = Some(self.kernel.spawn(&name, uid));
            }
            ProcessCommand::Use { name } => {
                let pid = self
                    .kernel
                    .processes()
                    .find(|(_, p)| p.name == name)
                    .map(|(pid, _)| pid);
                self.current = Some(pid.ok_or(Error::NoSuchProcess(name))?);
            }
            ProcessCommand::Exit => {
                let pid = self.pid()?;
                self.kernel.exit(pid)?;
                self.current = None;
            }
        }
        Ok(Output::Done)
    }

    fn fs(&mut self, op: FsOp, path: &str) -> Result<Output> {
        match op {
            FsOp::Mkdir => {
                let pid = self.pid()?;
                self.kernel.mkdir(pid, path)?;
            }
            FsOp::Rmdir => {
                let pid = self.pid()?;
                self.kernel.rmdir(pid, path)?;
            }
            FsOp::Unlink => {
                let pid = self.pid()?;
                self.kernel.unlink(pid, path)?;
            }
            FsOp::Ls => {
                let rows = self
                    .kernel
                    .fs()
                    .list(path)?
                    .into_iter()
                    .map(|e| FsRow {
                        object: e
                            .object
                            .and_then(|id| self.kernel.object(id).map(|o| (id, o.kind_name()))),
                        path: e.path,
                    })
                    .collect();
                return Ok(Output::Listing(rows));
            }
        }
        Ok(Output::Done)
    }
}

/// bpftool's check before the syscall: the byte lists must have the map's sizes.
fn check_sizes(kernel: &Kernel, pid: Pid, fd: Fd, key: &[u8], value: Option<&[u8]>) -> Result<()> {
    let id = kernel.fd_object(pid, fd)?;
    let def = kernel.map(id).ok_or(Errno::EINVAL)?.def;
    let mismatch = |part, expected: u32, got: usize| {
        (expected as usize != got).then_some(Error::SizeMismatch {
            part,
            expected,
            got,
        })
    };
    let key_error = mismatch("key", def.key_size, key.len());
    let value_error = value.and_then(|v| mismatch("value", def.value_size, v.len()));
    key_error.or(value_error).map_or(Ok(()), Err)
}
