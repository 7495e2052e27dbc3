//! The four 4.4 map types: creation checks, memlock charge, and the element operations
//! bpf(2) and the helpers share.

pub mod hash;

use super::ObjectId;
use crate::linux::{Errno, MapType};
use crate::prelude::*;
use crate::vm::{SharedBytes, SharedCopies};
use alloc::rc::Rc;
use core::cell::RefCell;
pub use hash::{BPF_ANY, BPF_EXIST, BPF_NOEXIST, HashTable};

/// The attributes of BPF_MAP_CREATE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MapDef {
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
}

const PAGE_SIZE: u64 = 4096;
/// `sizeof(struct htab_elem)` without key and value on x86-64.
const HTAB_ELEM_HEADER: u64 = 40;
/// `sizeof(struct bpf_array)` on x86-64 (kernel-4.4.md §1.2, a computed estimate).
const BPF_ARRAY_HEADER: u64 = 96;
const KMALLOC_MAX: u64 = 1 << 22;

fn round_up(v: u64, to: u64) -> u64 {
    v.div_ceil(to) * to
}

impl MapDef {
    /// The type's creation checks, in 4.4's order, and the pages charged to memlock.
    pub fn check(&self) -> Result<u64, Errno> {
        let (key, value, max) = (
            u64::from(self.key_size),
            u64::from(self.value_size),
            u64::from(self.max_entries),
        );
        match self.map_type {
            MapType::Hash => {
                if max == 0 || key == 0 || value == 0 {
                    return Err(Errno::EINVAL);
                }
                if key > 512 || value >= KMALLOC_MAX - 512 - 40 {
                    return Err(Errno::E2BIG);
                }
                let n_buckets = max.next_power_of_two();
                if max > 1 << 31 || n_buckets > 536_870_911 {
                    return Err(Errno::E2BIG);
                }
                let elem_size = HTAB_ELEM_HEADER + round_up(key, 8) + value;
                let bytes = n_buckets * 8 + elem_size * max;
                if bytes >= u64::from(u32::MAX) - PAGE_SIZE {
                    return Err(Errno::E2BIG);
                }
                Ok(bytes.div_ceil(PAGE_SIZE))
            }
            MapType::Array | MapType::ProgArray | MapType::PerfEventArray => {
                if self.map_type != MapType::Array && value != 4 {
                    return Err(Errno::EINVAL);
                }
                if max == 0 || key != 4 || value == 0 {
                    return Err(Errno::EINVAL);
                }
                if value >= KMALLOC_MAX {
                    return Err(Errno::E2BIG);
                }
                let elem_size = round_up(value, 8);
                if max > (u64::from(u32::MAX) - PAGE_SIZE - BPF_ARRAY_HEADER) / elem_size {
                    return Err(Errno::ENOMEM);
                }
                Ok((BPF_ARRAY_HEADER + max * elem_size).div_ceil(PAGE_SIZE))
            }
        }
    }
}

/// Where a map keeps its elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    Hash(HashTable),
    /// Preallocated, zero-filled values; programs point into them.
    Array(Vec<SharedBytes>),
    /// Program references, plus the (type) of the first program that claimed the array.
    ProgArray {
        slots: Vec<Option<ObjectId>>,
        owner: Option<u32>,
    },
    /// Perf event references.
    PerfEventArray(Vec<Option<ObjectId>>),
}

/// A map and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map {
    pub def: MapDef,
    /// A display name (bpftool's `name`; 4.4 itself had none).
    pub name: String,
    pub pages: u64,
    pub storage: Storage,
}

/// A reference a slot held and an operation released.
pub type Released = Option<ObjectId>;

impl Map {
    /// Creates an empty map; `def` must have passed [`MapDef::check`].
    pub fn new(def: MapDef, name: String, pages: u64) -> Self {
        let n = def.max_entries as usize;
        let storage = match def.map_type {
            MapType::Hash => Storage::Hash(HashTable::new(n.next_power_of_two(), n)),
            MapType::Array => Storage::Array(
                (0..n)
                    .map(|_| Rc::new(RefCell::new(vec![0; def.value_size as usize])))
                    .collect(),
            ),
            MapType::ProgArray => Storage::ProgArray {
                slots: vec![None; n],
                owner: None,
            },
            MapType::PerfEventArray => Storage::PerfEventArray(vec![None; n]),
        };
        Map {
            def,
            name,
            pages,
            storage,
        }
    }

    /// Gives every value the copy `copies` makes of it.
    pub(crate) fn copy_values(&mut self, copies: &mut SharedCopies) {
        match &mut self.storage {
            Storage::Hash(table) => table.copy_values(copies),
            Storage::Array(values) => {
                for value in values {
                    *value = copies.copy(value);
                }
            }
            Storage::ProgArray { .. } | Storage::PerfEventArray(_) => {}
        }
    }

