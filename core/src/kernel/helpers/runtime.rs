//! The helpers as a program calls them: each reads its arguments from registers and
//! guest memory and acts on the emulated kernel, deterministically.

use super::csum::{self, CsumError};
use super::printk;
use crate::kernel::map::Storage;
use crate::kernel::prog::handle_map;
use crate::kernel::run::{InvocationState, KernelEvent, TC_ACT_REDIRECT};
use crate::kernel::{Kernel, Object, ObjectId, PerfKind};
use crate::linux::ctx::{SKB_CTX_SIZE, VLAN_TAG_PRESENT};
use crate::linux::{Errno, MapType};
use crate::prelude::*;
use crate::vm::{GuestMemory, HelperError, HelperReturn, Helpers, RegionKind};

/// MAX_TAIL_CALL_CNT of 4.4.
pub const MAX_TAIL_CALL_CNT: u32 = 32;
const ETH_P_8021Q: u16 = 0x8100;
const ETH_P_8021AD: u16 = 0x88a8;
const VLAN_HLEN: usize = 4;
const ETH_ALEN2: usize = 12;

/// Helpers 1..25 bound to a kernel and one invocation.
#[derive(Debug)]
pub struct KernelHelpers<'a> {
    pub kernel: &'a mut Kernel,
    pub inv: &'a mut InvocationState,
}

/// Helpers 1..25 that own their kernel and invocation state, for an engine whose helper
/// import must own what it reaches (the JIT's, see [`crate::jit::host`]).
#[derive(Debug)]
pub struct OwnedKernelHelpers {
    pub kernel: Kernel,
    pub inv: InvocationState,
}

impl Helpers for OwnedKernelHelpers {
    fn call(&mut self, id: i32, args: [u64; 5], memory: &mut GuestMemory<'_>) -> Outcome {
        KernelHelpers {
            kernel: &mut self.kernel,
            inv: &mut self.inv,
        }
        .call(id, args, memory)
    }
}

type Outcome = Result<HelperReturn, HelperError>;

fn value(v: u64) -> Outcome {
    Ok(HelperReturn::Value(v))
}

fn errno(e: Errno) -> Outcome {
    value(e.as_helper_return())
}

fn csum_errno(e: CsumError) -> Errno {
    match e {
        CsumError::Fault => Errno::EFAULT,
        CsumError::Invalid => Errno::EINVAL,
    }
}

impl Helpers for KernelHelpers<'_> {
    fn call(&mut self, id: i32, a: [u64; 5], mem: &mut GuestMemory<'_>) -> Outcome {
        match id {
            1 => self.map_lookup(a[0], a[1], mem),
            2 => self.map_update(a[0], a[1], a[2], a[3], mem),
            3 => self.map_delete(a[0], a[1], mem),
            4 => self.probe_read(a[0], a[1], a[2], mem),
            5 => {
                let s = &mut self.kernel.settings;
                s.clock_ns += s.clock_step_ns;
                value(s.clock_ns)
            }
            6 => self.trace_printk(a, mem),
            7 => value(self.kernel.prandom_u32().into()),
            8 => value(self.kernel.settings.cpu.into()),
            9 => self.skb_store_bytes(a[1], a[2], a[3], a[4], mem),
            10 | 11 => self.csum_replace(id, a[1], a[2], a[3], a[4], mem),
            12 => self.tail_call(a[1], a[2]),
            13 => self.clone_redirect(a[1], a[2]),
            14 => {
                let s = &self.kernel.settings;
                value(u64::from(s.task_tgid) << 32 | u64::from(s.task_pid))
            }
            15 => {
                let s = &self.kernel.settings;
                value(u64::from(s.task_gid) << 32 | u64::from(s.task_uid))
            }
            16 => self.get_current_comm(a[0], a[1], mem),
            17 => value(self.kernel.settings.cgroup_classid.into()),
            18 => self.vlan_push(a[1], a[2], mem),
            19 => self.vlan_pop(mem),
            20 => self.get_tunnel_key(a[1], a[2], a[3], mem),
            21 => self.set_tunnel_key(a[1], a[2], a[3], mem),
            22 => self.perf_event_read(a[0], a[1]),
            23 => {
                self.inv.redirect = Some((a[0] as u32, a[1]));
                value(TC_ACT_REDIRECT as u64)
            }
            24 => value(
                self.inv
                    .skb
                    .as_ref()
                    .map_or(0, |s| s.meta.route_realm)
                    .into(),
            ),
            25 => self.perf_event_output(a[1], a[2], a[3], a[4], mem),
            _ => Err(HelperError::Unknown),
        }
    }
}

