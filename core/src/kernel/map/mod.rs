//! The four 4.4 map types: creation checks, memlock charge, and the element operations
//! bpf(2) and the helpers share.

pub mod hash;

use super::ObjectId;
use crate::linux::{Errno, MapType};
use crate::prelude::*;
use crate::vm::{SharedBytes, SharedCopies};
use alloc::collections::BTreeMap;
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

    /// Bytes of one hash element (`htab->elem_size`: header, key rounded to 8, value).
    fn htab_elem_size(&self) -> u64 {
        HTAB_ELEM_HEADER + round_up(self.key_size.into(), 8) + u64::from(self.value_size)
    }

    /// Bytes the kernel allocates when the map is created (`def` passed [`MapDef::check`]).
    /// arraymap.c `array_map_alloc`: the `struct bpf_array` with every element, kzalloc'd
    /// or vzalloc'd, ENOMEM when neither succeeds. hashtab.c `htab_map_alloc`: only the
    /// `n_buckets` list heads (kmalloc_array, then vmalloc); elements come on update.
    pub fn create_bytes(&self) -> u64 {
        let max = u64::from(self.max_entries);
        match self.map_type {
            MapType::Hash => max.next_power_of_two() * 8,
            _ => BPF_ARRAY_HEADER + max * round_up(self.value_size.into(), 8),
        }
    }

    /// Bytes an update allocates before it looks at the table: hashtab.c
    /// `htab_map_update_elem` kmallocs a new element "outside of lock" for every update,
    /// a replacement too, and answers ENOMEM when that fails. Array updates copy in place.
    pub fn update_bytes(&self) -> u64 {
        match self.map_type {
            MapType::Hash => self.htab_elem_size(),
            _ => 0,
        }
    }
}

/// Where a map keeps its elements. Host memory follows what is stored, not what the
/// kernel would have allocated (that is [`Map::kernel_bytes`], held to the memory
/// budget), so no map size can exhaust the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    Hash(HashTable),
    /// The values written or pointed at so far, by index; the others are the kernel's
    /// zero-filled elements. Programs point into the stored ones.
    Array(BTreeMap<u32, SharedBytes>),
    /// Program references by slot, plus the (type) of the first program that claimed
    /// the array.
    ProgArray {
        slots: BTreeMap<u32, ObjectId>,
        owner: Option<u32>,
    },
    /// Perf event references by slot.
    PerfEventArray(BTreeMap<u32, ObjectId>),
}

/// A map and its contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Map {
    pub def: MapDef,
    /// A display name (bpftool's `name`; 4.4 itself had none).
    pub name: String,
    pub pages: u64,
    /// The uid whose memlock the pages are charged to.
    pub memlock_user: u32,
    pub storage: Storage,
}

/// A reference a slot held and an operation released.
pub type Released = Option<ObjectId>;

impl Map {
    /// Creates an empty map; `def` must have passed [`MapDef::check`].
    pub fn new(def: MapDef, name: String, pages: u64, memlock_user: u32) -> Self {
        let n = def.max_entries as usize;
        let storage = match def.map_type {
            MapType::Hash => Storage::Hash(HashTable::new(n.next_power_of_two(), n)),
            MapType::Array => Storage::Array(BTreeMap::new()),
            MapType::ProgArray => Storage::ProgArray {
                slots: BTreeMap::new(),
                owner: None,
            },
            MapType::PerfEventArray => Storage::PerfEventArray(BTreeMap::new()),
        };
        Map {
            def,
            name,
            pages,
            memlock_user,
            storage,
        }
    }

    /// Gives every value the copy `copies` makes of it.
    pub(crate) fn copy_values(&mut self, copies: &mut SharedCopies) {
        match &mut self.storage {
            Storage::Hash(table) => table.copy_values(copies),
            Storage::Array(values) => {
                for value in values.values_mut() {
                    *value = copies.copy(value);
                }
            }
            Storage::ProgArray { .. } | Storage::PerfEventArray(_) => {}
        }
    }

    /// Bytes of kernel memory the map holds now: what it allocated at creation and, for
    /// a hash, its elements.
    pub fn kernel_bytes(&self) -> u64 {
        let elements = match &self.storage {
            Storage::Hash(t) => t.len() as u64 * self.def.update_bytes(),
            _ => 0,
        };
        self.def.create_bytes() + elements
    }

    /// Index of an array key, if it is in range.
    fn index(&self, key: &[u8]) -> Option<u32> {
        let k: [u8; 4] = key.get(..4)?.try_into().ok()?;
        let i = u32::from_le_bytes(k);
        (i < self.def.max_entries).then_some(i)
    }

    fn zero_value(&self) -> Vec<u8> {
        vec![0; self.def.value_size as usize]
    }

    /// A copy of the value the syscall reads; `None` for missing keys and for the fd
    /// arrays, whose lookup always returns NULL in 4.4.
    pub fn lookup(&self, key: &[u8]) -> Option<Vec<u8>> {
        match &self.storage {
            Storage::Hash(t) => t.lookup(key).map(|v| v.borrow().clone()),
            Storage::Array(values) => {
                let i = self.index(key)?;
                Some(
                    values
                        .get(&i)
                        .map_or_else(|| self.zero_value(), |v| v.borrow().clone()),
                )
            }
            Storage::ProgArray { .. } | Storage::PerfEventArray(_) => None,
        }
    }

