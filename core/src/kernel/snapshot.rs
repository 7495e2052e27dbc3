//! A versioned, serde-serialisable picture of the whole kernel: settings, processes and
//! their fds, objects with their contents and reference counts, pins, trace output.
//!
//! The browser persists it so that pinned objects outlive a reload, as pins outlive the
//! processes that made them; share links can carry map contents. The format is the
//! caller's choice (JSON in the browser and tests).

use super::bpffs::Bpffs;
use super::map::{Map, MapDef, Storage};
use super::{Kernel, LoadedProgram, Object, ObjectId, PerfEvent, PerfKind, Process, Settings};
use crate::isa::Program;
use crate::linux::{MapType, ProgType};
use crate::prelude::*;
use crate::vm::Prepared;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use core::fmt;
use serde::{Deserialize, Serialize};

/// The snapshot format version this build writes and reads.
pub const VERSION: u32 = 1;

/// Just the version, to check before reading the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub version: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelSnapshot {
    pub version: u32,
    pub settings: Settings,
    pub processes: Vec<ProcessSnapshot>,
    pub objects: Vec<ObjectSnapshot>,
    pub directories: Vec<DirectorySnapshot>,
    pub pins: Vec<PinSnapshot>,
    pub trace_pipe: Vec<String>,
    pub next_object: u32,
    pub next_pid: u32,
    pub prandom_state: [u32; 4],
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessSnapshot {
    pub pid: u32,
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub fds: Vec<(u32, u32)>,
}

/// A bpffs directory, parents before children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DirectorySnapshot {
    /// The path with the directory's owner and mode (since directories have them, for
    /// the sticky bit of `/sys/fs/bpf`).
    Owned { path: String, owner: u32, mode: u32 },
    /// A path alone, as earlier snapshots wrote it: root's, mode 0755.
    Path(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinSnapshot {
    pub path: String,
    pub object: u32,
    pub owner: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectSnapshot {
    pub id: u32,
    pub refcnt: u32,
    pub usercnt: u32,
    pub kind: ObjectKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectKind {
    Map {
        map_type: u32,
        key_size: u32,
        value_size: u32,
        max_entries: u32,
        name: String,
        pages: u64,
        /// The uid charged for the pages (written since memlock became per user; older
        /// snapshots had one counter, which root's 0 stands for).
        #[serde(default)]
        memlock_user: u32,
        /// (key, value) in get_next_key order; fd arrays store (index, object id).
        /// An array lists only its elements that hold host memory ([`Map::stored_entries`]).
        entries: Vec<(Vec<u8>, Vec<u8>)>,
        prog_array_owner: Option<u32>,
    },
    Prog {
        prog_type: u32,
        name: String,
        source: Vec<u8>,
        code: Vec<u8>,
        license: String,
        used_maps: Vec<u32>,
        pages: u64,
        #[serde(default)]
        memlock_user: u32,
        privileged: bool,
    },
    Perf {
        kind: u8,
        cpu: u32,
        counter: u64,
        step: u64,
        ring: Vec<Vec<u8>>,
    },
}

/// Why a snapshot cannot be restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// Written by another format version.
    Version { found: u32, supported: u32 },
    /// A field that cannot be right (an unknown type, a broken reference).
    Invalid(String),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Version { found, supported } if found > supported => write!(
                f,
                "the saved kernel state is format version {found}, newer than this build reads ({supported}); update bpfplay"
            ),
            SnapshotError::Version { found, supported } => {
                write!(
                    f,
                    "the saved kernel state is format version {found}; this build reads only version {supported}"
                )
            }
            SnapshotError::Invalid(what) => write!(f, "the saved kernel state is damaged: {what}"),
        }
    }
}

impl core::error::Error for SnapshotError {}

fn perf_kind_code(kind: PerfKind) -> u8 {
    match kind {
        PerfKind::BpfOutput => 0,
        PerfKind::Hardware => 1,
        PerfKind::Raw => 2,
        PerfKind::OtherSoftware => 3,
    }
}

