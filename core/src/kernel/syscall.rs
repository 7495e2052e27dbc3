//! bpf(2)'s map and object commands: MAP_CREATE, the four element commands (with the
//! fd-array updates of prog_array and perf_event_array), OBJ_PIN and OBJ_GET.
//! PROG_LOAD is in [`super::prog`].

use super::map::{self, Map, MapDef};
use super::{Fd, Kernel, MapCreate, Object, ObjectId, PerfKind, Pid};
use crate::linux::{Errno, MapType, ProgType};
use crate::prelude::*;

impl Kernel {
    /// BPF_MAP_CREATE.
    pub fn map_create(&mut self, pid: Pid, attr: MapCreate, name: &str) -> Result<Fd, Errno> {
        let uid = self.check_allowed(pid)?.uid;
        let map_type = MapType::from_number(attr.map_type).ok_or(Errno::EINVAL)?;
        let def = MapDef {
            map_type,
            key_size: attr.key_size,
            value_size: attr.value_size,
            max_entries: attr.max_entries,
        };
        let pages = def.check()?;
        // syscall.c `map_create`: the type's map_alloc (ENOMEM when kmalloc/vzalloc
        // fail) runs before `bpf_map_charge_memlock` (EPERM).
        self.allocate(def.create_bytes())?;
        self.charge(uid, pages)?;
        let id = self.add_object(Object::Map {
            map: Map::new(def, name.to_owned(), pages, uid),
            refcnt: 0,
            usercnt: 0,
        });
        self.get_user(id);
        self.install_fd(pid, id).inspect_err(|_| self.put_user(id))
    }

    /// BPF_MAP_LOOKUP_ELEM. `key` must hold at least key_size bytes (else EFAULT, as a
    /// short user buffer faults); `flags` must be 0.
    pub fn map_lookup(&self, pid: Pid, fd: Fd, key: &[u8], flags: u64) -> Result<Vec<u8>, Errno> {
        self.check_allowed(pid)?;
        if flags != 0 {
            return Err(Errno::EINVAL);
        }
        let map = self.map(self.map_fd(pid, fd)?).ok_or(Errno::EINVAL)?;
        let key = key.get(..map.def.key_size as usize).ok_or(Errno::EFAULT)?;
        map.lookup(key).ok_or(Errno::ENOENT)
    }

    /// BPF_MAP_UPDATE_ELEM.
    pub fn map_update(
        &mut self,
        pid: Pid,
        fd: Fd,
        key: &[u8],
        value: &[u8],
        flags: u64,
    ) -> Result<(), Errno> {
        self.check_allowed(pid)?;
        let id = self.map_fd(pid, fd)?;
        let def = self.map(id).ok_or(Errno::EINVAL)?.def;
        let key = key.get(..def.key_size as usize).ok_or(Errno::EFAULT)?;
        let value = value.get(..def.value_size as usize).ok_or(Errno::EFAULT)?;
        match def.map_type {
            MapType::Hash | MapType::Array => self.update_elem(id, key, value, flags),
            MapType::ProgArray | MapType::PerfEventArray => {
                self.fd_array_update(pid, id, key, value, flags)
            }
        }
    }

    /// Updates a hash or array element, for bpf(2) and the `map_update_elem` helper: a
    /// hash update allocates its element first (ENOMEM past the memory budget).
    pub(super) fn update_elem(
        &mut self,
        id: ObjectId,
        key: &[u8],
        value: &[u8],
        flags: u64,
    ) -> Result<(), Errno> {
        let def = self.map(id).ok_or(Errno::EINVAL)?.def;
        // hashtab.c `htab_map_update_elem`: unknown flags are EINVAL before the kmalloc.
        if flags <= map::BPF_EXIST && def.update_bytes() > 0 {
            self.allocate(def.update_bytes())?;
        }
        self.map_mut(id)
            .ok_or(Errno::EINVAL)?
            .update(key, value, flags)
    }

