//! The commands a session runs, as data: what the text parser produces and what a UI
//! (the playground's map forms) builds directly.

use crate::kernel::ObjectId;
use crate::kernel::map::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};
use crate::linux::{MapType, ProgType};
use crate::prelude::*;

/// One bpftool-style command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Map(MapCommand),
    Prog(ProgCommand),
    Process(ProcessCommand),
    Fs {
        op: FsOp,
        path: String,
    },
    /// `rlimit memlock BYTES|unlimited`: `None` is unlimited.
    RlimitMemlock {
        bytes: Option<u64>,
    },
    /// `sysctl kernel.unprivileged_bpf_disabled VALUE`: a one-way switch, only 1 is
    /// accepted (anything else is EINVAL, as the kernel's sysctl answers).
    UnprivilegedBpfDisabled {
        value: u64,
    },
    /// `help [COMMAND]`: the syntax of every command, or of those of one object
    /// (`help map`); the topic is always a first word of [`SYNTAX`].
    Help {
        topic: Option<&'static str>,
    },
}

/// bpftool's MAP argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapRef {
    /// `pinned PATH`: opened with BPF_OBJ_GET.
    Pinned(String),
    /// `id N`: an id as `map show` lists it.
    Id(ObjectId),
}

/// `map …` commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapCommand {
    /// `map create PATH type T key N value N entries N [name NAME]`: create and pin.
    Create {
        path: String,
        map_type: MapType,
        key_size: u32,
        value_size: u32,
        max_entries: u32,
        /// Empty when not given.
        name: String,
    },
    Update {
        map: MapRef,
        key: Vec<u8>,
        value: MapValue,
        flags: UpdateFlags,
    },
    Lookup {
        map: MapRef,
        key: Vec<u8>,
    },
    Delete {
        map: MapRef,
        key: Vec<u8>,
    },
    GetNext {
        map: MapRef,
        key: Vec<u8>,
    },
    /// [`DUMP_PAGE`] elements at most, from key `from` on (from the first without one).
    Dump {
        map: MapRef,
        from: Option<Vec<u8>>,
    },
    Pin {
        map: MapRef,
        path: String,
    },
    Show,
}

/// The value of `map update`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapValue {
    /// Bytes, for hash and array maps.
    Bytes(Vec<u8>),
    /// `pinned PATH`: the fd of a pinned program (prog_array slots).
    PinnedProg(String),
    /// `perf cpu N`: the fd of a new BPF output perf event (perf_event_array slots).
    PerfEvent { cpu: u32 },
}

/// The flags of BPF_MAP_UPDATE_ELEM.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UpdateFlags {
    #[default]
    Any,
    NoExist,
    Exist,
}

impl UpdateFlags {
    pub const ALL: [UpdateFlags; 3] = [UpdateFlags::Any, UpdateFlags::NoExist, UpdateFlags::Exist];

    /// The word bpftool takes for it.
    pub const fn name(self) -> &'static str {
        match self {
            UpdateFlags::Any => "any",
            UpdateFlags::NoExist => "noexist",
            UpdateFlags::Exist => "exist",
        }
    }

    /// The `flags` value of bpf(2).
    pub const fn bits(self) -> u64 {
        match self {
            UpdateFlags::Any => BPF_ANY,
            UpdateFlags::NoExist => BPF_NOEXIST,
            UpdateFlags::Exist => BPF_EXIST,
        }
    }
}

/// `prog …` commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgCommand {
    /// `prog load FILE PATH type T [map idx I MAP]…`: load, verify and pin.
    Load {
        /// A name the session's file source resolves.
        file: String,
        path: String,
        prog_type: ProgType,
        /// Map index (`map_fd(I)` in the program) and the map bound to it.
        maps: Vec<(u32, MapRef)>,
    },
    /// `prog run pinned PATH [packet FILE | packet hex …] [repeat N]`.
    Run {
        path: String,
        /// `None`: 60 zero bytes (skb programs; kprobes get zeroed registers).
        packet: Option<Packet>,
        /// At least 1.
        repeat: u64,
    },
    Show,
}

/// The packet of `prog run`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Packet {
    Bytes(Vec<u8>),
    /// A name the session's file source resolves.
    File(String),
}

/// `process …` commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProcessCommand {
    /// Start a process and make it current.
    New { name: String, uid: u32 },
    /// Make the named process current.
    Use { name: String },
    /// End the current process, closing its fds.
    Exit,
}

/// `fs OP PATH`: the bpf filesystem from user space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsOp {
    Mkdir,
    Rmdir,
    Unlink,
    Ls,
}

impl FsOp {
    pub const ALL: [FsOp; 4] = [FsOp::Mkdir, FsOp::Rmdir, FsOp::Unlink, FsOp::Ls];

    pub const fn name(self) -> &'static str {
        match self {
            FsOp::Mkdir => "mkdir",
            FsOp::Rmdir => "rmdir",
            FsOp::Unlink => "unlink",
            FsOp::Ls => "ls",
        }
    }
}

/// Elements one `map dump` lists at most: a console (and the memory of a page) holds a
/// thousand lines, not the 33 million of a 256 MiB array. The output names the command
/// that lists the next ones.
pub const DUMP_PAGE: usize = 1000;

/// Every command with its syntax, as `help` prints it; the last line explains the
/// arguments' notation.
pub const SYNTAX: &[&str] = &[
    "map create PATH type hash|array|prog_array|perf_event_array key N value N entries N [name NAME]",
    "map update MAP key BYTES value BYTES|pinned PROG_PATH|perf cpu N [any|noexist|exist]",
    "map lookup|delete|getnext MAP key BYTES",
    "map dump MAP [from key BYTES]",
    "map pin MAP PATH",
    "map show",
    "prog load FILE PATH type socket_filter|kprobe|sched_cls|sched_act [map idx N MAP]...",
    "prog run pinned PATH [packet FILE | packet hex BYTES] [repeat N]",
    "prog show",
    "process new NAME [uid N]",
    "process use NAME",
    "process exit",
    "fs mkdir|rmdir|unlink|ls PATH",
    "rlimit memlock BYTES|unlimited",
    "sysctl kernel.unprivileged_bpf_disabled 1",
    "help",
    "MAP is `pinned PATH` or `id N`; BYTES are numbers (1, 0x01, 010) or `hex 01 00`; # starts a comment",
];

/// The note on notation that ends [`SYNTAX`].
const NOTATION: &str = SYNTAX[SYNTAX.len() - 1];

/// The first words of the commands (`map`, `prog`, ...), in `help`'s order: the topics
/// of `help COMMAND`.
pub fn help_topics() -> Vec<&'static str> {
    let mut topics: Vec<&'static str> = Vec::new();
    for line in &SYNTAX[..SYNTAX.len() - 1] {
        let object = line.split(' ').next().unwrap_or(line);
        if !topics.contains(&object) {
            topics.push(object);
        }
    }
    topics
}

/// The lines `help` prints: every command, or those of `topic`, with the note on
/// notation when they use it.
pub fn help_lines(topic: Option<&str>) -> Vec<&'static str> {
    let Some(topic) = topic else {
        return SYNTAX.to_vec();
    };
    let mut lines: Vec<&'static str> = SYNTAX[..SYNTAX.len() - 1]
        .iter()
        .copied()
        .filter(|line| line.split(' ').next() == Some(topic))
        .collect();
    if lines
        .iter()
        .any(|line| line.contains("MAP") || line.contains("BYTES"))
    {
        lines.push(NOTATION);
    }
    lines
}
