//! Ready-to-render data for the panels, read from the workspace and the engine: the
//! components format nothing from core types themselves.

use super::Playground;
use super::engine::{ConsoleLine, EngineId};
use super::program::Verdict;
use crate::codemirror::Diagnostic;
use crate::examples::EXAMPLES;
use bpfplay_core::isa::Profile;
use bpfplay_core::isa::spaced_hex as hex;
use bpfplay_core::kernel::{Kernel, Object, ObjectId};
use bpfplay_core::linux::{MapType, ProgType};
use bpfplay_core::vm::{RegionKind, State};
use bpfplay_core::workspace::Setup;
use std::ops::Range;
use std::rc::Rc;

/// One option of a `<select>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// An example as the example menu offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleChoice {
    /// Its index in [`EXAMPLES`].
    pub index: usize,
    pub title: &'static str,
    pub description: &'static str,
    pub selected: bool,
}

/// The examples of one program type (or of the plain VM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleGroup {
    pub label: &'static str,
    pub examples: Vec<ExampleChoice>,
}

/// The setup bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupView {
    /// The examples grouped by program type, in [`ProgType::ALL`]'s order, then the
    /// plain VM's.
    pub example_groups: Vec<ExampleGroup>,
    /// The description of the example the active program is, if it is one.
    pub example_description: Option<&'static str>,
    pub prog_types: Vec<Choice>,
    pub profiles: Vec<Choice>,
    pub privileged: bool,
    pub packet: String,
    pub skb: String,
    pub maps: String,
}

/// A register row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub index: usize,
    pub hex: String,
    pub unsigned: String,
    pub signed: String,
    /// The value before the last step, if it changed it.
    pub was: Option<String>,
    /// The verifier's view of the register here.
    pub verifier: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistersView {
    pub rows: Vec<RegisterRow>,
    /// `N instructions executed, pc = P`.
    pub counter: String,
}

/// A line of a hex dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexRow {
    pub address: String,
    pub bytes: String,
}

/// A guest memory region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionView {
    pub title: String,
    pub rows: Vec<HexRow>,
}

/// An entry of a map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRow {
    pub key: Vec<u8>,
    pub key_hex: String,
    pub value_hex: String,
    /// u32 / u64 / i64 readings of the value (empty for fd arrays and other sizes).
    pub numbers: String,
}

/// What a map card shows; the card re-renders only when it changes, so stepping a
/// program does not redraw maps it does not touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapView {
    pub id: u32,
    pub title: String,
    pub key_size: u32,
    /// prog_array / perf_event_array: the values are objects, not numbers.
    pub fd_values: bool,
    /// A prog_array's (slot, program id) edges.
    pub tail_calls: Option<Vec<(u32, u32)>>,
    /// What the value field takes.
    pub value_hint: &'static str,
    pub pins: Vec<String>,
    /// One page of the entries, from position `first`.
    pub entries: Vec<EntryRow>,
    pub first: u64,
    /// Entries the map lists in all (its `map dump` elements).
    pub total: u64,
}

/// Entries a map card shows at a time; only they are read from the kernel (a 256 MiB
/// array has 33 million).
pub const SHOWN_ENTRIES: usize = 64;

/// A line of the /sys/fs/bpf tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpffsRow {
    pub depth: usize,
    pub label: String,
}

/// The run's status line, and the JIT's comparison if Run used it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusView {
    pub text: String,
    /// The JIT report and whether it agrees with the interpreter.
    pub jit: Option<(String, bool)>,
}

/// Where the verifier panel's text stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerdictState {
    Accepted,
    Rejected,
    /// The text does not assemble, so there is nothing to verify.
    NotAssembled,
    /// The text changed since the log below; verifying waits for typing to pause.
    Verifying,
}

/// The verifier panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierView {
    pub state: VerdictState,
    /// `accepted`; the verifier's message with the errno after it, as in
    /// `R0 !read_ok (EACCES)`; `not assembled: ...` with the assembler's error.
    pub headline: String,
    /// The log, read a window at a time.
    pub log: VerifierLog,
    /// What the rejection means, and the usual fix.
    pub explanation: Option<(&'static str, &'static str)>,
}

/// The verifier's log as its panel reads it: the lines of a window, each with the
/// instruction it names. Shares the verdict, so a render copies no log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifierLog(Option<Rc<Verdict>>);

