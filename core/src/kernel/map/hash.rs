//! BPF_MAP_TYPE_HASH as 4.4's hashtab.c keeps it: jhash buckets, newest element at the
//! head of its bucket, so that iteration order (get_next_key) is the kernel's.

use crate::linux::Errno;
use crate::prelude::*;
use crate::vm::{SharedBytes, SharedCopies};
use alloc::collections::BTreeMap;
use alloc::rc::Rc;
use core::cell::RefCell;

/// One element: its key, the key's hash and the value a program may point into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elem {
    pub key: Vec<u8>,
    pub hash: u32,
    pub value: SharedBytes,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashTable {
    /// The non-empty buckets by index; index 0 of each chain is its head. Empty buckets
    /// take no host memory, so a table of 2^29 buckets costs nothing until it fills.
    buckets: BTreeMap<usize, Vec<Elem>>,
    n_buckets: usize,
    count: usize,
    max_entries: usize,
}

/// Update flags of bpf(2) and `map_update_elem`.
pub const BPF_ANY: u64 = 0;
pub const BPF_NOEXIST: u64 = 1;
pub const BPF_EXIST: u64 = 2;

impl HashTable {
    /// `n_buckets` is `max_entries` rounded up to a power of two (checked by the caller).
    pub fn new(n_buckets: usize, max_entries: usize) -> Self {
        HashTable {
            buckets: BTreeMap::new(),
            n_buckets,
            count: 0,
            max_entries,
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn bucket_of(&self, hash: u32) -> usize {
        hash as usize & (self.n_buckets - 1)
    }

    fn position(&self, key: &[u8]) -> (usize, Option<usize>, u32) {
        let hash = jhash(key, 0);
        let b = self.bucket_of(hash);
        let chain = self.buckets.get(&b).map_or(&[][..], Vec::as_slice);
        (
            b,
            chain.iter().position(|e| e.hash == hash && e.key == key),
            hash,
        )
    }

    pub fn lookup(&self, key: &[u8]) -> Option<&SharedBytes> {
        let (b, i, _) = self.position(key);
        Some(&self.buckets.get(&b)?.get(i?)?.value)
    }

    /// Whether an update of `key` would add an element (and so allocate one).
    pub fn would_insert(&self, key: &[u8]) -> bool {
        self.position(key).1.is_none()
    }

    /// htab_map_update_elem: a new element always goes to the head of its bucket; a
    /// replaced element is unlinked, so pointers into it no longer reach the map.
    pub fn update(&mut self, key: &[u8], value: &[u8], flags: u64) -> Result<(), Errno> {
        if flags > BPF_EXIST {
            return Err(Errno::EINVAL);
        }
        let (b, existing, hash) = self.position(key);
        if existing.is_none() && self.count >= self.max_entries {
            return Err(Errno::E2BIG);
        }
        match (existing, flags) {
            (Some(_), BPF_NOEXIST) => return Err(Errno::EEXIST),
            (None, BPF_EXIST) => return Err(Errno::ENOENT),
            _ => {}
        }
        let elem = Elem {
            key: key.to_vec(),
            hash,
            value: Rc::new(RefCell::new(value.to_vec())),
        };
        let chain = self.buckets.entry(b).or_default();
        match existing {
            Some(i) => {
                chain.remove(i);
            }
            None => self.count += 1,
        }
        chain.insert(0, elem);
        Ok(())
    }

    pub fn delete(&mut self, key: &[u8]) -> Result<(), Errno> {
        let (b, i, _) = self.position(key);
        let i = i.ok_or(Errno::ENOENT)?;
        if let Some(chain) = self.buckets.get_mut(&b) {
            chain.remove(i);
            if chain.is_empty() {
                self.buckets.remove(&b);
            }
        }
        self.count -= 1;
        Ok(())
    }

    /// htab_map_get_next_key: the element after `key` in bucket-then-chain order, or the
    /// first element when `key` is absent.
    pub fn next_key(&self, key: &[u8]) -> Result<Vec<u8>, Errno> {
        let (b, i, _) = self.position(key);
        let start_bucket = match i {
            Some(i) => {
                if let Some(next) = self.buckets.get(&b).and_then(|chain| chain.get(i + 1)) {
                    return Ok(next.key.clone());
                }
                b + 1
            }
            None => 0,
        };
        self.buckets
            .range(start_bucket..)
            .find_map(|(_, chain)| chain.first())
            .map(|e| e.key.clone())
            .ok_or(Errno::ENOENT)
    }

    /// Elements in get_next_key order.
    pub fn iter(&self) -> impl Iterator<Item = &Elem> {
        self.buckets.values().flatten()
    }

    /// Gives every value the copy `copies` makes of it.
    pub(crate) fn copy_values(&mut self, copies: &mut SharedCopies) {
        for elem in self.buckets.values_mut().flatten() {
            elem.value = copies.copy(&elem.value);
        }
    }
}

fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(4);
    *b = b.wrapping_add(*a);
}

fn final_mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(14));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(11));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(25));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(16));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(4));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(14));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(24));
}

