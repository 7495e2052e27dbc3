//! An emulated Linux 4.4 kernel: processes with fd tables, bpf(2) with its eight
//! commands and errno, the four map types, loaded programs, perf events, the bpf
//! filesystem at `/sys/fs/bpf`, and program runs with helpers 1..25.
//!
//! Objects live while an fd, a pin, a prog_array slot or a loaded program references
//! them, with 4.4's two map counters (`refcnt`, `usercnt`); the last reference frees
//! them and returns their memlock charge.

pub mod bpffs;
pub mod ctx;
pub mod helpers;
pub mod map;
mod prog;
mod run;
pub mod snapshot;
mod syscall;
#[cfg(test)]
mod tests;

pub use map::{Map, MapDef};
pub use prog::{LoadedProgram, ProgLoad, UnboundMapIndex, map_handle};
pub use run::{
    Invocation, InvocationState, KernelEvent, RunInput, RunReport, SkbState, Verdict, trace_lines,
};

use crate::linux::{Errno, MapType};
use crate::prelude::*;
use alloc::collections::BTreeMap;
use core::fmt;

/// Identity of a kernel object (map, program or perf event), stable for its lifetime.
/// 4.4 had no object ids; they give the UI and listings a name for each object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub u32);

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A process id.
pub type Pid = u32;
/// A file descriptor number.
pub type Fd = u32;

/// What kind of perf event an fd refers to (only what PERF_EVENT_ARRAY checks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PerfKind {
    /// PERF_TYPE_SOFTWARE with PERF_COUNT_SW_BPF_OUTPUT: the target of perf_event_output.
    BpfOutput,
    /// PERF_TYPE_HARDWARE (e.g. cycles): readable with perf_event_read.
    Hardware,
    /// PERF_TYPE_RAW.
    Raw,
    /// Any other software event: refused by PERF_EVENT_ARRAY.
    OtherSoftware,
}

/// An emulated perf event: a counter and, for BPF output events, a sample ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerfEvent {
    pub kind: PerfKind,
    pub cpu: u32,
    pub inherit: bool,
    /// The counter perf_event_read returns; it advances by `step` per read.
    pub counter: u64,
    pub step: u64,
    /// Raw samples written by perf_event_output, oldest first.
    pub ring: Vec<Vec<u8>>,
}

/// The three kinds of object an fd or pin can hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    Map { map: Map, refcnt: u32, usercnt: u32 },
    Prog { prog: LoadedProgram, refcnt: u32 },
    Perf { event: PerfEvent, refcnt: u32 },
}

impl Object {
    pub fn kind_name(&self) -> &'static str {
        match self {
            Object::Map { .. } => "map",
            Object::Prog { .. } => "prog",
            Object::Perf { .. } => "perf_event",
        }
    }
}

/// A process: a name, credentials and an fd table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    pub name: String,
    /// Effective uid; 0 has CAP_SYS_ADMIN.
    pub uid: u32,
    pub gid: u32,
    pub fds: BTreeMap<Fd, ObjectId>,
}

impl Process {
    pub fn privileged(&self) -> bool {
        self.uid == 0
    }
}

/// Machine settings the helpers and limits read.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// RLIMIT_MEMLOCK in pages, charged per user (the default is 64 KiB = 16 pages);
    /// `None` is unlimited.
    pub memlock_pages: Option<u64>,
    /// `kernel.unprivileged_bpf_disabled`.
    pub unprivileged_bpf_disabled: bool,
    /// LINUX_VERSION_CODE that kprobe programs must name (4.4.0).
    pub kernel_version: u32,
    /// The CPU programs run on (`get_smp_processor_id`).
    pub cpu: u32,
    /// The virtual CLOCK_MONOTONIC, in ns; each read advances it by `clock_step_ns`.
    pub clock_ns: u64,
    pub clock_step_ns: u64,
    /// The seed of `get_prandom_u32`.
    pub prandom_seed: u32,
    /// The current task (kprobes): thread id, process id, uid, gid, comm.
    pub task_pid: u32,
    pub task_tgid: u32,
    pub task_uid: u32,
    pub task_gid: u32,
    pub task_comm: String,
    /// net_cls classid of the current task.
    pub cgroup_classid: u32,
    /// Interface indexes that exist (for redirects).
    pub ifindexes: Vec<u32>,
    /// Emulated kernel memory that probe_read can read: (address, bytes).
    pub kernel_memory: Vec<(u64, Vec<u8>)>,
    /// Open-fd limit per process (RLIMIT_NOFILE).
    pub max_fds: u32,
    /// Whether PROG_LOAD runs the verifier (an emulator switch: `--no-verify` turns it
    /// off, and run-time checks then catch faults).
    pub verifier: bool,
    /// The emulator's memory budget, in bytes, for what maps allocate in the kernel
    /// ([`Map::kernel_bytes`]). An allocation past it fails with ENOMEM, as 4.4's
    /// kmalloc/vzalloc fail when memory runs out; so no map size, however large memlock
    /// allows, can exhaust the host (or the browser tab).
    #[serde(default = "default_memory_budget")]
    pub memory_budget: u64,
}