/// A line of the verifier's log, and the instruction it names (`12: (bf) r6 = r1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub text: String,
    pub pc: Option<usize>,
}

impl VerifierLog {
    /// The whole log.
    pub fn text(&self) -> &str {
        self.0.as_ref().map_or("", |v| &v.log)
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |v| v.log_lines.len().saturating_sub(1))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lines in `range`.
    pub fn lines(&self, range: Range<usize>) -> Vec<LogLine> {
        let Some(v) = &self.0 else {
            return Vec::new();
        };
        let end = range.end.min(self.len());
        (range.start.min(end)..end)
            .map(|i| {
                let line = v.log[v.log_lines[i]..v.log_lines[i + 1]].trim_end_matches('\n');
                LogLine {
                    text: line.to_owned(),
                    pc: line
                        .split_once(':')
                        .and_then(|(n, _)| n.trim().parse::<usize>().ok()),
                }
            })
            .collect()
    }
}

/// The memory panel's "Go to address": hex, with or without `0x`; empty goes to
/// nowhere in particular.
pub fn parse_address(text: &str) -> Result<Option<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    u64::from_str_radix(digits, 16).map(Some).map_err(|_| {
        match digits.chars().position(|c| !c.is_ascii_hexdigit()) {
            Some(i) => format!(
                "`{text}` is not an address: `{}` at column {} is not a hex digit (e.g. 0x180000ff8)",
                digits[i..].chars().next().unwrap_or(' '),
                text.len() - digits.len() + i + 1
            ),
            None => format!("`{text}` is not an address: more than 16 hex digits"),
        }
    })
}

/// The editor's decorations.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorView {
    pub diagnostics: Vec<Diagnostic>,
    pub breakpoint_lines: Vec<u32>,
    pub current_line: Option<usize>,
    /// The assembler's error, in full.
    pub asm_error: Option<String>,
}

/// Each example's program type, read from its headers once: the examples are fixed,
/// and reading them all for every group on every render cost each keystroke 2-5 ms.
fn example_prog_types() -> &'static [Option<ProgType>] {
    static TYPES: std::sync::OnceLock<Vec<Option<ProgType>>> = std::sync::OnceLock::new();
    TYPES.get_or_init(|| {
        EXAMPLES
            .iter()
            .map(|e| Setup::from_headers(e.source).ok().and_then(|s| s.prog_type))
            .collect()
    })
}

fn choices<T: Copy + PartialEq>(
    all: &[T],
    current: Option<T>,
    name: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|t| Choice {
            value: name(*t).to_owned(),
            label: name(*t).to_owned(),
            selected: Some(*t) == current,
        })
        .collect()
}

/// The map types a map can be created with.
pub fn map_types() -> Vec<Choice> {
    choices(&MapType::ALL, Some(MapType::Hash), MapType::name)
}

fn number_views(value: &[u8]) -> String {
    match value.len() {
        4 => format!(
            "u32 {}",
            u32::from_le_bytes([value[0], value[1], value[2], value[3]])
        ),
        8 => {
            let v = u64::from_le_bytes(value.try_into().unwrap_or([0; 8]));
            format!("u64 {v} / i64 {}", v as i64)
        }
        _ => String::new(),
    }
}

fn le_u32(bytes: &[u8]) -> u32 {
    let mut word = [0; 4];
    for (w, b) in word.iter_mut().zip(bytes) {
        *w = *b;
    }
    u32::from_le_bytes(word)
}