impl Kernel {
    /// The whole state as a snapshot.
    pub fn snapshot(&self) -> KernelSnapshot {
        let settings = self.settings.clone();
        let processes = self
            .processes
            .iter()
            .map(|(pid, p)| ProcessSnapshot {
                pid: *pid,
                name: p.name.clone(),
                uid: p.uid,
                gid: p.gid,
                fds: p.fds.iter().map(|(fd, o)| (*fd, o.0)).collect(),
            })
            .collect();
        let objects = self
            .objects
            .iter()
            .map(|(id, o)| object_snapshot(*id, o))
            .collect();
        let (directories, pins) = fs_snapshot(&self.fs);
        KernelSnapshot {
            version: VERSION,
            settings,
            processes,
            objects,
            directories,
            pins,
            trace_pipe: self.trace_pipe.clone(),
            next_object: self.next_object,
            next_pid: self.next_pid,
            prandom_state: self.prandom_state,
        }
    }

    /// Rebuilds a kernel from a snapshot.
    pub fn restore(snapshot: &KernelSnapshot) -> Result<Kernel, SnapshotError> {
        if snapshot.version != VERSION {
            return Err(SnapshotError::Version {
                found: snapshot.version,
                supported: VERSION,
            });
        }
        let mut kernel = Kernel::new(snapshot.settings.clone());
        kernel.prandom_state = snapshot.prandom_state;
        kernel.next_object = snapshot.next_object;
        kernel.next_pid = snapshot.next_pid;
        kernel.trace_pipe = snapshot.trace_pipe.clone();
        for o in &snapshot.objects {
            let object = restore_object(o)?;
            kernel.objects.insert(ObjectId(o.id), object);
        }
        let exists = |id: u32| snapshot.objects.iter().any(|o| o.id == id);
        for p in &snapshot.processes {
            if let Some((_, bad)) = p.fds.iter().find(|(_, o)| !exists(*o)) {
                return Err(SnapshotError::Invalid(format!(
                    "process {} holds missing object {bad}",
                    p.pid
                )));
            }
            let fds = p
                .fds
                .iter()
                .map(|(fd, o)| (*fd, ObjectId(*o)))
                .collect::<BTreeMap<_, _>>();
            kernel.processes.insert(
                p.pid,
                Process {
                    name: p.name.clone(),
                    uid: p.uid,
                    gid: p.gid,
                    fds,
                },
            );
        }
        for dir in &snapshot.directories {
            let (path, owner, mode) = match dir {
                DirectorySnapshot::Owned { path, owner, mode } => (path, *owner, *mode),
                DirectorySnapshot::Path(path) => (path, 0, super::bpffs::MKDIR_MODE),
            };
            kernel
                .fs
                .mkdir(path, owner, mode)
                .map_err(|e| SnapshotError::Invalid(format!("directory {path}: {e}")))?;
        }
        for pin in &snapshot.pins {
            if !exists(pin.object) {
                return Err(SnapshotError::Invalid(format!(
                    "pin {} names missing object {}",
                    pin.path, pin.object
                )));
            }
            kernel
                .fs
                .pin(&pin.path, ObjectId(pin.object), pin.owner)
                .map_err(|e| SnapshotError::Invalid(format!("pin {}: {e}", pin.path)))?;
        }
        Ok(kernel)
    }
}

fn object_snapshot(id: ObjectId, object: &Object) -> ObjectSnapshot {
    let (refcnt, usercnt, kind) = match object {
        Object::Map {
            map,
            refcnt,
            usercnt,
        } => {
            let owner = match &map.storage {
                Storage::ProgArray { owner, .. } => *owner,
                _ => None,
            };
            let kind = ObjectKind::Map {
                map_type: map.def.map_type as u32,
                key_size: map.def.key_size,
                value_size: map.def.value_size,
                max_entries: map.def.max_entries,
                name: map.name.clone(),
                pages: map.pages,
                memlock_user: map.memlock_user,
                entries: map.stored_entries(),
                prog_array_owner: owner,
            };
            (*refcnt, *usercnt, kind)
        }
        Object::Prog { prog, refcnt } => {
            let kind = ObjectKind::Prog {
                prog_type: prog.prog_type as u32,
                name: prog.name.clone(),
                source: prog.source.encode(),
                code: prog.code.program().encode(),
                license: prog.license.clone(),
                used_maps: prog.used_maps.iter().map(|m| m.0).collect(),
                pages: prog.pages,
                memlock_user: prog.memlock_user,
                privileged: prog.privileged,
            };
            (*refcnt, 0, kind)
        }
        Object::Perf { event, refcnt } => {
            let kind = ObjectKind::Perf {
                kind: perf_kind_code(event.kind),
                cpu: event.cpu,
                counter: event.counter,
                step: event.step,
                ring: event.ring.clone(),
            };
            (*refcnt, 0, kind)
        }
    };
    ObjectSnapshot {
        id: id.0,
        refcnt,
        usercnt,
        kind,
    }
}

