//! Guest memory as virtual regions. Each region owns a 4 GiB window of the guest address
//! space, `tag << 32` with `tag` the region's index plus one, and starts in the middle of
//! it, so translation is an index and a bounds check, and an access just below a region
//! (a stack overflow) is still reported against that region. No host address is ever
//! visible to the program.

use crate::prelude::*;
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use core::cell::{RefCell, RefMut};
use core::fmt;

/// Bytes shared between guest memory and their owner (a map value), so that program
/// writes land in the map and outlive the run.
pub type SharedBytes = Rc<RefCell<Vec<u8>>>;

/// Copies of shared bytes, one per original: copying the same bytes twice gives the same
/// copy, so that whatever shared bytes before (a map and the region a program sees it
/// through) shares the copy after, and nothing else.
#[derive(Debug, Default)]
pub struct SharedCopies(BTreeMap<*const RefCell<Vec<u8>>, SharedBytes>);

impl SharedCopies {
    /// The copy of `original`, made on first use.
    pub fn copy(&mut self, original: &SharedBytes) -> SharedBytes {
        self.0
            .entry(Rc::as_ptr(original))
            .or_insert_with(|| Rc::new(RefCell::new(original.borrow().clone())))
            .clone()
    }
}

/// The storage behind a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionData {
    Owned(Vec<u8>),
    Shared(SharedBytes),
}

impl RegionData {
    pub fn len(&self) -> usize {
        match self {
            RegionData::Owned(v) => v.len(),
            RegionData::Shared(s) => s.borrow().len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy of the bytes (for display).
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            RegionData::Owned(v) => v.clone(),
            RegionData::Shared(s) => s.borrow().clone(),
        }
    }

    fn read(&self, off: usize, out: &mut [u8]) {
        match self {
            RegionData::Owned(v) => out.copy_from_slice(&v[off..off + out.len()]),
            RegionData::Shared(s) => out.copy_from_slice(&s.borrow()[off..off + out.len()]),
        }
    }

    /// Writes `bytes` at `off` and returns what they replaced.
    fn write(&mut self, off: usize, bytes: &[u8], keep_old: bool) -> Vec<u8> {
        let apply = |target: &mut [u8]| {
            let old = if keep_old {
                target.to_vec()
            } else {
                Vec::new()
            };
            target.copy_from_slice(bytes);
            old
        };
        match self {
            RegionData::Owned(v) => apply(&mut v[off..off + bytes.len()]),
            RegionData::Shared(s) => apply(&mut s.borrow_mut()[off..off + bytes.len()]),
        }
    }
}

/// What a region holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// The 512-byte-per-frame stack; r10 points at its end.
    Stack,
    /// The program context (`__sk_buff`, `pt_regs`, ...).
    Context,
    /// Packet bytes, read by `LD_ABS`/`LD_IND`.
    Packet,
    /// Caller-provided memory (the conformance suite's `-- mem`).
    Input,
    /// The value of a map entry.
    MapValue,
}

impl RegionKind {
    pub const fn name(self) -> &'static str {
        match self {
            RegionKind::Stack => "stack",
            RegionKind::Context => "ctx",
            RegionKind::Packet => "packet",
            RegionKind::Input => "mem",
            RegionKind::MapValue => "map_value",
        }
    }
}

impl fmt::Display for RegionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One mapped region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub kind: RegionKind,
    pub base: u64,
    pub data: RegionData,
    pub writable: bool,
}

/// Why an access failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessProblem {
    /// No region at this address (includes NULL).
    Unmapped,
    /// The access runs past the end of its region.
    OutOfBounds,
    /// A write to a read-only region.
    ReadOnly,
}

/// A failed access, with everything needed to explain it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError {
    pub addr: u64,
    pub size: usize,
    pub write: bool,
    pub problem: AccessProblem,
    /// The region the address points into, with its length.
    pub region: Option<(RegionKind, usize)>,
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = if self.write { "write" } else { "read" };
        let AccessError { addr, size, .. } = *self;
        match (self.problem, self.region) {
            (AccessProblem::Unmapped, _) => {
                write!(
                    f,
                    "{access} of {size} byte(s) at 0x{addr:x}, which is in no memory region"
                )
            }
            (AccessProblem::OutOfBounds, Some((kind, len))) => write!(
                f,
                "out-of-bounds {access} of {size} byte(s) at 0x{addr:x}: {kind} offset {} but the region is {len} bytes",
                window_offset(addr)
            ),
            (AccessProblem::ReadOnly, Some((kind, _))) => {
                write!(
                    f,
                    "{access} of {size} byte(s) at 0x{addr:x}: {kind} is read-only"
                )
            }
            (_, None) => write!(f, "{access} of {size} byte(s) at 0x{addr:x} failed"),
        }
    }
}

impl core::error::Error for AccessError {}

/// A write, kept so that a step can be undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemChange {
    pub addr: u64,
    pub old: Vec<u8>,
    pub new: Vec<u8>,
}