    /// Index of an array key, if it is in range.
    fn index(&self, key: &[u8]) -> Option<usize> {
        let k: [u8; 4] = key.get(..4)?.try_into().ok()?;
        let i = u32::from_le_bytes(k) as usize;
        (i < self.def.max_entries as usize).then_some(i)
    }

    /// The value a program (or the syscall) sees; `None` for missing keys and for the
    /// fd arrays, whose lookup always returns NULL in 4.4.
    pub fn lookup(&self, key: &[u8]) -> Option<&SharedBytes> {
        match &self.storage {
            Storage::Hash(t) => t.lookup(key),
            Storage::Array(values) => values.get(self.index(key)?),
            Storage::ProgArray { .. } | Storage::PerfEventArray(_) => None,
        }
    }

    /// Updates a hash or array element (the fd arrays go through [`Map::set_slot`]).
    pub fn update(&mut self, key: &[u8], value: &[u8], flags: u64) -> Result<(), Errno> {
        let index = self.index(key);
        match &mut self.storage {
            Storage::Hash(t) => t.update(key, value, flags),
            Storage::Array(values) => {
                if flags > BPF_EXIST {
                    return Err(Errno::EINVAL);
                }
                let slot = values.get(index.ok_or(Errno::E2BIG)?).ok_or(Errno::E2BIG)?;
                if flags == BPF_NOEXIST {
                    return Err(Errno::EEXIST);
                }
                slot.borrow_mut().copy_from_slice(value);
                Ok(())
            }
            Storage::ProgArray { .. } | Storage::PerfEventArray(_) => Err(Errno::EINVAL),
        }
    }

    /// Checks an fd-array update before the fd is resolved: flags, then index.
    pub fn check_slot_update(&self, key: &[u8], flags: u64) -> Result<usize, Errno> {
        if flags != BPF_ANY {
            return Err(Errno::EINVAL);
        }
        self.index(key).ok_or(Errno::E2BIG)
    }

    /// Stores an object in an fd-array slot, returning the reference it replaced.
    pub fn set_slot(&mut self, index: usize, object: ObjectId) -> Released {
        match &mut self.storage {
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                slots.get_mut(index).and_then(|s| s.replace(object))
            }
            _ => None,
        }
    }

    pub fn delete(&mut self, key: &[u8]) -> Result<Released, Errno> {
        let index = self.index(key);
        match &mut self.storage {
            Storage::Hash(t) => t.delete(key).map(|()| None),
            Storage::Array(_) => Err(Errno::EINVAL),
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                let slot = slots
                    .get_mut(index.ok_or(Errno::E2BIG)?)
                    .ok_or(Errno::E2BIG)?;
                slot.take().map(Some).ok_or(Errno::ENOENT)
            }
        }
    }

    /// BPF_MAP_GET_NEXT_KEY.
    pub fn next_key(&self, key: &[u8]) -> Result<Vec<u8>, Errno> {
        match &self.storage {
            Storage::Hash(t) => t.next_key(key),
            _ => {
                let k: [u8; 4] = key
                    .get(..4)
                    .and_then(|k| k.try_into().ok())
                    .ok_or(Errno::EFAULT)?;
                let i = u32::from_le_bytes(k);
                let next = if i >= self.def.max_entries {
                    0
                } else if i == self.def.max_entries - 1 {
                    return Err(Errno::ENOENT);
                } else {
                    i + 1
                };
                Ok(next.to_le_bytes().to_vec())
            }
        }
    }

    /// The object in an fd-array slot.
    pub fn slot(&self, index: u64) -> Option<ObjectId> {
        match &self.storage {
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                slots.get(usize::try_from(index).ok()?).copied().flatten()
            }
            _ => None,
        }
    }

    /// Empties every fd-array slot, returning the references dropped.
    pub fn clear_slots(&mut self) -> Vec<ObjectId> {
        match &mut self.storage {
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                slots.iter_mut().filter_map(Option::take).collect()
            }
            _ => Vec::new(),
        }
    }

    /// Every present (key, value) pair, in get_next_key order (fd arrays: slot index
    /// and object id).
    pub fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match &self.storage {
            Storage::Hash(t) => t
                .iter()
                .map(|e| (e.key.clone(), e.value.borrow().clone()))
                .collect(),
            Storage::Array(values) => values
                .iter()
                .enumerate()
                .map(|(i, v)| ((i as u32).to_le_bytes().to_vec(), v.borrow().clone()))
                .collect(),
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    s.map(|id| {
                        (
                            (i as u32).to_le_bytes().to_vec(),
                            id.0.to_le_bytes().to_vec(),
                        )
                    })
                })
                .collect(),
        }
    }
}