fn restore_object(o: &ObjectSnapshot) -> Result<Object, SnapshotError> {
    let invalid = |what: &str| SnapshotError::Invalid(format!("object {}: {what}", o.id));
    Ok(match &o.kind {
        ObjectKind::Map {
            map_type,
            key_size,
            value_size,
            max_entries,
            name,
            pages,
            memlock_user,
            entries,
            prog_array_owner,
        } => {
            let map_type =
                MapType::from_number(*map_type).ok_or_else(|| invalid("unknown map type"))?;
            let def = MapDef {
                map_type,
                key_size: *key_size,
                value_size: *value_size,
                max_entries: *max_entries,
            };
            def.check()
                .map_err(|e| invalid(&format!("map attributes ({e})")))?;
            let mut map = Map::new(def, name.clone(), *pages, *memlock_user);
            // Hash elements go to the head of their bucket: insert in reverse to keep order.
            for (key, value) in entries.iter().rev() {
                let ok = match map_type {
                    MapType::Hash | MapType::Array => map.update(key, value, 0).is_ok(),
                    MapType::ProgArray | MapType::PerfEventArray => {
                        let index = key
                            .get(..4)
                            .and_then(|k| k.try_into().ok())
                            .map(u32::from_le_bytes);
                        let object = value
                            .get(..4)
                            .and_then(|v| v.try_into().ok())
                            .map(u32::from_le_bytes);
                        match (index, object) {
                            (Some(i), Some(obj)) if i < def.max_entries => {
                                map.set_slot(i, ObjectId(obj)).is_none()
                            }
                            _ => false,
                        }
                    }
                };
                if !ok {
                    return Err(invalid("an entry does not fit the map"));
                }
            }
            if let Storage::ProgArray { owner, .. } = &mut map.storage {
                *owner = *prog_array_owner;
            }
            Object::Map {
                map,
                refcnt: o.refcnt,
                usercnt: o.usercnt,
            }
        }
        ObjectKind::Prog {
            prog_type,
            name,
            source,
            code,
            license,
            used_maps,
            pages,
            memlock_user,
            privileged,
        } => {
            let prog_type =
                ProgType::from_number(*prog_type).ok_or_else(|| invalid("unknown program type"))?;
            let source = Program::decode(source).map_err(|e| invalid(&e.to_string()))?;
            let code = Program::decode(code).map_err(|e| invalid(&e.to_string()))?;
            let prog = LoadedProgram {
                prog_type,
                name: name.clone(),
                source,
                code: Rc::new(Prepared::new(code)),
                gpl_compatible: super::prog::is_gpl(license),
                license: license.clone(),
                used_maps: used_maps.iter().map(|m| ObjectId(*m)).collect(),
                pages: *pages,
                memlock_user: *memlock_user,
                privileged: *privileged,
            };
            Object::Prog {
                prog,
                refcnt: o.refcnt,
            }
        }
        ObjectKind::Perf {
            kind,
            cpu,
            counter,
            step,
            ring,
        } => {
            let kind = match kind {
                0 => PerfKind::BpfOutput,
                1 => PerfKind::Hardware,
                2 => PerfKind::Raw,
                3 => PerfKind::OtherSoftware,
                _ => return Err(invalid("unknown perf event kind")),
            };
            let event = PerfEvent {
                kind,
                cpu: *cpu,
                inherit: false,
                counter: *counter,
                step: *step,
                ring: ring.clone(),
            };
            Object::Perf {
                event,
                refcnt: o.refcnt,
            }
        }
    })
}

/// Directories (parents first) and pins of the filesystem.
fn fs_snapshot(fs: &Bpffs) -> (Vec<DirectorySnapshot>, Vec<PinSnapshot>) {
    let mut dirs = Vec::new();
    let mut pins = Vec::new();
    for entry in fs.list(super::bpffs::MOUNT).unwrap_or_default() {
        match entry.object {
            None if entry.path != super::bpffs::MOUNT => dirs.push(DirectorySnapshot::Owned {
                path: entry.path,
                owner: entry.owner,
                mode: entry.mode,
            }),
            None => {}
            Some(object) => pins.push(PinSnapshot {
                path: entry.path,
                object: object.0,
                owner: entry.owner,
            }),
        }
    }
    (dirs, pins)
}