/// The kernel's `jhash` (Bob Jenkins' lookup3) over arbitrary bytes.
pub fn jhash(key: &[u8], initval: u32) -> u32 {
    let start = 0xdead_beefu32
        .wrapping_add(key.len() as u32)
        .wrapping_add(initval);
    let (mut a, mut b, mut c) = (start, start, start);
    let word = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let mut k = key;
    while k.len() > 12 {
        a = a.wrapping_add(word(&k[0..4]));
        b = b.wrapping_add(word(&k[4..8]));
        c = c.wrapping_add(word(&k[8..12]));
        mix(&mut a, &mut b, &mut c);
        k = &k[12..];
    }
    if k.is_empty() {
        return c;
    }
    for (j, byte) in k.iter().enumerate() {
        let v = u32::from(*byte) << (8 * (j % 4));
        match j / 4 {
            0 => a = a.wrapping_add(v),
            1 => b = b.wrapping_add(v),
            _ => c = c.wrapping_add(v),
        }
    }
    final_mix(&mut a, &mut b, &mut c);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jhash_matches_lookup3_reference_values() {
        // hashlittle() from Bob Jenkins' lookup3.c (same algorithm as the kernel's
        // jhash on little-endian): published self-test values.
        assert_eq!(jhash(b"", 0), 0xdeadbeef);
        assert_eq!(jhash(b"", 0xdeadbeef), 0xbd5b7dde);
        assert_eq!(jhash(b"Four score and seven years ago", 0), 0x17770551);
        assert_eq!(jhash(b"Four score and seven years ago", 1), 0xcd628161);
    }

    #[test]
    fn update_flags_capacity_and_order() {
        let mut t = HashTable::new(2, 2);
        t.update(&[1], &[10], BPF_ANY).unwrap();
        assert_eq!(t.update(&[1], &[11], BPF_NOEXIST), Err(Errno::EEXIST));
        assert_eq!(t.update(&[2], &[20], BPF_EXIST), Err(Errno::ENOENT));
        t.update(&[2], &[20], BPF_NOEXIST).unwrap();
        // Full: a new key is E2BIG whatever the flag, before the flag checks.
        assert_eq!(t.update(&[3], &[30], BPF_EXIST), Err(Errno::E2BIG));
        assert_eq!(t.update(&[3], &[30], 3), Err(Errno::EINVAL));
        let old = t.lookup(&[1]).unwrap().clone();
        t.update(&[1], &[12], BPF_EXIST).unwrap();
        assert_eq!(*old.borrow(), vec![10], "a replaced element is detached");
        assert_eq!(*t.lookup(&[1]).unwrap().borrow(), vec![12]);
        // Walk every key exactly once, starting from a key that is not there.
        let mut seen = Vec::new();
        let mut key = vec![99];
        while let Ok(next) = t.next_key(&key) {
            seen.push(next.clone());
            key = next;
        }
        seen.sort();
        assert_eq!(seen, vec![vec![1], vec![2]]);
        assert_eq!(t.delete(&[9]), Err(Errno::ENOENT));
        t.delete(&[1]).unwrap();
        t.delete(&[2]).unwrap();
        assert_eq!(t.next_key(&[1]), Err(Errno::ENOENT));
    }
}