/// The card of map `id`, showing the page that starts at position `first`.
fn map_view(kernel: &Kernel, id: ObjectId, first: u64) -> Option<MapView> {
    let Some(Object::Map {
        map,
        refcnt,
        usercnt,
    }) = kernel.object(id)
    else {
        return None;
    };
    let d = &map.def;
    let fd_values = matches!(d.map_type, MapType::ProgArray | MapType::PerfEventArray);
    let total = map.element_count();
    let page = SHOWN_ENTRIES as u64;
    // A page past the end (the map has shrunk since) shows the last one.
    let first = first.min(total.saturating_sub(1) / page * page);
    let entries = map.page(first, SHOWN_ENTRIES);
    Some(MapView {
        id: id.0,
        title: format!(
            "map {id} {}  {}  key {}B value {}B entries {}  refs {refcnt} (user {usercnt})",
            if map.name.is_empty() { "-" } else { &map.name },
            d.map_type,
            d.key_size,
            d.value_size,
            d.max_entries
        ),
        key_size: d.key_size,
        fd_values,
        tail_calls: (d.map_type == MapType::ProgArray).then(|| {
            map.stored_entries()
                .iter()
                .map(|(k, v)| (le_u32(k), le_u32(v)))
                .collect()
        }),
        value_hint: match d.map_type {
            MapType::ProgArray => "pinned /sys/fs/bpf/PROG",
            MapType::PerfEventArray => "perf cpu 0",
            _ => "1 0 0 0 … or hex 01 00 …",
        },
        pins: kernel
            .fs()
            .pins()
            .iter()
            .filter(|(_, o)| *o == id)
            .map(|(p, _)| p.clone())
            .collect(),
        first,
        total,
        entries: entries
            .iter()
            .map(|(k, v)| EntryRow {
                key: k.clone(),
                key_hex: hex(k),
                value_hex: hex(v),
                numbers: if fd_values {
                    String::new()
                } else {
                    number_views(v)
                },
            })
            .collect(),
    })
}

impl Playground {
    pub fn setup_view(&self) -> SetupView {
        let setup = self.setup();
        let group = |label, prog_type: Option<ProgType>| ExampleGroup {
            label,
            examples: EXAMPLES
                .iter()
                .zip(example_prog_types())
                .enumerate()
                .filter(|(_, (_, t))| **t == prog_type)
                .map(|(index, (e, _))| ExampleChoice {
                    index,
                    title: e.title,
                    description: e.description,
                    selected: self.example == Some(index),
                })
                .collect(),
        };
        let mut example_groups: Vec<ExampleGroup> = ProgType::ALL
            .iter()
            .map(|t| group(t.name(), Some(*t)))
            .collect();
        example_groups.push(group("plain VM", None));
        example_groups.retain(|g| !g.examples.is_empty());
        let mut prog_types = choices(&ProgType::ALL, setup.prog_type, ProgType::name);
        prog_types.push(Choice {
            value: String::from("plain"),
            label: String::from("plain VM (r1 = memory)"),
            selected: setup.prog_type.is_none(),
        });
        SetupView {
            example_groups,
            example_description: self.example.map(|i| EXAMPLES[i].description),
            prog_types,
            profiles: choices(&Profile::ALL, Some(setup.profile), Profile::name),
            privileged: setup.privileged,
            packet: hex(&setup.packet),
            skb: setup.skb.to_string(),
            maps: bpfplay_core::workspace::MapSpec::list_text(&setup.maps),
        }
    }

    /// The instruction the run is at.
    pub fn current_pc(&self) -> Option<usize> {
        self.engine().run.as_ref().map(|r| r.vm().pc())
    }

    pub fn registers(&self) -> Option<RegistersView> {
        let engine = self.engine();
        let vm = engine.run.as_ref()?.vm();
        let changed = engine
            .last_step
            .as_ref()
            .map(|s| s.regs.clone())
            .unwrap_or_default();
        let abstract_state = self
            .program
            .verdict
            .as_ref()
            .and_then(|v| v.states.get(vm.pc()))
            .and_then(|s| s.first());
        let rows = vm
            .regs()
            .iter()
            .enumerate()
            .map(|(i, v)| RegisterRow {
                index: i,
                hex: format!("{v:#018x}"),
                unsigned: v.to_string(),
                signed: (*v as i64).to_string(),
                was: changed
                    .iter()
                    .find(|c| c.reg.index() == i)
                    .map(|c| format!("was {:#x}", c.old)),
                verifier: abstract_state
                    .map(|s| s.regs[i].to_string())
                    .filter(|t| t != "?")
                    .unwrap_or_default(),
            })
            .collect();
        let n = vm.executed();
        Some(RegistersView {
            rows,
            counter: format!(
                "{n} instruction{} executed, pc = {}",
                if n == 1 { "" } else { "s" },
                vm.pc()
            ),
        })
    }