impl KernelHelpers<'_> {
    fn map_of(&self, handle: u64) -> Result<ObjectId, HelperError> {
        handle_map(handle)
            .filter(|id| self.kernel.map(*id).is_some())
            .ok_or_else(|| HelperError::Failed(format!("0x{handle:x} is not a map pointer")))
    }

    fn key(&self, map: ObjectId, addr: u64, mem: &GuestMemory<'_>) -> Result<Vec<u8>, HelperError> {
        let size = self.kernel.map(map).map_or(0, |m| m.def.key_size as usize);
        Ok(mem.read_bytes(addr, size)?)
    }

    fn map_lookup(&mut self, handle: u64, key: u64, mem: &mut GuestMemory<'_>) -> Outcome {
        let id = self.map_of(handle)?;
        let key = self.key(id, key, mem)?;
        match self.kernel.map_mut(id).and_then(|m| m.lookup_shared(&key)) {
            Some(v) => value(mem.map_shared(RegionKind::MapValue, &v, true)),
            None => value(0),
        }
    }

    fn map_update(
        &mut self,
        handle: u64,
        key: u64,
        val: u64,
        flags: u64,
        mem: &mut GuestMemory<'_>,
    ) -> Outcome {
        let id = self.map_of(handle)?;
        let key = self.key(id, key, mem)?;
        let (map_type, value_size) = self
            .kernel
            .map(id)
            .map_or((MapType::Hash, 0), |m| (m.def.map_type, m.def.value_size));
        let val = mem.read_bytes(val, value_size as usize)?;
        // 4.4 would run fd-array updates in the current task's fd table; refuse them.
        if matches!(map_type, MapType::ProgArray | MapType::PerfEventArray) {
            return errno(Errno::EINVAL);
        }
        match self.kernel.update_elem(id, &key, &val, flags) {
            Err(e) => errno(e),
            Ok(()) => value(0),
        }
    }

    fn map_delete(&mut self, handle: u64, key: u64, mem: &mut GuestMemory<'_>) -> Outcome {
        let id = self.map_of(handle)?;
        let key = self.key(id, key, mem)?;
        if matches!(
            self.kernel.map(id).map(|m| m.def.map_type),
            Some(MapType::ProgArray | MapType::PerfEventArray)
        ) {
            return errno(Errno::EINVAL);
        }
        match self.kernel.map_mut(id).map(|m| m.delete(&key)) {
            Some(Err(e)) => errno(e),
            _ => value(0),
        }
    }

    /// Reads kernel memory: guest memory first (the stack and maps are kernel memory
    /// too), then the configured kernel segments.
    fn read_kernel(&self, addr: u64, len: usize, mem: &GuestMemory<'_>) -> Option<Vec<u8>> {
        if let Ok(bytes) = mem.read_bytes(addr, len) {
            return Some(bytes);
        }
        self.kernel
            .settings
            .kernel_memory
            .iter()
            .find_map(|(base, bytes)| {
                let off = usize::try_from(addr.checked_sub(*base)?).ok()?;
                bytes.get(off..off.checked_add(len)?).map(<[u8]>::to_vec)
            })
    }

    fn probe_read(&mut self, dst: u64, size: u64, src: u64, mem: &mut GuestMemory<'_>) -> Outcome {
        let len = usize::try_from(size).unwrap_or(usize::MAX);
        match self.read_kernel(src, len, mem) {
            Some(bytes) => {
                mem.write_bytes(dst, &bytes)?;
                value(0)
            }
            None => errno(Errno::EFAULT),
        }
    }

    fn trace_printk(&mut self, a: [u64; 5], mem: &mut GuestMemory<'_>) -> Outcome {
        let fmt = mem.read_bytes(a[0], usize::try_from(a[1]).unwrap_or(usize::MAX))?;
        let mut read_str = |addr: u64| {
            // Up to 63 characters, fault-safe.
            (1..=63)
                .rev()
                .find_map(|n| self.read_kernel(addr, n, mem))
                .map(|mut s| {
                    if let Some(nul) = s.iter().position(|b| *b == 0) {
                        s.truncate(nul);
                    }
                    s
                })
        };
        match printk::format(&fmt, [a[2], a[3], a[4]], &mut read_str) {
            Ok(message) => {
                let s = &self.kernel.settings;
                // One trace entry: the context header, the timestamp as trace_output.c
                // prints it (`" %5lu.%06lu: "`), bpf_trace.c's empty ip (`: `), then the
                // message as formatted, with no newline added: a format without `\n`
                // runs on into the next entry.
                let entry = format!(
                    "{:>16}-{:<5} [{:03}] .... {:>5}.{:06}: : {message}",
                    s.task_comm,
                    s.task_pid,
                    s.cpu,
                    s.clock_ns / 1_000_000_000,
                    s.clock_ns / 1_000 % 1_000_000
                );
                self.kernel.trace_pipe.push(entry.clone());
                self.inv.trace.push(entry);
                value(message.len() as u64)
            }
            Err(_) => errno(Errno::EINVAL),
        }
    }

    fn tail_call(&mut self, handle: u64, index: u64) -> Outcome {
        let Ok(id) = self.map_of(handle) else {
            return Ok(HelperReturn::Void);
        };
        let Some(map) = self.kernel.map(id) else {
            return Ok(HelperReturn::Void);
        };
        if map.def.map_type != MapType::ProgArray || index >= u64::from(map.def.max_entries) {
            return Ok(HelperReturn::Void);
        }
        // 4.4 checks the counter before incrementing it, so 33 calls succeed.
        if self.inv.tail_calls > MAX_TAIL_CALL_CNT {
            return Ok(HelperReturn::Void);
        }
        self.inv.tail_calls += 1;
        let Some(prog_id) = map.slot(index) else {
            return Ok(HelperReturn::Void);
        };
        let Some(prog) = self.kernel.prog(prog_id) else {
            return Ok(HelperReturn::Void);
        };
        self.inv.prog = prog_id;
        Ok(HelperReturn::TailCall(prog.code.clone()))
    }

    fn clone_redirect(&mut self, ifindex: u64, flags: u64) -> Outcome {
        let ifindex = ifindex as u32;
        if !self.kernel.settings.ifindexes.contains(&ifindex) {
            return errno(Errno::EINVAL);
        }
        let packet = self
            .inv
            .skb
            .as_ref()
            .map(|s| s.packet.borrow().clone())
            .unwrap_or_default();
        self.kernel.events.push(KernelEvent::CloneRedirect {
            ifindex,
            ingress: flags & 1 != 0,
            packet,
        });
        value(0)
    }

    fn get_current_comm(&mut self, buf: u64, size: u64, mem: &mut GuestMemory<'_>) -> Outcome {
        let mut comm = [0u8; 16];
        let name = self.kernel.settings.task_comm.as_bytes();
        let n = name.len().min(15);
        comm[..n].copy_from_slice(&name[..n]);
        let len = usize::try_from(size).unwrap_or(usize::MAX).min(16);
        mem.write_bytes(buf, &comm[..len])?;
        value(0)
    }

    /// The packet as a copy, for helpers that compute a new version of it.
    fn packet_copy(&self) -> Option<Vec<u8>> {
        self.inv.skb.as_ref().map(|s| s.packet.borrow().clone())
    }

    /// Writes back the bytes of `new` that differ from the packet, through guest memory
    /// so that stepping back can undo them.
    fn write_packet(&mut self, new: &[u8], mem: &mut GuestMemory<'_>) -> Result<(), HelperError> {
        let Some(skb) = self.inv.skb.as_ref() else {
            return Ok(());
        };
        let old = skb.packet.borrow().clone();
        let first = old.iter().zip(new).position(|(a, b)| a != b);
        let last = old.iter().zip(new).rposition(|(a, b)| a != b);
        if let (Some(first), Some(last)) = (first, last) {
            mem.write_bytes(skb.packet_addr + first as u64, &new[first..=last])?;
        }
        Ok(())
    }

    fn skb_store_bytes(
        &mut self,
        off: u64,
        from: u64,
        len: u64,
        flags: u64,
        mem: &mut GuestMemory<'_>,
    ) -> Outcome {
        let Some(mut packet) = self.packet_copy() else {
            return errno(Errno::EINVAL);
        };
        let from = mem.read_bytes(from, usize::try_from(len).unwrap_or(usize::MAX))?;
        let Some(skb) = self.inv.skb.as_mut() else {
            return errno(Errno::EINVAL);
        };
        if let Err(e) = csum::store_bytes(&mut packet, &mut skb.csum, off, &from, flags) {
            return errno(csum_errno(e));
        }
        self.write_packet(&packet, mem)?;
        value(0)
    }

    fn csum_replace(
        &mut self,
        id: i32,
        off: u64,
        from: u64,
        to: u64,
        flags: u64,
        mem: &mut GuestMemory<'_>,
    ) -> Outcome {
        let Some(mut packet) = self.packet_copy() else {
            return errno(Errno::EINVAL);
        };
        let Some(skb) = self.inv.skb.as_mut() else {
            return errno(Errno::EINVAL);
        };
        let result = if id == 10 {
            csum::l3_csum_replace(&mut packet, off, from, to, flags)
        } else {
            csum::l4_csum_replace(&mut packet, &mut skb.csum, off, from, to, flags)
        };
        if let Err(e) = result {
            return errno(csum_errno(e));
        }
        self.write_packet(&packet, mem)?;
        value(0)
    }

    /// Rewrites the ctx region from the (changed) metadata, keeping what the program
    /// wrote, after a helper changed the packet or its VLAN state.
    fn refresh_ctx(&mut self, mem: &mut GuestMemory<'_>) -> Result<(), HelperError> {
        let Some(skb) = self.inv.skb.as_mut() else {
            return Ok(());
        };
        let ctx = mem.read_bytes(skb.ctx_addr, SKB_CTX_SIZE)?;
        skb.meta.absorb_ctx(&ctx);
        let len = skb.packet.borrow().len() as u32;
        let fresh = skb.meta.to_ctx(len);
        mem.write_bytes(skb.ctx_addr, &fresh)?;
        Ok(())
    }

    /// skb_vlan_push: an existing hardware tag moves into the packet, then the new tag
    /// becomes the hardware tag.
    fn vlan_push(&mut self, proto: u64, tci: u64, mem: &mut GuestMemory<'_>) -> Outcome {
        let Some(skb) = self.inv.skb.as_mut() else {
            return errno(Errno::EINVAL);
        };
        let mut proto_be = proto as u16;
        if proto_be != ETH_P_8021Q.to_be() && proto_be != ETH_P_8021AD.to_be() {
            proto_be = ETH_P_8021Q.to_be();
        }
        if skb.meta.vlan_tci & VLAN_TAG_PRESENT != 0 {
            let mut packet = skb.packet.borrow_mut();
            if packet.len() < ETH_ALEN2 {
                return errno(Errno::ENOMEM);
            }
            let tag = [
                u16::from_be(skb.meta.vlan_proto_be).to_be_bytes(),
                (skb.meta.vlan_tci & !VLAN_TAG_PRESENT).to_be_bytes(),
            ]
            .concat();
            packet.splice(ETH_ALEN2..ETH_ALEN2, tag);
            skb.meta.protocol_be = skb.meta.vlan_proto_be;
        }
        skb.meta.vlan_proto_be = proto_be;
        skb.meta.vlan_tci = (tci as u16) | VLAN_TAG_PRESENT;
        self.refresh_ctx(mem)?;
        value(0)
    }

    /// skb_vlan_pop: drop the hardware tag (or the outermost in-packet tag), then move
    /// the next in-packet tag, if any, into the hardware tag.
    fn vlan_pop(&mut self, mem: &mut GuestMemory<'_>) -> Outcome {
        let Some(skb) = self.inv.skb.as_mut() else {
            return errno(Errno::EINVAL);
        };
        let is_vlan = |p: u16| p == ETH_P_8021Q.to_be() || p == ETH_P_8021AD.to_be();
        let pop_in_packet = |skb: &mut crate::kernel::run::SkbState| -> Option<u16> {
            let mut packet = skb.packet.borrow_mut();
            if !is_vlan(skb.meta.protocol_be) || packet.len() < ETH_ALEN2 + VLAN_HLEN + 2 {
                return None;
            }
            let tci = u16::from_be_bytes([packet[14], packet[15]]);
            packet.drain(ETH_ALEN2..ETH_ALEN2 + VLAN_HLEN);
            skb.meta.protocol_be = u16::from_be_bytes([packet[12], packet[13]]).to_be();
            Some(tci)
        };
        if skb.meta.vlan_tci & VLAN_TAG_PRESENT != 0 {
            skb.meta.vlan_tci = 0;
        } else if pop_in_packet(skb).is_none() {
            self.refresh_ctx(mem)?;
            return value(0);
        }
        let outer_proto = skb.meta.protocol_be;
        if let Some(tci) = pop_in_packet(skb) {
            skb.meta.vlan_proto_be = outer_proto;
            skb.meta.vlan_tci = tci | VLAN_TAG_PRESENT;
        }
        self.refresh_ctx(mem)?;
        value(0)
    }

    fn get_tunnel_key(
        &mut self,
        key: u64,
        size: u64,
        flags: u64,
        mem: &mut GuestMemory<'_>,
    ) -> Outcome {
        // filter.c `bpf_skb_get_tunnel_key` reads `skb_tunnel_info(skb)`: after
        // `bpf_skb_set_tunnel_key` that is the metadata dst it installed (replacing the
        // received one). Its tunnel id is the one set; remote_ipv4 comes from
        // `key.u.ipv4.src`, which set never writes (it sets `u.ipv4.dst`), so 0.
        let tunnel = match self.inv.tx_tunnel {
            Some((id, _)) => Some((id, 0)),
            None => self.inv.skb.as_ref().and_then(|s| s.meta.tunnel),
        };
        match tunnel {
            Some((id, remote)) if size == 8 && flags == 0 => {
                let bytes = [id.to_le_bytes(), remote.to_le_bytes()].concat();
                mem.write_bytes(key, &bytes)?;
                value(0)
            }
            _ => errno(Errno::EINVAL),
        }
    }

    fn set_tunnel_key(
        &mut self,
        key: u64,
        size: u64,
        flags: u64,
        mem: &mut GuestMemory<'_>,
    ) -> Outcome {
        if size != 8 || flags != 0 {
            return errno(Errno::EINVAL);
        }
        let bytes = mem.read_bytes(key, 8)?;
        let id = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let remote = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        self.inv.tx_tunnel = Some((id, remote));
        value(0)
    }

    /// The perf event in slot `index` of a perf_event_array, or the helper's errno.
    fn perf_slot(&self, handle: u64, index: u64) -> Result<ObjectId, Errno> {
        let id = self.map_of(handle).map_err(|_| Errno::EINVAL)?;
        let map = self.kernel.map(id).ok_or(Errno::EINVAL)?;
        if !matches!(map.storage, Storage::PerfEventArray(_)) {
            return Err(Errno::EINVAL);
        }
        if index >= u64::from(map.def.max_entries) {
            return Err(Errno::E2BIG);
        }
        map.slot(index).ok_or(Errno::ENOENT)
    }

    fn perf_event_read(&mut self, handle: u64, index: u64) -> Outcome {
        let cpu = self.kernel.settings.cpu;
        let id = match self.perf_slot(handle, index) {
            Ok(id) => id,
            Err(e) => return errno(e),
        };
        match self.kernel.perf_event_mut(id) {
            Some(event) if event.cpu == cpu => {
                event.counter += event.step;
                value(event.counter)
            }
            _ => errno(Errno::EINVAL),
        }
    }

    fn perf_event_output(
        &mut self,
        handle: u64,
        index: u64,
        data: u64,
        size: u64,
        mem: &mut GuestMemory<'_>,
    ) -> Outcome {
        let cpu = self.kernel.settings.cpu;
        let id = match self.perf_slot(handle, index) {
            Ok(id) => id,
            Err(e) => return errno(e),
        };
        let bytes = mem.read_bytes(data, usize::try_from(size).unwrap_or(usize::MAX))?;
        match self.kernel.objects.get_mut(&id) {
            Some(Object::Perf { event, .. }) if event.kind != PerfKind::BpfOutput => {
                errno(Errno::EINVAL)
            }
            Some(Object::Perf { event, .. }) if event.cpu != cpu => errno(Errno::EOPNOTSUPP),
            Some(Object::Perf { event, .. }) => {
                event.ring.push(bytes.clone());
                self.inv.perf_samples.push((id, bytes));
                value(0)
            }
            _ => errno(Errno::ENOENT),
        }
    }
}
