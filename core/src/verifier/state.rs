//! The abstract state of 4.4's verifier: register types, stack bytes with spilled
//! registers, and the pruning of states already proven safe (`states_equal`).

use crate::linux::MapType;
use crate::prelude::*;
use core::fmt;

/// Registers and stack bytes of 4.4's verifier.
pub(super) const MAX_BPF_REG: usize = 11;
pub(super) const MAX_BPF_STACK: i32 = 512;
pub(super) const REG_SIZE: i32 = 8;

/// What the verifier knows about a map a program loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapInfo {
    /// The value an `LD_IMM64` of this map yields at run time, as the kernel patches it
    /// in (the log prints it in place of the fd). Two maps are the same map when their
    /// handles are.
    pub handle: u64,
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
}

/// `enum bpf_reg_type` with its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegType {
    NotInit,
    Unknown,
    Ctx,
    MapPtr(MapInfo),
    MapValue(MapInfo),
    MapValueOrNull(MapInfo),
    /// R10 itself (or a 64-bit copy).
    FramePtr,
    /// R10 plus a constant.
    Stack(i32),
    /// A constant from `mov imm` or a JEQ/JNE refinement.
    Imm(i32),
}

impl RegType {
    /// The name 4.4 prints (`reg_type_str`).
    pub const fn name(self) -> &'static str {
        match self {
            RegType::NotInit => "?",
            RegType::Unknown => "inv",
            RegType::Ctx => "ctx",
            RegType::MapPtr(_) => "map_ptr",
            RegType::MapValue(_) => "map_value",
            RegType::MapValueOrNull(_) => "map_value_or_null",
            RegType::FramePtr | RegType::Stack(_) => "fp",
            RegType::Imm(_) => "imm",
        }
    }

    /// The enum's number in 4.4 (kept in an instruction's imm to compare paths).
    pub(super) const fn number(self) -> u8 {
        match self {
            RegType::NotInit => 0,
            RegType::Unknown => 1,
            RegType::Ctx => 2,
            RegType::MapPtr(_) => 3,
            RegType::MapValue(_) => 4,
            RegType::MapValueOrNull(_) => 5,
            RegType::FramePtr => 6,
            RegType::Stack(_) => 7,
            RegType::Imm(_) => 8,
        }
    }

    pub(super) fn is_spillable(self) -> bool {
        matches!(
            self,
            RegType::MapValue(_)
                | RegType::MapValueOrNull(_)
                | RegType::Stack(_)
                | RegType::Ctx
                | RegType::FramePtr
                | RegType::MapPtr(_)
        )
    }

    /// As in the state line: `imm0`, `fp-8`, `map_value(ks=4,vs=8)`. Generic so the log
    /// (a `String`) is written without going through a `Formatter`.
    fn write_to(self, out: &mut impl fmt::Write) -> fmt::Result {
        out.write_str(self.name())?;
        match self {
            RegType::Imm(v) | RegType::Stack(v) => write!(out, "{v}"),
            RegType::MapPtr(m) | RegType::MapValue(m) | RegType::MapValueOrNull(m) => {
                write!(out, "(ks={},vs={})", m.key_size, m.value_size)
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for RegType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// What a stack byte holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SlotType {
    Invalid,
    Spill,
    Misc,
}

/// 64-bit words of a one-bit-per-stack-byte map.
const STACK_WORDS: usize = MAX_BPF_STACK as usize / 64;

/// The abstract machine state at one point of one path. Kept small (no per-byte stack
/// array, spilled registers only where there are some) because the walk copies it at
/// every branch, pruning point and recorded instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub regs: [RegType; MAX_BPF_REG],
    /// Stack bytes fp-512 .. fp-1 holding data (`STACK_MISC`), one bit per byte.
    misc: [u64; STACK_WORDS],
    /// Stack bytes holding part of a spilled register (`STACK_SPILL`), one bit per byte.
    spill: [u64; STACK_WORDS],
    /// Registers spilled to 8-byte slots, as (slot, register) sorted by slot; slots not
    /// listed hold `NotInit` (so equal states have equal lists).
    spilled: Vec<(u8, RegType)>,
}

/// The word and bit mask of `len` (at most 8, not crossing a word) stack bytes at `at`.
const fn stack_bits(at: usize, len: usize) -> (usize, u64) {
    (at / 64, ((1u64 << len) - 1) << (at % 64))
}

impl State {
    pub(super) fn entry() -> Self {
        let mut regs = [RegType::NotInit; MAX_BPF_REG];
        regs[10] = RegType::FramePtr;
        regs[1] = RegType::Ctx;
        State {
            regs,
            misc: [0; STACK_WORDS],
            spill: [0; STACK_WORDS],
            spilled: Vec::new(),
        }
    }

    /// The stack byte at `at` (0 is fp-512).
    pub(super) fn byte(&self, at: usize) -> SlotType {
        let (word, bit) = stack_bits(at, 1);
        if self.spill[word] & bit != 0 {
            SlotType::Spill
        } else if self.misc[word] & bit != 0 {
            SlotType::Misc
        } else {
            SlotType::Invalid
        }
    }

    pub(super) fn slot(&self, off: i32) -> SlotType {
        self.byte((MAX_BPF_STACK + off) as usize)
    }

    /// Marks `len` aligned stack bytes at `at` as `kind` (Spill or Misc).
    pub(super) fn mark_bytes(&mut self, at: usize, len: usize, kind: SlotType) {
        let (word, bits) = stack_bits(at, len);
        let (set, clear) = match kind {
            SlotType::Spill => (&mut self.spill, &mut self.misc),
            _ => (&mut self.misc, &mut self.spill),
        };
        set[word] |= bits;
        clear[word] &= !bits;
    }

    /// The 8-byte slots, in ascending order, whose first byte is part of a spill.
    fn spill_slots(&self) -> impl Iterator<Item = usize> + '_ {
        const SLOT_STARTS: u64 = 0x0101_0101_0101_0101;
        self.spill.iter().enumerate().flat_map(|(word, bits)| {
            let mut starts = bits & SLOT_STARTS;
            core::iter::from_fn(move || {
                (starts != 0).then(|| {
                    let bit = starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    (word * 64 + bit) / REG_SIZE as usize
                })
            })
        })
    }

    /// The register spilled to 8-byte slot `slot`.
    pub(super) fn spilled_at(&self, slot: usize) -> RegType {
        match self
            .spilled
            .binary_search_by_key(&slot, |(s, _)| usize::from(*s))
        {
            Ok(i) => self.spilled[i].1,
            Err(_) => RegType::NotInit,
        }
    }

    pub(super) fn set_spilled(&mut self, slot: usize, reg: RegType) {
        let at = self
            .spilled
            .binary_search_by_key(&slot, |(s, _)| usize::from(*s));
        match (at, reg) {
            (Ok(i), RegType::NotInit) => {
                self.spilled.remove(i);
            }
            (Ok(i), _) => self.spilled[i].1 = reg,
            (Err(_), RegType::NotInit) => {}
            (Err(i), _) => self.spilled.insert(i, (slot as u8, reg)),
        }
    }

    /// 4.4's states_equal: `old` covers `self` when every register and stack byte of
    /// `old` is identical or less specific.
    pub(super) fn covered_by(&self, old: &State) -> bool {
        let regs_ok = old.regs.iter().zip(&self.regs).all(|(o, c)| {
            o == c || *o == RegType::NotInit || (*o == RegType::Unknown && *c != RegType::NotInit)
        });
        // Every byte `old` has written must be of the same kind in `self`; where a slot's
        // first byte is a spill, the spilled registers must be equal too.
        regs_ok
            && (0..STACK_WORDS).all(|w| {
                let written = old.misc[w] | old.spill[w];
                (old.misc[w] ^ self.misc[w]) & written == 0
                    && (old.spill[w] ^ self.spill[w]) & written == 0
            })
            && old
                .spill_slots()
                .all(|slot| old.spilled_at(slot) == self.spilled_at(slot))
    }

    /// The state line of the log: ` R0=imm0 R10=fp fp-8=ctx`. Generic for the same
    /// reason as [`RegType::write_to`]: the log prints one at every branch and join.
    pub(super) fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        const LABELS: [&str; MAX_BPF_REG] = [
            " R0=", " R1=", " R2=", " R3=", " R4=", " R5=", " R6=", " R7=", " R8=", " R9=", " R10=",
        ];
        for (label, r) in LABELS.iter().zip(&self.regs) {
            if *r != RegType::NotInit {
                out.write_str(label)?;
                r.write_to(out)?;
            }
        }
        for slot in self.spill_slots() {
            let off = (slot * REG_SIZE as usize) as i32 - MAX_BPF_STACK;
            write!(out, " fp{off}={}", self.spilled_at(slot).name())?;
        }
        Ok(())
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_to(f)
    }
}