    /// Every guest memory region as a hex dump of up to 16 rows: from `goto` in the
    /// region holding it, else the stack's last 64 bytes (it is used from the top) and
    /// the other regions' start.
    pub fn memory(&self, goto: Option<u64>) -> Option<Vec<RegionView>> {
        let engine = self.engine();
        let memory = engine.run.as_ref()?.vm().memory();
        Some(
            memory
                .regions()
                .iter()
                .map(|region| {
                    let bytes = region.data.to_vec();
                    let start = match goto {
                        Some(addr)
                            if addr >= region.base && addr < region.base + bytes.len() as u64 =>
                        {
                            ((addr - region.base) as usize) & !15
                        }
                        _ if region.kind == RegionKind::Stack => bytes.len().saturating_sub(64),
                        _ => 0,
                    };
                    RegionView {
                        title: format!(
                            "{} @ {:#x} ({} bytes{})",
                            region.kind,
                            region.base,
                            bytes.len(),
                            if region.writable { "" } else { ", read-only" }
                        ),
                        rows: bytes[start..]
                            .chunks(16)
                            .take(16)
                            .enumerate()
                            .map(|(i, chunk)| HexRow {
                                address: format!("{:#x}", region.base + (start + i * 16) as u64),
                                bytes: hex(chunk),
                            })
                            .collect(),
                    }
                })
                .collect(),
        )
    }

    /// Every map in the kernel, each at the page its card was turned to.
    pub fn maps(&self) -> Vec<MapView> {
        let engine = self.engine();
        let kernel = &engine.session.kernel;
        kernel
            .objects()
            .filter(|(_, o)| matches!(o, Object::Map { .. }))
            .filter_map(|(id, _)| {
                let first = self.map_pages.get(&id.0).copied().unwrap_or(0);
                map_view(kernel, id, first)
            })
            .collect()
    }

    /// The /sys/fs/bpf tree with what each pin holds.
    pub fn bpffs(&self) -> Vec<BpffsRow> {
        let engine = self.engine();
        let kernel = &engine.session.kernel;
        let entries = kernel
            .fs()
            .list(bpfplay_core::kernel::bpffs::MOUNT)
            .unwrap_or_default();
        entries
            .iter()
            .map(|e| BpffsRow {
                depth: e.path.matches('/').count().saturating_sub(3),
                label: match e.object.and_then(|id| kernel.object(id).map(|o| (id, o))) {
                    Some((id, Object::Map { map, .. })) => format!(
                        "{}  map {id} ({}, {} entries)",
                        e.path,
                        map.def.map_type,
                        map.element_count()
                    ),
                    Some((id, Object::Prog { prog, .. })) => {
                        format!("{}  prog {id} ({})", e.path, prog.prog_type)
                    }
                    Some((id, o)) => format!("{}  {} {id}", e.path, o.kind_name()),
                    None => format!("{}/", e.path),
                },
            })
            .collect()
    }

    /// Instructions executed so far by a run going on in slices; `None` when none is.
    pub fn running(&self) -> Option<u64> {
        let engine = self.engine();
        engine.running.as_ref()?;
        engine.run.as_ref().map(|r| r.vm().executed())
    }

    /// The console's batch going on in slices: runs done and runs in all; `None` when
    /// none is.
    pub fn batch(&self) -> Option<(u64, u64)> {
        let engine = self.engine();
        engine.batch.as_ref().map(|b| (b.done, b.total))
    }

    pub fn status(&self) -> StatusView {
        let engine = self.engine();
        let status = match engine
            .run
            .as_ref()
            .map(|r| (r.vm().state().clone(), r.vm().executed(), r.vm().pc()))
        {
            None => String::from("not running"),
            Some((State::Running, n, _)) if engine.running.is_some() => {
                format!("running: {n} instructions so far")
            }
            Some((State::Running, n, pc)) => format!("paused at instruction {pc} after {n} steps"),
            Some((State::Exited { r0, early }, n, _)) => {
                let note = early.map(|e| format!(" ({e})")).unwrap_or_default();
                // BPF_PROG_RUN returns an `unsigned int` (include/linux/filter.h, 4.4): a
                // kernel run's caller sees r0's low 32 bits, which say more when they differ.
                let returned = match engine.report.as_ref() {
                    Some(report) if u64::from(report.ret) != r0 => {
                        format!(", the kernel returns {:#x} (u32)", report.ret)
                    }
                    _ => String::new(),
                };
                format!("exited: r0 = {r0:#x} after {n} instructions{note}{returned}")
            }
            Some((State::Faulted(f), n, _)) => format!("fault after {n} instructions: {f}"),
        };
        let verdict = engine
            .report
            .as_ref()
            .and_then(|r| r.verdict)
            .map(|v| format!(" — {v}"))
            .unwrap_or_default();
        StatusView {
            text: format!("{status}{verdict}"),
            jit: engine
                .jit_report
                .as_ref()
                .map(|j| (j.to_string(), j.agrees())),
        }
    }