/// Where a region starts inside its window.
pub(crate) const REGION_START: u64 = 0x8000_0000;

/// Signed offset of an address from the start of the region whose window holds it.
fn window_offset(addr: u64) -> i64 {
    (addr & 0xffff_ffff) as i64 - REGION_START as i64
}

/// A little-endian value of 1, 2, 4 or 8 bytes.
#[inline]
fn le_value(bytes: &[u8]) -> Option<u64> {
    Some(match bytes.len() {
        1 => u64::from(bytes[0]),
        2 => u64::from(u16::from_le_bytes(bytes.try_into().ok()?)),
        4 => u64::from(u32::from_le_bytes(bytes.try_into().ok()?)),
        8 => u64::from_le_bytes(bytes.try_into().ok()?),
        _ => return None,
    })
}

/// All regions of one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    regions: Vec<Region>,
}

impl Memory {
    /// Maps `data` as a new region and returns its base address.
    pub fn map(&mut self, kind: RegionKind, data: Vec<u8>, writable: bool) -> u64 {
        self.map_data(kind, RegionData::Owned(data), writable)
    }

    /// Maps bytes shared with their owner. Mapping the same bytes again returns the
    /// address they already have, as the kernel returns one pointer per map value.
    pub fn map_shared(&mut self, kind: RegionKind, data: &SharedBytes, writable: bool) -> u64 {
        let existing = self
            .regions
            .iter()
            .find(|r| matches!(&r.data, RegionData::Shared(s) if Rc::ptr_eq(s, data)));
        match existing {
            Some(region) => region.base,
            None => self.map_data(kind, RegionData::Shared(data.clone()), writable),
        }
    }

    fn map_data(&mut self, kind: RegionKind, data: RegionData, writable: bool) -> u64 {
        let base = ((self.regions.len() as u64 + 1) << 32) + REGION_START;
        self.regions.push(Region {
            kind,
            base,
            data,
            writable,
        });
        base
    }

    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The first region of a kind.
    pub fn region(&self, kind: RegionKind) -> Option<&Region> {
        self.regions.iter().find(|r| r.kind == kind)
    }

    /// The region whose window holds an address, and the signed offset from its start
    /// (for display: `stack+504`, `fp-8`).
    pub fn symbolize(&self, addr: u64) -> Option<(&Region, i64)> {
        let region = self.regions.get(((addr >> 32) as usize).checked_sub(1)?)?;
        Some((region, window_offset(addr)))
    }

    /// The index of the region an access falls in and its offset there, or the error
    /// the access gives.
    pub(crate) fn locate(
        &self,
        addr: u64,
        size: usize,
        write: bool,
    ) -> Result<(usize, usize), AccessError> {
        let fail = |problem, region| {
            Err(AccessError {
                addr,
                size,
                write,
                problem,
                region,
            })
        };
        let Some(index) = ((addr >> 32) as usize).checked_sub(1) else {
            return fail(AccessProblem::Unmapped, None);
        };
        let Some(region) = self.regions.get(index) else {
            return fail(AccessProblem::Unmapped, None);
        };
        let info = Some((region.kind, region.data.len()));
        let Ok(off) = usize::try_from(window_offset(addr)) else {
            return fail(AccessProblem::OutOfBounds, info);
        };
        if off
            .checked_add(size)
            .is_none_or(|end| end > region.data.len())
        {
            return fail(AccessProblem::OutOfBounds, info);
        }
        if write && !region.writable {
            return fail(AccessProblem::ReadOnly, info);
        }
        Ok((index, off))
    }

