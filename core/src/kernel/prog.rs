//! BPF_PROG_LOAD: program types, the load checks in 4.4's order, map fd resolution and
//! the log buffer rules.

use super::{Fd, Kernel, Object, ObjectId, Pid};
use crate::isa::table::LDDW;
use crate::isa::{INSN_SIZE, Imm64Kind, Insn, Profile, Program, RawInsn};
use crate::linux::{Errno, MapType, ProgType};
use crate::prelude::*;
use crate::vm::Prepared;
use alloc::rc::Rc;
use core::fmt;

/// What BPF_PROG_LOAD takes. `license: None` is a NULL pointer; `log_buf` says whether a
/// buffer was passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgLoad {
    pub prog_type: u32,
    pub insns: Vec<u8>,
    pub license: Option<String>,
    pub log_level: u32,
    pub log_size: u32,
    pub log_buf: bool,
    pub kern_version: u32,
    /// A display name (bpftool's; 4.4 had none).
    pub name: String,
}

impl ProgLoad {
    /// A GPL program of `prog_type` with no log and the 4.4.0 kernel version.
    pub fn new(prog_type: ProgType, program: &Program) -> Self {
        Self::from_bytes(prog_type, program.encode())
    }

    /// The same for instructions as wire bytes, which may be malformed: the verifier
    /// judges them.
    pub fn from_bytes(prog_type: ProgType, insns: Vec<u8>) -> Self {
        ProgLoad {
            prog_type: prog_type as u32,
            insns,
            license: Some(String::from("GPL")),
            log_level: 0,
            log_size: 0,
            log_buf: false,
            kern_version: 0x0004_0400,
            name: String::new(),
        }
    }
}

impl ProgLoad {
    /// Gives each map load (`lddw` with src 1) the fd of the map its imm indexes, as a
    /// loader relocates map references before PROG_LOAD; `maps` pairs indexes with fds.
    /// Every other slot, a malformed one included, is left for the verifier to judge.
    pub fn bind_map_indexes(&mut self, maps: &[(u32, u32)]) -> Result<(), UnboundMapIndex> {
        let mut slots = self.insns.chunks_exact_mut(INSN_SIZE).enumerate();
        while let Some((pc, slot)) = slots.next() {
            let mut insn =
                RawInsn::from_bytes(<[u8; INSN_SIZE]>::try_from(&*slot).unwrap_or_default());
            if insn.opcode != LDDW || insn.src != Imm64Kind::MapFd.code() {
                continue;
            }
            let index = insn.imm as u32;
            let (_, fd) = maps
                .iter()
                .find(|(i, _)| *i == index)
                .ok_or(UnboundMapIndex { pc, index })?;
            insn.imm = *fd as i32;
            slot.copy_from_slice(&insn.to_bytes());
            // The second slot holds the high half of the imm, which a map load leaves 0.
            slots.next();
        }
        Ok(())
    }
}

/// A map load whose index names no map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnboundMapIndex {
    pub pc: usize,
    pub index: u32,
}

impl fmt::Display for UnboundMapIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "instruction {} uses map index {}, but no map has that index",
            self.pc, self.index
        )
    }
}

impl core::error::Error for UnboundMapIndex {}

/// A loaded program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedProgram {
    pub prog_type: ProgType,
    pub name: String,
    /// The instructions as loaded (map loads still name fds).
    pub source: Program,
    /// What runs: map loads carry the map's handle, as the kernel patches in its address.
    pub code: Rc<Prepared>,
    pub license: String,
    pub gpl_compatible: bool,
    /// Maps referenced through `LD_IMM64` (each holds a map reference).
    pub used_maps: Vec<ObjectId>,
    pub pages: u64,
    /// The uid whose memlock the pages are charged to.
    pub memlock_user: u32,
    /// Whether the loader had CAP_SYS_ADMIN (trace_printk visibility, pointer leaks).
    pub privileged: bool,
}

/// The outcome of BPF_PROG_LOAD: the fd or errno, the log text copied out, and what
/// the verifier found (for the playground: per-instruction states, the rejection).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadResult {
    pub fd: Result<Fd, Errno>,
    pub log: String,
    pub verifier: Option<crate::verifier::Report>,
}

/// License strings 4.4 treats as GPL-compatible (include/linux/license.h).
const GPL_LICENSES: [&str; 6] = [
    "GPL",
    "GPL v2",
    "GPL and additional rights",
    "Dual BSD/GPL",
    "Dual MIT/GPL",
    "Dual MPL/GPL",
];

/// Whether 4.4 treats a license string as GPL-compatible (exact, case-sensitive).
pub fn is_gpl(license: &str) -> bool {
    GPL_LICENSES.contains(&license)
}

const BPF_MAXINSNS: usize = 4096;
const MAX_USED_MAPS: usize = 64;
const LOG_SIZE_MAX: u32 = u32::MAX >> 8;

