//! The verifier case files of `tests/data/verifier/` (format in its README): one
//! program with its program type, maps and expected verdicts, read by the PROG_LOAD
//! tests and by the `bpfplay verify` tests of the command line.

use crate::{sorted_files, workspace_root};
use bpfplay_core::bpftool::parse_map_list;
use bpfplay_core::isa::parse_hex_bytes;
use bpfplay_core::kernel::MapCreate;
use bpfplay_core::linux::ProgType;
use std::path::{Path, PathBuf};

/// The expected verdict of one load.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    Accept,
    /// Rejected with this errno (when given) and this text in the log.
    Reject(Option<String>, String),
    Eperm,
}

/// One case file.
#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub prog_type: ProgType,
    pub license: String,
    pub log_size: u32,
    /// The `-- maps` spec as written, and as parsed.
    pub maps_spec: Option<String>,
    pub maps: Vec<MapCreate>,
    pub asm: Option<String>,
    pub raw: Option<Vec<u8>>,
    pub privileged: Expect,
    pub unprivileged: Expect,
}

impl Case {
    /// Whether `bpfplay verify` also runs the case (its golden is
    /// [`crate::verify_golden`]): cases on raw bytes under the GPL, as the command line
    /// always loads GPL programs.
    pub fn runs_through_cli(&self) -> bool {
        self.raw.is_some() && self.license == "GPL"
    }
}

fn parse_expect(text: &str, file: &str) -> Expect {
    let text = text.trim();
    match text {
        "accept" => Expect::Accept,
        "eperm" => Expect::Eperm,
        _ => match text.strip_prefix("reject") {
            Some(rest) => {
                let rest = rest.trim();
                match rest.strip_prefix("errno=") {
                    Some(r) => {
                        let (errno, msg) = r.split_once(' ').unwrap_or((r, ""));
                        Expect::Reject(Some(errno.to_owned()), msg.trim().to_owned())
                    }
                    None => Expect::Reject(None, rest.to_owned()),
                }
            }
            None => panic!("{file}: bad expectation `{text}`"),
        },
    }
}

/// Reads a case file; panics with the file name on a malformed one.
pub fn parse_case(path: &Path) -> Case {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let mut section = String::new();
    let (mut asm, mut raw) = (None::<String>, None::<String>);
    let mut case = Case {
        name: name.clone(),
        prog_type: ProgType::SocketFilter,
        license: String::from("GPL"),
        log_size: 65536,
        maps_spec: None,
        maps: Vec::new(),
        asm: None,
        raw: None,
        privileged: Expect::Accept,
        unprivileged: Expect::Accept,
    };
    let (mut saw_priv, mut saw_unpriv) = (false, false);
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(directive) = line.strip_prefix("-- ") {
            let (key, value) = directive.split_once(' ').unwrap_or((directive, ""));
            section = key.to_owned();
            match key {
                "type" => {
                    case.prog_type =
                        ProgType::from_name(value.trim()).unwrap_or_else(|| panic!("{name}: type"))
                }
                "maps" => {
                    case.maps = parse_map_list(value).unwrap_or_else(|e| panic!("{name}: {e}"));
                    case.maps_spec = Some(value.trim().to_owned());
                }
                "license" => case.license = value.trim().to_owned(),
                "log_size" => {
                    case.log_size = value
                        .trim()
                        .parse()
                        .unwrap_or_else(|_| panic!("{name}: log_size"))
                }
                "asm" => asm = Some(String::new()),
                "raw" => raw = Some(String::new()),
                "privileged" => {
                    case.privileged = parse_expect(value, &name);
                    saw_priv = true;
                }
                "unprivileged" => {
                    case.unprivileged = parse_expect(value, &name);
                    saw_unpriv = true;
                }
                other => panic!("{name}: unknown directive `{other}`"),
            }
            continue;
        }
        match section.as_str() {
            "asm" => asm.as_mut().unwrap().push_str(&format!("{line}\n")),
            "raw" => raw.as_mut().unwrap().push_str(&format!("{line}\n")),
            _ if line.trim().is_empty() => {}
            _ => panic!("{name}: text outside a section: {line}"),
        }
    }
    assert!(
        saw_priv && saw_unpriv,
        "{name}: needs -- privileged and -- unprivileged"
    );
    case.asm = asm;
    case.raw = raw.map(|r| parse_hex_bytes(&r).unwrap_or_else(|e| panic!("{name}: raw: {e}")));
    case
}

/// Every case file, in name order.
pub fn cases() -> Vec<PathBuf> {
    sorted_files(&workspace_root().join("tests/data/verifier"), "case")
}

/// Logs longer than this many lines are kept as their head and tail only.
const GOLDEN_LINES: usize = 60;

/// A log as its golden file keeps it.
pub fn golden_text(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    if lines.len() <= GOLDEN_LINES {
        return log.to_owned();
    }
    let half = GOLDEN_LINES / 2;
    let mut out = lines[..half].join("\n");
    out.push_str(&format!("\n... {} lines ...\n", lines.len() - 2 * half));
    out.push_str(&lines[lines.len() - half..].join("\n"));
    out.push('\n');
    out
}
