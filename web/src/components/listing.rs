use super::copy::CopyButton;
use super::virtual_list::VirtualList;
use crate::state::{Action, ListingRow, use_workspace};
use std::ops::Range;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct RowProps {
    row: ListingRow,
    breakpoint: bool,
    selected: bool,
    on_click: Callback<usize>,
}

/// One instruction, one line per slot (an lddw's 16 bytes take two).
#[component(Row)]
fn row(p: &RowProps) -> Html {
    let class = classes!(
        "row",
        (p.row.slots == 2).then_some("two-slots"),
        p.breakpoint.then_some("bp"),
        p.selected.then_some("selected"),
    );
    let pc = p.row.pc;
    let onclick = p.on_click.reform(move |_| pc);
    html! {
        <div {class} {onclick} id={format!("insn-{pc}")} title={format!("source line {}", p.row.line)}>
            <span class="pc">{ format!("{:>4}", p.row.pc) }</span>
            <span class="bytes">{ &p.row.bytes }</span>
            <span class="text">{ &p.row.text }</span>
        </div>
    }
}

/// Bytecode and disassembly side by side, one line per slot; click an instruction to
/// toggle a breakpoint. Only the rows in view are built (a virtual list); the current
/// instruction is marked by a one-line style and scrolled into view, as is the one
/// selected in the verifier log.
#[component(Listing)]
pub fn listing() -> Html {
    let ws = use_workspace();
    let current = ws.current_pc();
    let render = {
        let ws = ws.clone();
        Callback::from(move |slots: Range<usize>| {
            let program = &ws.program;
            let insns = program.insns_in_slots(slots);
            let first_slot = program.insns.get(insns.start).map_or(0, |(pc, _)| *pc);
            let breakpoints = &ws.tab().breakpoints;
            let on_click = {
                let ws = ws.clone();
                Callback::from(move |pc| ws.dispatch(Action::ToggleBreakpoint(pc)))
            };
            let rows = insns
                .filter_map(|i| program.listing_row(i))
                .map(|row| {
                    let pc = row.pc;
                    html! {
                        <Row key={pc} breakpoint={breakpoints.contains(&pc)}
                             selected={ws.selected == Some(pc)} on_click={on_click.clone()} {row} />
                    }
                })
                .collect::<Html>();
            (first_slot, rows)
        })
    };
    let highlight = current
        .map(|pc| format!("#insn-{pc} {{ background: var(--hl); }}"))
        .unwrap_or_default();
    let copy_listing = {
        let ws = ws.clone();
        Callback::from(move |()| ws.program.listing_text())
    };
    html! {
        <div id="listing" class="listing">
            <div class="pane-actions"><CopyButton id="copy-listing" text={copy_listing.clone()} /></div>
            <style>{ highlight }</style>
            <VirtualList len={ws.program.slot_lines.len()} {render} reveal={current.or(ws.selected)}
                         text={copy_listing} />
        </div>
    }
}