/// Where map handles live in the guest's view: a kernel-looking address per map.
pub const MAP_HANDLE_BASE: u64 = 0xffff_8800_0000_0000;
const MAP_HANDLE_STRIDE: u64 = 0x1000;

/// The value an `LD_IMM64` of a map yields at run time.
pub fn map_handle(id: ObjectId) -> u64 {
    MAP_HANDLE_BASE + u64::from(id.0) * MAP_HANDLE_STRIDE
}

/// The map a handle names, if it is one.
pub fn handle_map(handle: u64) -> Option<ObjectId> {
    let off = handle.checked_sub(MAP_HANDLE_BASE)?;
    (off % MAP_HANDLE_STRIDE == 0)
        .then(|| u32::try_from(off / MAP_HANDLE_STRIDE).ok().map(ObjectId))
        .flatten()
}

/// The verifier log as a growing buffer with 4.4's truncation rule.
struct Log {
    enabled: bool,
    size: usize,
    text: String,
}

impl Log {
    fn line(&mut self, line: &str) {
        if self.enabled {
            self.text.push_str(line);
            self.text.push('\n');
        }
    }

    /// Truncates to size - 1 bytes; reports whether the log filled up (ENOSPC).
    fn finish(mut self) -> (String, bool) {
        if !self.enabled {
            return (self.text, false);
        }
        let full = self.text.len() >= self.size.saturating_sub(1);
        let mut cut = self.size.saturating_sub(1).min(self.text.len());
        while !self.text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.truncate(cut);
        (self.text, full)
    }
}

impl Kernel {
    /// BPF_PROG_LOAD, with the checks of kernel-4.4.md §1.7 in order.
    pub fn prog_load(&mut self, pid: Pid, attr: &ProgLoad) -> LoadResult {
        let mut log = Log {
            enabled: false,
            size: 0,
            text: String::new(),
        };
        let mut report = None;
        let fd = self.load(pid, attr, &mut log, &mut report);
        let (text, full) = log.finish();
        // A full log is ENOSPC whatever the verdict, and the program is not kept.
        let fd = match (fd, full) {
            (Ok(fd), true) => {
                let _ = self.close(pid, fd);
                Err(Errno::ENOSPC)
            }
            (Err(_), true) => Err(Errno::ENOSPC),
            (fd, false) => fd,
        };
        LoadResult {
            fd,
            log: text,
            verifier: report,
        }
    }

    fn load(
        &mut self,
        pid: Pid,
        attr: &ProgLoad,
        log: &mut Log,
        report: &mut Option<crate::verifier::Report>,
    ) -> Result<Fd, Errno> {
        let process = self.check_allowed(pid)?;
        let (privileged, uid) = (process.privileged(), process.uid);
        let license = attr.license.as_deref().ok_or(Errno::EFAULT)?;
        let license: String = license.chars().take(127).collect();
        let insn_cnt = attr.insns.len() / 8;
        if insn_cnt >= BPF_MAXINSNS {
            return Err(Errno::EINVAL);
        }
        let prog_type = ProgType::from_number(attr.prog_type);
        if prog_type == Some(ProgType::Kprobe) && attr.kern_version != self.settings.kernel_version
        {
            return Err(Errno::EINVAL);
        }
        if prog_type != Some(ProgType::SocketFilter) && !privileged {
            return Err(Errno::EPERM);
        }
        let pages = (40 + 8 * insn_cnt as u64).div_ceil(4096);
        self.charge(uid, pages)?;
        let gpl_compatible = is_gpl(&license);
        let result = self.check_and_build(
            pid,
            attr,
            prog_type,
            (privileged, gpl_compatible),
            log,
            report,
        );
        let (prog_type, source, code, used_maps) = result?;
        let prog = LoadedProgram {
            prog_type,
            name: attr.name.clone(),
            source,
            code: Rc::new(Prepared::new(code)),
            license,
            gpl_compatible,
            used_maps,
            pages,
            memlock_user: uid,
            privileged,
        };
        let id = self.add_object(Object::Prog { prog, refcnt: 0 });
        self.get_user(id);
        self.install_fd(pid, id).inspect_err(|_| self.put_user(id))
    }

