//! The map and program types of Linux 4.4, with their numbers and bpftool's names.

use core::fmt;

/// `enum bpf_map_type` of 4.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MapType {
    Hash = 1,
    Array = 2,
    ProgArray = 3,
    PerfEventArray = 4,
}

impl MapType {
    pub const ALL: [MapType; 4] = [
        MapType::Hash,
        MapType::Array,
        MapType::ProgArray,
        MapType::PerfEventArray,
    ];

    pub fn from_number(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|t| *t as u32 == n)
    }

    /// bpftool's name.
    pub const fn name(self) -> &'static str {
        match self {
            MapType::Hash => "hash",
            MapType::Array => "array",
            MapType::ProgArray => "prog_array",
            MapType::PerfEventArray => "perf_event_array",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl fmt::Display for MapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `enum bpf_prog_type` of 4.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProgType {
    SocketFilter = 1,
    Kprobe = 2,
    SchedCls = 3,
    SchedAct = 4,
}

impl ProgType {
    pub const ALL: [ProgType; 4] = [
        ProgType::SocketFilter,
        ProgType::Kprobe,
        ProgType::SchedCls,
        ProgType::SchedAct,
    ];

    pub fn from_number(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|t| *t as u32 == n)
    }

    pub const fn name(self) -> &'static str {
        match self {
            ProgType::SocketFilter => "socket_filter",
            ProgType::Kprobe => "kprobe",
            ProgType::SchedCls => "sched_cls",
            ProgType::SchedAct => "sched_act",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Whether the context is a `__sk_buff` (and LD_ABS/LD_IND are allowed).
    pub const fn has_skb(self) -> bool {
        !matches!(self, ProgType::Kprobe)
    }
}

impl fmt::Display for ProgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
