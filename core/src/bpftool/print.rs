//! The one printer: [`Output`] and [`Error`] as `bpfplay script` and the console show
//! them, and whole-script transcripts.

use super::command::{
    Command, DUMP_PAGE, MapCommand, MapRef, MapValue, Packet, ProcessCommand, ProgCommand,
    UpdateFlags,
};
use super::parse::words;
use super::session::{Error, FileSource, MoreElements, Output, Session};
use crate::isa::spaced_hex as hex;
use crate::linux::MapType;
use crate::prelude::*;
use core::fmt;

/// The lines a command's output prints.
pub fn output_lines(output: &Output) -> Vec<String> {
    match output {
        Output::Done => Vec::new(),
        Output::MapCreated { id, fd, path } => {
            vec![format!("map {id} created, fd {fd}, pinned at {path}")]
        }
        Output::ProgLoaded { id, fd, path } => {
            vec![format!("prog {id} loaded, fd {fd}, pinned at {path}")]
        }
        Output::Value { key, value } => {
            vec![format!("key: {}  value: {}", hex(key), hex(value))]
        }
        Output::NextKey { key, next } => {
            vec![format!("key: {}  next key: {}", hex(key), hex(next))]
        }
        Output::Dump {
            map,
            map_type,
            entries,
            more,
        } => {
            let label = match map_type {
                MapType::ProgArray | MapType::PerfEventArray => "object",
                MapType::Hash | MapType::Array => "value",
            };
            let mut out: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("key: {}  {label}: {}", hex(k), hex(v)))
                .collect();
            if let Some(MoreElements { count, next_key }) = more {
                let next = MapCommand::Dump {
                    map: map.clone(),
                    from: Some(next_key.clone()),
                };
                out.push(format!(
                    "… {count} more element{}: `{next}` lists the next {DUMP_PAGE}",
                    if *count == 1 { "" } else { "s" }
                ));
            }
            out.push(format!(
                "Found {} element{}",
                entries.len(),
                if entries.len() == 1 { "" } else { "s" }
            ));
            out
        }
        Output::Maps(rows) => rows
            .iter()
            .map(|m| {
                format!(
                    "{}: {}  name {}  key {}B  value {}B  max_entries {}  memlock {}B  refs {} (user {})",
                    m.id,
                    m.map_type,
                    or_dash(&m.name),
                    m.key_size,
                    m.value_size,
                    m.max_entries,
                    m.memlock_bytes,
                    m.refcnt,
                    m.usercnt
                )
            })
            .collect(),
        Output::Progs(rows) => rows
            .iter()
            .map(|p| {
                let maps: Vec<String> = p.map_ids.iter().map(|m| m.to_string()).collect();
                format!(
                    "{}: {}  name {}  insns {}  license {}  map_ids [{}]  refs {}",
                    p.id,
                    p.prog_type,
                    or_dash(&p.name),
                    p.insns,
                    p.license,
                    maps.join(","),
                    p.refcnt
                )
            })
            .collect(),
        Output::Runs(reports) => {
            let mut out = Vec::new();
            for report in reports {
                out.extend(crate::kernel::trace_lines(&report.trace));
                for (event, bytes) in &report.perf_samples {
                    out.push(format!("perf event {event}: {}", hex(bytes)));
                }
                if let Some(redirect) = &report.redirect {
                    out.push(redirect.to_string());
                }
                match (&report.fault, &report.verdict) {
                    (Some(fault), _) => out.push(format!("fault: {fault}")),
                    (None, Some(verdict)) => out.push(format!("r0 = {:#x}: {verdict}", report.ret)),
                    (None, None) => out.push(format!("r0 = {:#x}", report.ret)),
                }
            }
            out
        }
        Output::Listing(rows) => rows
            .iter()
            .map(|row| match row.object {
                Some((id, kind)) => format!("{}  {kind} {id}", row.path),
                None => format!("{}/", row.path),
            })
            .collect(),
        Output::Help(syntax) => syntax.iter().map(|line| (*line).to_owned()).collect(),
    }
}

fn or_dash(name: &str) -> &str {
    if name.is_empty() { "-" } else { name }
}

/// The error line of a failed command. A kernel errno prints alone, as bpftool prints
/// it; other errors say where: the script `line`, or for a console command (`None`)
/// the column a parse error points at.
pub fn error_line(error: &Error, line: Option<usize>) -> String {
    match (error, line) {
        (Error::Errno(_), _) => format!("Error: {error}"),
        (_, Some(line)) => format!("Error: {error} (line {line})"),
        (Error::Parse(e), None) => format!("Error: {error} (column {})", e.column),
        (_, None) => format!("Error: {error}"),
    }
}