    /// Runs `f` with the bytes of every region borrowed at once ([`View`]): the fast
    /// loop's memory.
    pub(super) fn with_view<R>(&mut self, f: impl FnOnce(&mut View<'_>) -> R) -> R {
        // Declared before `bytes`, which borrows from them, so dropped after it.
        let mut shared: [Option<RefMut<'_, Vec<u8>>>; VIEWED] = Default::default();
        let mut bytes: [&mut [u8]; VIEWED] = Default::default();
        let mut writable = 0;
        for (index, (region, slot)) in self.regions.iter_mut().zip(&mut bytes).enumerate() {
            writable |= u32::from(region.writable) << index;
            match &mut region.data {
                RegionData::Owned(v) => *slot = v,
                // Nothing else borrows them during a run; if something did, the region
                // stays empty here, and every access to it goes the slow way.
                RegionData::Shared(s) => shared[index] = s.try_borrow_mut().ok(),
            }
        }
        for (slot, guard) in bytes.iter_mut().zip(&mut shared) {
            if let Some(guard) = guard {
                *slot = guard;
            }
        }
        f(&mut View { bytes, writable })
    }

    /// Reads `size` (1..=8) bytes as a little-endian value.
    pub fn read(&self, addr: u64, size: usize) -> Result<u64, AccessError> {
        let mut buf = [0u8; 8];
        let size = size.min(8);
        self.read_into(addr, &mut buf[..size])?;
        Ok(u64::from_le_bytes(buf))
    }

    /// Fills `out` from guest memory at `addr`.
    pub fn read_into(&self, addr: u64, out: &mut [u8]) -> Result<(), AccessError> {
        let (index, off) = self.locate(addr, out.len(), false)?;
        self.regions[index].data.read(off, out);
        Ok(())
    }

    pub fn read_bytes(&self, addr: u64, len: usize) -> Result<Vec<u8>, AccessError> {
        let mut out = vec![0; len];
        self.read_into(addr, &mut out)?;
        Ok(out)
    }

    /// Writes the low `size` (1..=8) bytes of `value`, little-endian.
    pub fn write(
        &mut self,
        addr: u64,
        size: usize,
        value: u64,
        journal: Option<&mut Vec<MemChange>>,
    ) -> Result<(), AccessError> {
        let bytes = value.to_le_bytes();
        self.write_bytes(addr, &bytes[..size.min(8)], journal)
    }

    pub fn write_bytes(
        &mut self,
        addr: u64,
        bytes: &[u8],
        journal: Option<&mut Vec<MemChange>>,
    ) -> Result<(), AccessError> {
        let (index, off) = self.locate(addr, bytes.len(), true)?;
        let old = self.regions[index]
            .data
            .write(off, bytes, journal.is_some());
        if let Some(journal) = journal {
            journal.push(MemChange {
                addr,
                old,
                new: bytes.to_vec(),
            });
        }
        Ok(())
    }

    /// Gives every shared region the copy `copies` makes of its bytes.
    pub fn copy_shared(&mut self, copies: &mut SharedCopies) {
        for region in &mut self.regions {
            if let RegionData::Shared(original) = &region.data {
                region.data = RegionData::Shared(copies.copy(original));
            }
        }
    }

    /// Whether an access of `size` bytes at `addr` is allowed, with the error a load
    /// (or, when `write`, a store) there would give.
    pub fn check(&self, addr: u64, size: usize, write: bool) -> Result<(), AccessError> {
        self.locate(addr, size, write).map(|_| ())
    }

    /// Replaces the first bytes of region `index` (no checks, no journal): how an engine
    /// that keeps guest memory elsewhere (the JIT's linear memory) hands writes back.
    pub(crate) fn overwrite_region(&mut self, index: usize, bytes: &[u8]) {
        if let Some(region) = self.regions.get_mut(index) {
            let len = bytes.len().min(region.data.len());
            region.data.write(0, &bytes[..len], false);
        }
    }

    /// Puts back what a recorded write replaced.
    pub(super) fn revert(&mut self, change: &MemChange) {
        if let Ok((index, off)) = self.locate(change.addr, change.old.len(), false) {
            self.regions[index].data.write(off, &change.old, false);
        }
    }
}

/// How many regions a [`View`] holds: the first ones mapped (stack, context, packet or
/// input come first; map values after). An access to any other goes the slow way.
const VIEWED: usize = 8;

/// The fast loop's memory: the bytes of the first [`VIEWED`] regions, borrowed for the
/// whole loop, so that an access is an index and a bounds check, without the region's
/// kind of storage, a `RefCell` or a reload of the region table after every store.
pub(super) struct View<'a> {
    bytes: [&'a mut [u8]; VIEWED],
    /// Bit `i`: region `i` is writable.
    writable: u32,
}

impl View<'_> {
    /// The region index and offset of an address.
    #[inline]
    fn locate(addr: u64) -> Option<(usize, usize)> {
        let index = ((addr >> 32) as usize).wrapping_sub(1);
        let off = (addr as u32).checked_sub(REGION_START as u32)?;
        Some((index, off as usize))
    }

    /// Reads `size` (1, 2, 4 or 8) bytes as a little-endian value, or `None` for any
    /// access that [`Memory::read`] would refuse.
    #[inline]
    pub(super) fn load(&self, addr: u64, size: usize) -> Option<u64> {
        let (index, off) = Self::locate(addr)?;
        le_value(self.bytes.get(index)?.get(off..off + size)?)
    }

    /// Writes the low `size` (1, 2, 4 or 8) bytes of `value`; `false` (and nothing
    /// written) for any write [`Memory::write`] would refuse.
    #[inline]
    pub(super) fn store(&mut self, addr: u64, size: usize, value: u64) -> bool {
        let Some((index, off)) = Self::locate(addr) else {
            return false;
        };
        if self.writable >> (index & 31) & 1 == 0 {
            return false;
        }
        let bytes = value.to_le_bytes();
        let target = self
            .bytes
            .get_mut(index)
            .and_then(|b| b.get_mut(off..off + size));
        match (target, bytes.get(..size)) {
            (Some(target), Some(src)) => {
                target.copy_from_slice(src);
                true
            }
            _ => false,
        }
    }
}