    /// The value a program points into (`map_lookup_elem`); an array element gets its
    /// host storage on first use.
    pub fn lookup_shared(&mut self, key: &[u8]) -> Option<SharedBytes> {
        let index = self.index(key);
        let zero = self.zero_value();
        match &mut self.storage {
            Storage::Hash(t) => t.lookup(key).cloned(),
            Storage::Array(values) => Some(
                values
                    .entry(index?)
                    .or_insert_with(|| Rc::new(RefCell::new(zero)))
                    .clone(),
            ),
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
                let index = index.ok_or(Errno::E2BIG)?;
                if flags == BPF_NOEXIST {
                    return Err(Errno::EEXIST);
                }
                match values.get(&index) {
                    // A program may hold a pointer into it: write in place.
                    Some(slot) => slot.borrow_mut().copy_from_slice(value),
                    None => {
                        values.insert(index, Rc::new(RefCell::new(value.to_vec())));
                    }
                }
                Ok(())
            }
            Storage::ProgArray { .. } | Storage::PerfEventArray(_) => Err(Errno::EINVAL),
        }
    }

    /// Checks an fd-array update before the fd is resolved: flags, then index.
    pub fn check_slot_update(&self, key: &[u8], flags: u64) -> Result<u32, Errno> {
        if flags != BPF_ANY {
            return Err(Errno::EINVAL);
        }
        self.index(key).ok_or(Errno::E2BIG)
    }

    /// Stores an object in an fd-array slot, returning the reference it replaced.
    pub fn set_slot(&mut self, index: u32, object: ObjectId) -> Released {
        match &mut self.storage {
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                slots.insert(index, object)
            }
            _ => None,
        }
    }

    pub fn delete(&mut self, key: &[u8]) -> Result<Released, Errno> {
        let index = self.index(key);
        match &mut self.storage {
            Storage::Hash(t) => t.delete(key).map(|()| None),
            Storage::Array(_) => Err(Errno::EINVAL),
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => slots
                .remove(&index.ok_or(Errno::E2BIG)?)
                .map(Some)
                .ok_or(Errno::ENOENT),
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
                slots.get(&u32::try_from(index).ok()?).copied()
            }
            _ => None,
        }
    }

    /// Empties every fd-array slot, returning the references dropped.
    pub fn clear_slots(&mut self) -> Vec<ObjectId> {
        match &mut self.storage {
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                core::mem::take(slots).into_values().collect()
            }
            _ => Vec::new(),
        }
    }

    /// How many elements `map dump` lists: every element of an array (4.4 has them all,
    /// zero-filled), the stored ones of a hash, the filled slots of an fd array.
    pub fn element_count(&self) -> u64 {
        match &self.storage {
            Storage::Hash(t) => t.len() as u64,
            Storage::Array(_) => self.def.max_entries.into(),
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => slots.len() as u64,
        }
    }

    /// Up to `count` of the elements [`Map::element_count`] counts, from position `first`
    /// of the get_next_key order, as (key, value) pairs (fd arrays: slot index and object
    /// id). Only the page is built: a 256 MiB array has 33 million elements.
    pub fn page(&self, first: u64, count: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let skip = usize::try_from(first).unwrap_or(usize::MAX);
        match &self.storage {
            Storage::Hash(t) => t
                .iter()
                .skip(skip)
                .take(count)
                .map(|e| (e.key.clone(), e.value.borrow().clone()))
                .collect(),
            Storage::Array(values) => {
                let max = self.def.max_entries;
                let start = u32::try_from(first).unwrap_or(max).min(max);
                let end = start
                    .saturating_add(u32::try_from(count).unwrap_or(u32::MAX))
                    .min(max);
                (start..end)
                    .map(|i| {
                        let value = values
                            .get(&i)
                            .map_or_else(|| self.zero_value(), |v| v.borrow().clone());
                        (i.to_le_bytes().to_vec(), value)
                    })
                    .collect()
            }
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => slots
                .iter()
                .skip(skip)
                .take(count)
                .map(slot_entry)
                .collect(),
        }
    }

    /// Where `key` stands among the elements [`Map::page`] walks, if it is one of them.
    pub fn position(&self, key: &[u8]) -> Option<u64> {
        match &self.storage {
            Storage::Hash(t) => t.iter().position(|e| e.key == key).map(|p| p as u64),
            Storage::Array(_) => self.index(key).map(u64::from),
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                let index = self.index(key)?;
                slots
                    .contains_key(&index)
                    .then(|| slots.range(..index).count() as u64)
            }
        }
    }

    /// The (key, value) pairs that hold host memory, in get_next_key order: all of
    /// [`Map::page`]'s elements but an array's never written nor pointed at, which
    /// are zero. Enough to rebuild the map, at a cost that follows its contents.
    pub fn stored_entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        match &self.storage {
            Storage::Hash(t) => t
                .iter()
                .map(|e| (e.key.clone(), e.value.borrow().clone()))
                .collect(),
            Storage::Array(values) => values
                .iter()
                .map(|(i, v)| (i.to_le_bytes().to_vec(), v.borrow().clone()))
                .collect(),
            Storage::ProgArray { slots, .. } | Storage::PerfEventArray(slots) => {
                slots.iter().map(slot_entry).collect()
            }
        }
    }
}

/// An fd-array slot as a (key, value) pair: the index and the object id, little-endian.
fn slot_entry((index, id): (&u32, &ObjectId)) -> (Vec<u8>, Vec<u8>) {
    (index.to_le_bytes().to_vec(), id.0.to_le_bytes().to_vec())
}
