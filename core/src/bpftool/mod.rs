//! bpftool-style commands against one emulated kernel, for `bpfplay script` and the
//! playground console. Where bpftool has an equivalent, the grammar is bpftool's:
//!
//! ```text
//! map create PATH type hash key 4 value 8 entries 64 name counts
//! MAP is `pinned PATH` or `id N` (an id from `map show`):
//! map update MAP key 1 0 0 0 value 0 0 0 0 0 0 0 0 [any|noexist|exist]
//! map update pinned PATH key 0 0 0 0 value pinned PROG_PATH      (prog_array)
//! map update pinned PATH key 0 0 0 0 value perf cpu 0             (perf_event_array)
//! map lookup|delete|getnext MAP key …   ·   map dump MAP [from key …]   ·   map pin MAP PATH
//! map show
//! prog load FILE PATH type sched_cls [map idx 0 MAP]…     ·   prog show
//! prog run pinned PATH [packet FILE | packet hex …] [repeat N]
//! process new NAME [uid N] · process use NAME · process exit
//! fs mkdir|rmdir|unlink|ls PATH
//! rlimit memlock BYTES|unlimited · sysctl kernel.unprivileged_bpf_disabled 1 · help
//! ```
//! Byte lists take bpftool's numbers (`1`, `0x01`, `010`) or `hex 01 00`. Objects made
//! by `map create` and `prog load` stay open in the current process until it exits.
//!
//! The flow is text → [`parse()`] → [`Command`] → [`Session::apply`] → [`Output`] →
//! [`print`]. A UI builds [`Command`]s directly and renders [`Output`] as it likes; the
//! text console and `bpfplay script` go through the same parser and printer.
//!
//! ```
//! use bpfplay_core::bpftool::{
//!     Command, MapCommand, MapRef, NoFiles, Output, Session, parse, print,
//! };
//! let mut session = Session::default();
//! let create = parse("map create /sys/fs/bpf/m type array key 4 value 4 entries 1").unwrap();
//! session.apply(create, &mut NoFiles).unwrap();
//! let dump = Command::Map(MapCommand::Dump {
//!     map: MapRef::Pinned("/sys/fs/bpf/m".into()),
//!     from: None,
//! });
//! let output = session.apply(dump, &mut NoFiles).unwrap();
//! assert!(matches!(&output, Output::Dump { entries, .. } if entries.len() == 1));
//! assert_eq!(print::output_lines(&output).last().unwrap(), "Found 1 element");
//! ```

mod command;
mod parse;
pub mod print;
mod session;
#[cfg(test)]
mod tests;

pub use command::{
    Command, DUMP_PAGE, FsOp, MapCommand, MapRef, MapValue, Packet, ProcessCommand, ProgCommand,
    SYNTAX, UpdateFlags, help_lines, help_topics,
};
pub use parse::{
    Expected, MapListError, MapListErrorKind, ParseError, ParseErrorKind, Word, parse,
    parse_map_list, words,
};
pub use session::{
    Error, FileSource, FsRow, MapRow, MoreElements, NoFiles, Output, ProgRow, Session,
};