/// Runs a whole script and returns its transcript: each command echoed after `> `
/// (words separated by one space, comment dropped), then its output or its error line.
/// A failing command does not stop the script.
pub fn transcript(session: &mut Session, text: &str, files: &mut dyn FileSource) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let words = words(line);
        if words.is_empty() {
            continue;
        }
        let echo: Vec<&str> = words.iter().map(|w| w.text).collect();
        out.push(format!("> {}", echo.join(" ")));
        match session.run_line(line, files) {
            Ok(output) => out.extend(output_lines(&output)),
            Err(e) => out.push(error_line(&e, Some(n + 1))),
        }
    }
    out
}

/// The command line of a [`Command`], the inverse of [`super::parse()`]: the console echoes
/// it for the commands a map card or form builds. Byte lists print as `hex 01 00`, and
/// the defaults a command line may leave out (`any`, `repeat 1`, `uid 0`, no `name`)
/// are left out. Paths and names print as they are: one with whitespace or `#` has no
/// command line, since the grammar splits words there.
impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Map(command) => command.fmt(f),
            Command::Prog(command) => command.fmt(f),
            Command::Process(ProcessCommand::New { name, uid: 0 }) => {
                write!(f, "process new {name}")
            }
            Command::Process(ProcessCommand::New { name, uid }) => {
                write!(f, "process new {name} uid {uid}")
            }
            Command::Process(ProcessCommand::Use { name }) => write!(f, "process use {name}"),
            Command::Process(ProcessCommand::Exit) => f.write_str("process exit"),
            Command::Fs { op, path } => write!(f, "fs {} {path}", op.name()),
            Command::RlimitMemlock { bytes: None } => f.write_str("rlimit memlock unlimited"),
            Command::RlimitMemlock { bytes: Some(bytes) } => write!(f, "rlimit memlock {bytes}"),
            Command::UnprivilegedBpfDisabled { value } => {
                write!(f, "sysctl kernel.unprivileged_bpf_disabled {value}")
            }
            Command::Help { topic: None } => f.write_str("help"),
            Command::Help { topic: Some(topic) } => write!(f, "help {topic}"),
        }
    }
}

impl fmt::Display for MapCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapCommand::Create {
                path,
                map_type,
                key_size,
                value_size,
                max_entries,
                name,
            } => {
                write!(
                    f,
                    "map create {path} type {} key {key_size} value {value_size} entries {max_entries}",
                    map_type.name()
                )?;
                if !name.is_empty() {
                    write!(f, " name {name}")?;
                }
                Ok(())
            }
            MapCommand::Update {
                map,
                key,
                value,
                flags,
            } => {
                write!(f, "map update {map} key hex {} value ", hex(key))?;
                match value {
                    MapValue::Bytes(bytes) => write!(f, "hex {}", hex(bytes))?,
                    MapValue::PinnedProg(path) => write!(f, "pinned {path}")?,
                    MapValue::PerfEvent { cpu } => write!(f, "perf cpu {cpu}")?,
                }
                if *flags != UpdateFlags::default() {
                    write!(f, " {}", flags.name())?;
                }
                Ok(())
            }
            MapCommand::Lookup { map, key } => write!(f, "map lookup {map} key hex {}", hex(key)),
            MapCommand::Delete { map, key } => write!(f, "map delete {map} key hex {}", hex(key)),
            MapCommand::GetNext { map, key } => write!(f, "map getnext {map} key hex {}", hex(key)),
            MapCommand::Dump { map, from } => {
                write!(f, "map dump {map}")?;
                if let Some(key) = from {
                    write!(f, " from key hex {}", hex(key))?;
                }
                Ok(())
            }
            MapCommand::Pin { map, path } => write!(f, "map pin {map} {path}"),
            MapCommand::Show => f.write_str("map show"),
        }
    }
}

impl fmt::Display for MapRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapRef::Pinned(path) => write!(f, "pinned {path}"),
            MapRef::Id(id) => write!(f, "id {id}"),
        }
    }
}

impl fmt::Display for ProgCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgCommand::Load {
                file,
                path,
                prog_type,
                maps,
            } => {
                write!(f, "prog load {file} {path} type {}", prog_type.name())?;
                for (index, map) in maps {
                    write!(f, " map idx {index} {map}")?;
                }
                Ok(())
            }
            ProgCommand::Run {
                path,
                packet,
                repeat,
            } => {
                write!(f, "prog run pinned {path}")?;
                match packet {
                    None => {}
                    Some(Packet::Bytes(bytes)) => write!(f, " packet hex {}", hex(bytes))?,
                    Some(Packet::File(file)) => write!(f, " packet {file}")?,
                }
                if *repeat != 1 {
                    write!(f, " repeat {repeat}")?;
                }
                Ok(())
            }
            ProgCommand::Show => f.write_str("prog show"),
        }
    }
}