/// The states proven safe at one pruning point, each with its [`RegSummary`]: a lookup
/// scans the (dense) summaries and compares whole states only where they allow a match.
#[derive(Clone, Default)]
pub(super) struct Explored {
    summaries: Vec<RegSummary>,
    states: Vec<State>,
}

impl Explored {
    /// True when a state kept here covers `cur` (the path is safe from here on);
    /// otherwise `cur` is kept, before it is proven safe, as 4.4 does.
    pub(super) fn covers_or_keeps(&mut self, cur: &State) -> bool {
        let summary = RegSummary::of(cur);
        let mut candidates = self.summaries.iter().zip(&self.states);
        if candidates
            .any(|(old_summary, old)| old_summary.may_cover(summary) && cur.covered_by(old))
        {
            return true;
        }
        self.summaries.push(summary);
        self.states.push(cur.clone());
        false
    }
}

/// What `covered_by` needs of a state's registers, in 16 bytes: which registers are
/// initialised, and a Bloom filter of those holding more than `inv` (pointers and
/// constants, which a covering state must hold too).
#[derive(Clone, Copy)]
pub(super) struct RegSummary {
    initialised: u16,
    specific: u64,
}

impl RegSummary {
    pub(super) fn of(state: &State) -> Self {
        let mut summary = RegSummary {
            initialised: 0,
            specific: 0,
        };
        for (i, r) in state.regs.iter().enumerate() {
            if *r != RegType::NotInit {
                summary.initialised |= 1 << i;
            }
            if !matches!(r, RegType::NotInit | RegType::Unknown) {
                let payload = match *r {
                    RegType::Imm(v) | RegType::Stack(v) => v as u32,
                    RegType::MapPtr(m) | RegType::MapValue(m) | RegType::MapValueOrNull(m) => {
                        m.handle as u32
                    }
                    _ => 0,
                };
                let key = u64::from(payload) << 8 | u64::from(r.number()) << 4 | i as u64;
                summary.specific |= 1 << (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58);
            }
        }
        summary
    }

    /// False when a state summarised by `self` cannot cover one summarised by `cur`:
    /// covering needs every register it initialises initialised in `cur`, and every
    /// specific register of it equal in `cur` (so its filter bits are set in `cur`'s).
    pub(super) fn may_cover(self, cur: RegSummary) -> bool {
        self.initialised & !cur.initialised == 0 && self.specific & !cur.specific == 0
    }
}