/// The default [`Settings::memory_budget`]: 256 MiB.
pub const DEFAULT_MEMORY_BUDGET: u64 = 256 << 20;

fn default_memory_budget() -> u64 {
    DEFAULT_MEMORY_BUDGET
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            memlock_pages: Some(16),
            unprivileged_bpf_disabled: false,
            kernel_version: 0x0004_0400,
            cpu: 0,
            clock_ns: 1_000_000_000,
            clock_step_ns: 1_000,
            prandom_seed: 0x2545_f491,
            task_pid: 4242,
            task_tgid: 4242,
            task_uid: 1000,
            task_gid: 1000,
            task_comm: String::from("bash"),
            cgroup_classid: 0,
            ifindexes: vec![1, 2, 3],
            kernel_memory: Vec::new(),
            max_fds: 1024,
            verifier: true,
            memory_budget: DEFAULT_MEMORY_BUDGET,
        }
    }
}

/// The emulated kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kernel {
    pub settings: Settings,
    objects: BTreeMap<ObjectId, Object>,
    next_object: u32,
    processes: BTreeMap<Pid, Process>,
    next_pid: Pid,
    fs: bpffs::Bpffs,
    /// trace_pipe: entries written by trace_printk, oldest first (see [`trace_lines`]).
    pub trace_pipe: Vec<String>,
    /// Redirects, clone redirects and other effects of runs, oldest first.
    pub events: Vec<KernelEvent>,
    prandom_state: [u32; 4],
}

impl Default for Kernel {
    fn default() -> Self {
        Kernel::new(Settings::default())
    }
}

/// What BPF_MAP_CREATE takes (`union bpf_attr`, 4.4 layout). Numbers are raw so that
/// invalid types reach the kernel's checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapCreate {
    pub map_type: u32,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
}

impl Kernel {
    pub fn new(settings: Settings) -> Self {
        let prandom_state = run::seed_prandom(settings.prandom_seed);
        Kernel {
            settings,
            objects: BTreeMap::new(),
            next_object: 1,
            processes: BTreeMap::new(),
            next_pid: 100,
            fs: bpffs::Bpffs::default(),
            trace_pipe: Vec::new(),
            events: Vec::new(),
            prandom_state,
        }
    }

    // ----- processes -----

    /// Starts a process and returns its pid.
    pub fn spawn(&mut self, name: &str, uid: u32) -> Pid {
        let pid = self.next_pid;
        self.next_pid += 1;
        self.processes.insert(
            pid,
            Process {
                name: name.to_owned(),
                uid,
                gid: uid,
                fds: BTreeMap::new(),
            },
        );
        pid
    }

    /// Ends a process, closing every fd it holds.
    pub fn exit(&mut self, pid: Pid) -> Result<(), Errno> {
        let process = self.processes.remove(&pid).ok_or(Errno::ESRCH)?;
        for object in process.fds.into_values() {
            self.put_user(object);
        }
        Ok(())
    }

    pub fn process(&self, pid: Pid) -> Option<&Process> {
        self.processes.get(&pid)
    }

    pub fn processes(&self) -> impl Iterator<Item = (Pid, &Process)> {
        self.processes.iter().map(|(p, proc_)| (*p, proc_))
    }

    fn proc_mut(&mut self, pid: Pid) -> Result<&mut Process, Errno> {
        self.processes.get_mut(&pid).ok_or(Errno::ESRCH)
    }

    /// close(2).
    pub fn close(&mut self, pid: Pid, fd: Fd) -> Result<(), Errno> {
        let object = self.proc_mut(pid)?.fds.remove(&fd).ok_or(Errno::EBADF)?;
        self.put_user(object);
        Ok(())
    }

    fn install_fd(&mut self, pid: Pid, object: ObjectId) -> Result<Fd, Errno> {
        let max = self.settings.max_fds;
        let process = self.proc_mut(pid)?;
        // The lowest free number, as the kernel allocates; 0..2 are stdio.
        let fd = (3..max)
            .find(|fd| !process.fds.contains_key(fd))
            .ok_or(Errno::EMFILE)?;
        process.fds.insert(fd, object);
        Ok(fd)
    }