    /// An update of a prog_array or perf_event_array: the value is an fd of the caller.
    fn fd_array_update(
        &mut self,
        pid: Pid,
        id: ObjectId,
        key: &[u8],
        value: &[u8],
        flags: u64,
    ) -> Result<(), Errno> {
        let map = self.map(id).ok_or(Errno::EINVAL)?;
        let index = map.check_slot_update(key, flags)?;
        let fd = u32::from_le_bytes(value.try_into().map_err(|_| Errno::EFAULT)?);
        let target = match map.def.map_type {
            MapType::ProgArray => {
                let prog_id = self.fd_object(pid, fd)?;
                let prog = self.prog(prog_id).ok_or(Errno::EINVAL)?;
                self.claim_prog_array(id, prog.prog_type)?;
                prog_id
            }
            _ => {
                // A non-perf fd is EBADF here (perf_event_get), not EINVAL.
                let event_id = self.fd_object(pid, fd)?;
                let event = self.perf_event(event_id).ok_or(Errno::EBADF)?;
                if event.inherit || event.kind == PerfKind::OtherSoftware {
                    return Err(Errno::EINVAL);
                }
                event_id
            }
        };
        self.get(target);
        let replaced = self.map_mut(id).and_then(|m| m.set_slot(index, target));
        if let Some(old) = replaced {
            self.put(old);
        }
        Ok(())
    }

    /// Sets or checks the owner program type of a prog_array.
    pub(super) fn claim_prog_array(
        &mut self,
        id: ObjectId,
        prog_type: ProgType,
    ) -> Result<(), Errno> {
        match self.map_mut(id).map(|m| &mut m.storage) {
            Some(map::Storage::ProgArray { owner, .. }) => match owner {
                Some(t) if *t != prog_type as u32 => Err(Errno::EINVAL),
                _ => {
                    *owner = Some(prog_type as u32);
                    Ok(())
                }
            },
            _ => Ok(()),
        }
    }

    /// BPF_MAP_DELETE_ELEM.
    pub fn map_delete(&mut self, pid: Pid, fd: Fd, key: &[u8]) -> Result<(), Errno> {
        self.check_allowed(pid)?;
        let id = self.map_fd(pid, fd)?;
        let map = self.map_mut(id).ok_or(Errno::EINVAL)?;
        let key = key
            .get(..map.def.key_size as usize)
            .ok_or(Errno::EFAULT)?
            .to_vec();
        if let Some(released) = map.delete(&key)? {
            self.put(released);
        }
        Ok(())
    }

    /// BPF_MAP_GET_NEXT_KEY. A missing `key` (NULL) is EFAULT in 4.4.
    pub fn map_next_key(&self, pid: Pid, fd: Fd, key: Option<&[u8]>) -> Result<Vec<u8>, Errno> {
        self.check_allowed(pid)?;
        let map = self.map(self.map_fd(pid, fd)?).ok_or(Errno::EINVAL)?;
        let key = key
            .and_then(|k| k.get(..map.def.key_size as usize))
            .ok_or(Errno::EFAULT)?;
        map.next_key(key)
    }

    /// BPF_OBJ_PIN.
    pub fn obj_pin(&mut self, pid: Pid, fd: Fd, path: &str) -> Result<(), Errno> {
        let uid = self.check_allowed(pid)?.uid;
        let id = self.fd_object(pid, fd)?;
        if matches!(self.objects.get(&id), Some(Object::Perf { .. }) | None) {
            return Err(Errno::EINVAL);
        }
        self.get_user(id);
        self.fs
            .pin(path, id, uid)
            .inspect_err(|_| self.put_user(id))
    }

    /// BPF_OBJ_GET: a new fd for the pinned object.
    pub fn obj_get(&mut self, pid: Pid, path: &str) -> Result<Fd, Errno> {
        let uid = self.check_allowed(pid)?.uid;
        let id = self.fs.get(path, uid)?;
        self.get_user(id);
        self.install_fd(pid, id).inspect_err(|_| self.put_user(id))
    }

    /// An fd for a map by its id, for the tools (`bpftool map … id N`). Linux added this
    /// as BPF_MAP_GET_FD_BY_ID in 4.13; 4.4's bpf(2) has no such command, so it is not
    /// one of the modelled commands. As in 4.13 it needs CAP_SYS_ADMIN (uid 0 here).
    pub fn map_get_fd_by_id(&mut self, pid: Pid, id: ObjectId) -> Result<Fd, Errno> {
        if !self.process(pid).ok_or(Errno::ESRCH)?.privileged() {
            return Err(Errno::EPERM);
        }
        if !matches!(self.objects.get(&id), Some(Object::Map { .. })) {
            return Err(Errno::ENOENT);
        }
        self.get_user(id);
        self.install_fd(pid, id).inspect_err(|_| self.put_user(id))
    }
}