    /// The verifier's log and verdict for the current text; `None` for plain runs.
    pub fn verifier(&self) -> Option<VerifierView> {
        self.setup().prog_type?;
        let program = &self.program;
        if let Some(e) = program.asm_error.as_ref().filter(|_| !program.stale_text) {
            return Some(VerifierView {
                state: VerdictState::NotAssembled,
                headline: format!("not assembled: {e}"),
                log: VerifierLog::default(),
                explanation: None,
            });
        }
        let Some(v) = program.verdict.as_ref() else {
            return Some(VerifierView {
                state: VerdictState::Verifying,
                headline: String::from("verifying…"),
                log: VerifierLog::default(),
                explanation: None,
            });
        };
        let (state, headline) = match (&v.rejection, v.errno) {
            _ if program.stale_verdict => (VerdictState::Verifying, String::from("verifying…")),
            (_, None) => (VerdictState::Accepted, String::from("accepted")),
            (Some(r), Some(errno)) => (VerdictState::Rejected, format!("{r} ({})", errno.name())),
            (None, Some(errno)) => (VerdictState::Rejected, format!("refused: {errno}")),
        };
        Some(VerifierView {
            state,
            headline,
            log: VerifierLog(Some(v.clone())),
            explanation: v.explanation.as_ref().map(|x| (x.meaning, x.fix)),
        })
    }

    pub fn editor(&self) -> EditorView {
        let program = &self.program;
        let mut diagnostics = Vec::new();
        if let Some(e) = &program.asm_error {
            diagnostics.push(Diagnostic {
                line: e.line,
                col: e.col,
                message: e.kind.to_string(),
                severity: "error",
            });
        }
        if let Some(r) = program.verdict.as_ref().and_then(|v| v.rejection.as_ref())
            && let Some(line) = r.pc.and_then(|pc| program.slot_lines.get(pc).copied())
        {
            diagnostics.push(Diagnostic {
                line,
                col: 1,
                message: r.to_string(),
                severity: "error",
            });
        }
        EditorView {
            diagnostics,
            breakpoint_lines: self
                .tab()
                .breakpoints
                .iter()
                .filter_map(|pc| program.slot_lines.get(*pc))
                .map(|l| *l as u32)
                .collect(),
            current_line: self
                .current_pc()
                .and_then(|pc| program.slot_lines.get(pc).copied()),
            asm_error: program.asm_error.as_ref().map(|e| format!("✖ {e}")),
        }
    }

    /// What changes whenever the console does: the engine, and the length of its
    /// console, which only grows.
    pub fn console_version(&self) -> (EngineId, usize) {
        let engine = self.engine();
        (engine.id, engine.console.len())
    }

    /// The console's last `limit` lines, and how many earlier ones that leaves out.
    pub fn console_lines(&self, limit: usize) -> (Vec<ConsoleLine>, usize) {
        let engine = self.engine();
        let skip = engine.console.len().saturating_sub(limit);
        (engine.console[skip..].to_vec(), skip)
    }

    /// The commands run in the console, oldest first, without a command repeated
    /// right after itself (the console's ArrowUp history, as shells keep it).
    pub fn console_history(&self) -> Vec<String> {
        let mut history: Vec<String> = Vec::new();
        for line in &self.engine().console {
            if let ConsoleLine::Command(command) = line
                && history.last() != Some(command)
            {
                history.push(command.clone());
            }
        }
        history
    }

    /// The paths under /sys/fs/bpf, for completion: directories end in `/`.
    pub fn bpffs_paths(&self) -> Vec<String> {
        let engine = self.engine();
        let mount = bpfplay_core::kernel::bpffs::MOUNT;
        let entries = engine.session.kernel.fs().list(mount).unwrap_or_default();
        entries
            .iter()
            .map(|e| match e.object {
                Some(_) => e.path.clone(),
                None => format!("{}/", e.path),
            })
            .collect()
    }
}
