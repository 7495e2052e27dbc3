//! The one printer: [`Output`] and [`Error`] as `bpfplay script` and the console show
//! them, and whole-script transcripts.

use super::parse::words;
use super::session::{Error, FileSource, Output, Session};
use crate::linux::MapType;
use crate::prelude::*;

/// Bytes as bpftool prints them: two hex digits each, space-separated.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

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
        Output::Dump { map_type, entries } => {
            let label = match map_type {
                MapType::ProgArray | MapType::PerfEventArray => "object",
                MapType::Hash | MapType::Array => "value",
            };
            let mut out: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("key: {}  {label}: {}", hex(k), hex(v)))
                .collect();
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
                out.extend(report.trace.iter().cloned());
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