    /// The object behind an fd of a process.
    pub fn fd_object(&self, pid: Pid, fd: Fd) -> Result<ObjectId, Errno> {
        self.processes
            .get(&pid)
            .and_then(|p| p.fds.get(&fd))
            .copied()
            .ok_or(Errno::EBADF)
    }

    // ----- objects and references -----

    pub fn object(&self, id: ObjectId) -> Option<&Object> {
        self.objects.get(&id)
    }

    pub fn objects(&self) -> impl Iterator<Item = (ObjectId, &Object)> {
        self.objects.iter().map(|(id, o)| (*id, o))
    }

    pub fn map(&self, id: ObjectId) -> Option<&Map> {
        match self.objects.get(&id) {
            Some(Object::Map { map, .. }) => Some(map),
            _ => None,
        }
    }

    fn map_mut(&mut self, id: ObjectId) -> Option<&mut Map> {
        match self.objects.get_mut(&id) {
            Some(Object::Map { map, .. }) => Some(map),
            _ => None,
        }
    }

    pub fn prog(&self, id: ObjectId) -> Option<&LoadedProgram> {
        match self.objects.get(&id) {
            Some(Object::Prog { prog, .. }) => Some(prog),
            _ => None,
        }
    }

    pub fn perf_event(&self, id: ObjectId) -> Option<&PerfEvent> {
        match self.objects.get(&id) {
            Some(Object::Perf { event, .. }) => Some(event),
            _ => None,
        }
    }

    fn perf_event_mut(&mut self, id: ObjectId) -> Option<&mut PerfEvent> {
        match self.objects.get_mut(&id) {
            Some(Object::Perf { event, .. }) => Some(event),
            _ => None,
        }
    }

    fn add_object(&mut self, object: Object) -> ObjectId {
        let id = ObjectId(self.next_object);
        self.next_object += 1;
        self.objects.insert(id, object);
        id
    }

    /// Whether `pages` more may be charged to `uid`'s memlock. syscall.c
    /// `bpf_map_charge_memlock` and `bpf_prog_charge_memlock` add to
    /// `get_current_user()->locked_vm`: the limit is per user, and root has no bypass.
    /// The charge itself is the object's `pages` and `memlock_user`, counted while it lives.
    fn charge(&self, uid: u32, pages: u64) -> Result<(), Errno> {
        let total = self.locked_pages_of(uid) + pages;
        if self
            .settings
            .memlock_pages
            .is_some_and(|limit| total > limit)
        {
            return Err(Errno::EPERM);
        }
        Ok(())
    }

    /// Pages charged to one user's memlock.
    pub fn locked_pages_of(&self, uid: u32) -> u64 {
        self.objects
            .values()
            .map(|o| match o {
                Object::Map { map, .. } if map.memlock_user == uid => map.pages,
                Object::Prog { prog, .. } if prog.memlock_user == uid => prog.pages,
                _ => 0,
            })
            .sum()
    }

    /// Bytes of kernel memory the maps hold, measured against `settings.memory_budget`.
    pub fn kernel_memory(&self) -> u64 {
        self.objects
            .values()
            .map(|o| match o {
                Object::Map { map, .. } => map.kernel_bytes(),
                _ => 0,
            })
            .sum()
    }

    /// An allocation of `bytes` of kernel memory: ENOMEM past the memory budget.
    fn allocate(&self, bytes: u64) -> Result<(), Errno> {
        if self.kernel_memory().saturating_add(bytes) > self.settings.memory_budget {
            return Err(Errno::ENOMEM);
        }
        Ok(())
    }

    /// Pages currently charged to memlock, all users together.
    pub fn locked_pages(&self) -> u64 {
        self.objects
            .values()
            .map(|o| match o {
                Object::Map { map, .. } => map.pages,
                Object::Prog { prog, .. } => prog.pages,
                Object::Perf { .. } => 0,
            })
            .sum()
    }

    /// A user-facing reference (fd or pin) was taken.
    fn get_user(&mut self, id: ObjectId) {
        match self.objects.get_mut(&id) {
            Some(Object::Map {
                refcnt, usercnt, ..
            }) => {
                *refcnt += 1;
                *usercnt += 1;
            }
            Some(Object::Prog { refcnt, .. } | Object::Perf { refcnt, .. }) => *refcnt += 1,
            None => {}
        }
    }

