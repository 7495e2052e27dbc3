//! The active program as the panels show it: assembled (listing, source lines) and
//! verified (the Linux 4.4 verifier's verdict). Derived; never saved.

use bpfplay_core::asm::{AsmError, Assembled, assemble};
use bpfplay_core::disasm::format_insn;
use bpfplay_core::isa::{CallKind, Insn, Program as Bytecode};
use bpfplay_core::linux::Errno;
use bpfplay_core::linux::helpers;
use bpfplay_core::syntax::Syntax;
use bpfplay_core::verifier::explain::Explanation;
use bpfplay_core::verifier::{Rejection, State as AbstractState};
use std::ops::Range;
use std::rc::Rc;

/// One row of the bytecode / disassembly listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingRow {
    pub pc: usize,
    /// 1-based source line.
    pub line: usize,
    /// Slots it takes: 2 for an lddw, whose bytes are shown on two lines.
    pub slots: usize,
    pub bytes: String,
    pub text: String,
}

/// What the last load told about the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub log: String,
    /// Where each line of the log starts, and its end: the panel shows a window of a
    /// long log on every render, which then costs no scan of it.
    pub log_lines: Vec<usize>,
    pub rejection: Option<Rejection>,
    pub errno: Option<Errno>,
    pub explanation: Option<Explanation>,
    /// Abstract states seen before each instruction.
    pub states: Vec<Vec<AbstractState>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// Each instruction with its slot, in order. Shared between states, since every
    /// action clones the state; a listing row is formatted only when it is shown, so
    /// an edit of a long program costs no listing of it.
    pub insns: Rc<[(usize, Insn)]>,
    /// Source line of each slot.
    pub slot_lines: Vec<usize>,
    pub asm_error: Option<AsmError>,
    /// `None` for plain runs (no kernel, no verifier), for text that does not
    /// assemble, and before the first verification.
    pub verdict: Option<Rc<Verdict>>,
    /// The verdict is of the text before the last edit: verifying waits for typing to
    /// pause, and the panel says so meanwhile rather than show it as current.
    pub stale_verdict: bool,
    /// The text was typed into since this was assembled: assembling a long program on
    /// every key would cost the next frame, so it waits for typing to pause (or for
    /// any other action, which acts on the text as it is).
    pub stale_text: bool,
}

/// The offsets at which the lines of `log` start, then its length.
pub fn line_starts(log: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(log.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|start| *start < log.len())
        .chain(std::iter::once(log.len()))
        .collect()
}

impl Program {
    /// Assembles `source`; the verdict is left for the caller to fill in.
    pub fn assemble(source: &str) -> Program {
        match assemble(source, None) {
            Ok(Assembled { program, lines }) => Program {
                insns: program.insns().map(|(pc, insn)| (pc, *insn)).collect(),
                slot_lines: lines,
                ..Program::default()
            },
            Err(e) => Program {
                asm_error: Some(e),
                ..Program::default()
            },
        }
    }

    /// The slot of the first instruction of a source line.
    pub fn slot_of_line(&self, line: usize) -> Option<usize> {
        self.insns
            .iter()
            .map(|(pc, _)| *pc)
            .find(|pc| self.slot_lines.get(*pc) == Some(&line))
    }

    /// The listing's row of the `index`th instruction.
    pub fn listing_row(&self, index: usize) -> Option<ListingRow> {
        let (pc, insn) = self.insns.get(index)?;
        Some(ListingRow {
            pc: *pc,
            line: self.slot_lines.get(*pc).copied().unwrap_or(0),
            slots: insn.slots(),
            bytes: bpfplay_core::isa::spaced_hex(&insn_bytes(insn)),
            text: listing_text(insn),
        })
    }

    /// The indexes of the instructions that take any of `slots` (the listing shows
    /// slots, one line each; an lddw takes two).
    pub fn insns_in_slots(&self, slots: Range<usize>) -> Range<usize> {
        let first = self
            .insns
            .partition_point(|(pc, insn)| pc + insn.slots() <= slots.start);
        let end = self.insns.partition_point(|(pc, _)| *pc < slots.end);
        first..end.max(first)
    }

    /// The whole listing as text, one instruction a line (the Copy button's).
    pub fn listing_text(&self) -> String {
        (0..self.insns.len())
            .filter_map(|i| self.listing_row(i))
            .map(|row| format!("{:>4}: {}  {}\n", row.pc, row.bytes, row.text))
            .collect()
    }
}

/// An instruction as the listing shows it: LLVM syntax, with a helper call named
/// (`call bpf_map_lookup_elem`, as bpftool and the later kernels' logs name it; the
/// assembler reads it back) rather than numbered, when Linux 4.4 has that helper.
fn listing_text(insn: &Insn) -> String {
    let helper = match *insn {
        Insn::Call {
            kind: CallKind::Helper,
            imm,
        } => helpers::proto_of(imm),
        _ => None,
    };
    match helper {
        Some(helper) => format!("call bpf_{}", helper.name),
        None => format_insn(insn, Syntax::Llvm),
    }
}

/// The wire bytes of one instruction (both slots of an lddw).
fn insn_bytes(insn: &Insn) -> Vec<u8> {
    Bytecode::from_insns([*insn]).encode()
}