    /// Steps 8–11 of the load: copy, type, verifier pre-checks, map resolution and
    /// prog_array ownership. Map references taken here are released on failure.
    #[allow(clippy::type_complexity)]
    fn check_and_build(
        &mut self,
        pid: Pid,
        attr: &ProgLoad,
        prog_type: Option<ProgType>,
        (privileged, gpl_compatible): (bool, bool),
        log: &mut Log,
        report: &mut Option<crate::verifier::Report>,
    ) -> Result<(ProgType, Program, Program, Vec<ObjectId>), Errno> {
        if !attr.insns.len().is_multiple_of(8) {
            return Err(Errno::EFAULT);
        }
        let prog_type = prog_type.ok_or(Errno::EINVAL)?;
        if attr.insns.is_empty() {
            return Err(Errno::E2BIG);
        }
        let wants_log = attr.log_level != 0 || attr.log_buf || attr.log_size != 0;
        if wants_log
            && (attr.log_level == 0
                || !attr.log_buf
                || attr.log_size < 128
                || attr.log_size > LOG_SIZE_MAX)
        {
            return Err(Errno::EINVAL);
        }
        log.enabled = wants_log;
        log.size = attr.log_size as usize;
        if self.settings.verifier {
            let raw: Vec<RawInsn> = attr
                .insns
                .chunks_exact(8)
                .map(|c| RawInsn::from_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect();
            let kernel = &*self;
            let mut resolve_map = |fd: i32| kernel.map_info(pid, fd);
            let env = crate::verifier::Env {
                prog_type,
                privileged,
                gpl_compatible,
                log: log.enabled,
                resolve_map: &mut resolve_map,
            };
            let verdict = crate::verifier::verify(&raw, env);
            log.text.push_str(&verdict.log);
            let result = verdict.result.clone();
            *report = Some(verdict);
            if let Err(rejection) = result {
                return Err(rejection.errno());
            }
        }
        // What the 4.4 verifier accepted must also be runnable here; lines from this
        // emulator (not from the kernel) say so.
        let source = Program::decode(&attr.insns).map_err(|e| {
            log.line(&format!("bpfplay: {e}"));
            Errno::EINVAL
        })?;
        source.check_profile(Profile::Linux44).map_err(|e| {
            log.line(&format!("bpfplay: {e}"));
            Errno::EINVAL
        })?;
        let (code, used_maps) = self.resolve_maps(pid, &source, log)?;
        for &map in &used_maps {
            if let Err(e) = self.claim_prog_array(map, prog_type) {
                for &m in &used_maps {
                    self.put(m);
                }
                return Err(e);
            }
        }
        Ok((prog_type, source, code, used_maps))
    }

    /// Replaces each `LD_IMM64` of a map fd with the map's handle and takes one
    /// reference per distinct map (replace_map_fd_with_map_ptr).
    fn resolve_maps(
        &mut self,
        pid: Pid,
        source: &Program,
        log: &mut Log,
    ) -> Result<(Program, Vec<ObjectId>), Errno> {
        let mut used: Vec<ObjectId> = Vec::new();
        let mut insns = Vec::new();
        for (_, insn) in source.insns() {
            let insn = match *insn {
                Insn::LoadImm64 {
                    dst,
                    kind: Imm64Kind::MapFd,
                    imm,
                } => {
                    let fd = imm as u32;
                    let id = match self.fd_object(pid, fd) {
                        Ok(id) if matches!(self.object(id), Some(Object::Map { .. })) => id,
                        other => {
                            log.line(&format!(
                                "fd {} is not pointing to valid bpf_map",
                                fd as i32
                            ));
                            for &m in &used {
                                self.put(m);
                            }
                            return Err(if other.is_err() {
                                Errno::EBADF
                            } else {
                                Errno::EINVAL
                            });
                        }
                    };
                    if !used.contains(&id) {
                        if used.len() >= MAX_USED_MAPS {
                            for &m in &used {
                                self.put(m);
                            }
                            return Err(Errno::E2BIG);
                        }
                        self.get(id);
                        used.push(id);
                    }
                    Insn::LoadImm64 {
                        dst,
                        kind: Imm64Kind::Imm,
                        imm: map_handle(id),
                    }
                }
                other => other,
            };
            insns.push(insn);
        }
        Ok((Program::from_insns(insns), used))
    }

    /// What the verifier needs to know about the map behind a fd of `pid`.
    fn map_info(&self, pid: Pid, fd: i32) -> Result<crate::verifier::MapInfo, Errno> {
        let id = self.fd_object(pid, fd as u32)?;
        let map = self.map(id).ok_or(Errno::EINVAL)?;
        Ok(crate::verifier::MapInfo {
            handle: map_handle(id),
            map_type: map.def.map_type,
            key_size: map.def.key_size,
            value_size: map.def.value_size,
        })
    }

    /// The program behind an fd: EBADF, or EINVAL for a non-program.
    pub fn prog_fd(&self, pid: Pid, fd: Fd) -> Result<ObjectId, Errno> {
        let id = self.fd_object(pid, fd)?;
        self.prog(id).map(|_| id).ok_or(Errno::EINVAL)
    }

    /// The maps a program uses, with their types (for listings).
    pub fn prog_maps(&self, id: ObjectId) -> Vec<(ObjectId, MapType)> {
        self.prog(id)
            .map(|p| {
                p.used_maps
                    .iter()
                    .filter_map(|m| Some((*m, self.map(*m)?.def.map_type)))
                    .collect()
            })
            .unwrap_or_default()
    }
}