    /// A user-facing reference (fd or pin) went away.
    fn put_user(&mut self, id: ObjectId) {
        let cleared = match self.objects.get_mut(&id) {
            Some(Object::Map { map, usercnt, .. }) => {
                *usercnt -= 1;
                // 4.4 breaks prog_array cycles when the last user reference goes.
                if *usercnt == 0 && map.def.map_type == MapType::ProgArray {
                    map.clear_slots()
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        };
        for prog in cleared {
            self.put(prog);
        }
        self.put(id);
    }

    /// A kernel-internal reference (a program's map, a slot's program) was taken.
    fn get(&mut self, id: ObjectId) {
        if let Some(
            Object::Map { refcnt, .. } | Object::Prog { refcnt, .. } | Object::Perf { refcnt, .. },
        ) = self.objects.get_mut(&id)
        {
            *refcnt += 1;
        }
    }

    /// Drops one reference; the last one frees the object and what it references.
    fn put(&mut self, id: ObjectId) {
        let Some(
            Object::Map { refcnt, .. } | Object::Prog { refcnt, .. } | Object::Perf { refcnt, .. },
        ) = self.objects.get_mut(&id)
        else {
            return;
        };
        *refcnt -= 1;
        if *refcnt > 0 {
            return;
        }
        let Some(object) = self.objects.remove(&id) else {
            return;
        };
        match object {
            Object::Map { mut map, .. } => {
                for slot in map.clear_slots() {
                    self.put(slot);
                }
            }
            Object::Prog { prog, .. } => {
                for map in prog.used_maps {
                    self.put(map);
                }
            }
            Object::Perf { .. } => {}
        }
    }

    /// (refcnt, usercnt) of a map, or (refcnt, 0) for other objects: for tests and UI.
    pub fn refcounts(&self, id: ObjectId) -> Option<(u32, u32)> {
        match self.objects.get(&id)? {
            Object::Map {
                refcnt, usercnt, ..
            } => Some((*refcnt, *usercnt)),
            Object::Prog { refcnt, .. } | Object::Perf { refcnt, .. } => Some((*refcnt, 0)),
        }
    }

    fn check_allowed(&self, pid: Pid) -> Result<&Process, Errno> {
        let process = self.processes.get(&pid).ok_or(Errno::ESRCH)?;
        if self.settings.unprivileged_bpf_disabled && !process.privileged() {
            return Err(Errno::EPERM);
        }
        Ok(process)
    }

    /// Resolves a map fd as every *_ELEM command does: EBADF, or EINVAL for a non-map.
    fn map_fd(&self, pid: Pid, fd: Fd) -> Result<ObjectId, Errno> {
        let id = self.fd_object(pid, fd)?;
        match self.objects.get(&id) {
            Some(Object::Map { .. }) => Ok(id),
            _ => Err(Errno::EINVAL),
        }
    }

    // ----- the bpf filesystem from user space -----

    /// mkdir(2) by a process: the directory is its uid's, mode 0755.
    pub fn mkdir(&mut self, pid: Pid, path: &str) -> Result<(), Errno> {
        let uid = self.process(pid).ok_or(Errno::ESRCH)?.uid;
        self.fs.mkdir(path, uid, bpffs::MKDIR_MODE)
    }

    /// rmdir(2) by a process.
    pub fn rmdir(&mut self, pid: Pid, path: &str) -> Result<(), Errno> {
        let uid = self.process(pid).ok_or(Errno::ESRCH)?.uid;
        self.fs.rmdir(path, uid)
    }

    /// unlink(2) of a pin: drops the pin's reference.
    pub fn unlink(&mut self, pid: Pid, path: &str) -> Result<(), Errno> {
        let uid = self.process(pid).ok_or(Errno::ESRCH)?.uid;
        let id = self.fs.unlink(path, uid)?;
        self.put_user(id);
        Ok(())
    }

    pub fn fs(&self) -> &bpffs::Bpffs {
        &self.fs
    }

    // ----- perf events -----

    /// perf_event_open(2), reduced to what PERF_EVENT_ARRAY needs.
    pub fn perf_open(&mut self, pid: Pid, kind: PerfKind, cpu: u32) -> Result<Fd, Errno> {
        let event = PerfEvent {
            kind,
            cpu,
            inherit: false,
            counter: 0,
            // A BPF_OUTPUT event counts nothing: kernel/events/core.c gives
            // PERF_COUNT_SW_BPF_OUTPUT no counting code and bpf_event_output adds no
            // count, so `perf_event_read` (bpf_trace.c, via perf_event_read_local)
            // returns 0 each time.
            step: if kind == PerfKind::BpfOutput { 0 } else { 1000 },
            ring: Vec::new(),
        };
        let id = self.add_object(Object::Perf { event, refcnt: 0 });
        self.get_user(id);
        self.install_fd(pid, id).inspect_err(|_| self.put_user(id))
    }
}
