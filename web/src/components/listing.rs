use super::copy::CopyButton;
use crate::state::{Action, ListingRow, use_workspace};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct RowProps {
    row: ListingRow,
    breakpoint: bool,
    selected: bool,
    on_click: Callback<usize>,
}

/// One instruction; re-rendered only when its own props change.
#[component(Row)]
fn row(p: &RowProps) -> Html {
    let mut class = classes!("row");
    if p.breakpoint {
        class.push("bp");
    }
    if p.selected {
        class.push("selected");
    }
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

/// Bytecode and disassembly side by side; click an instruction to toggle a breakpoint.
/// The rows are built only when the program, breakpoints or selection change; the
/// current instruction is marked by a one-line style, so a step costs O(1) here.
#[component(Listing)]
pub fn listing() -> Html {
    let ws = use_workspace();
    let current = ws.current_pc();
    let rows = {
        let ws = ws.clone();
        use_memo(
            (
                ws.program.listing.clone(),
                ws.tab().breakpoints.clone(),
                ws.selected,
            ),
            move |(listing, breakpoints, selected)| {
                let on_click = Callback::from(move |pc| ws.dispatch(Action::ToggleBreakpoint(pc)));
                listing
                .iter()
                .map(|row| html! {
                    <Row key={row.pc} row={row.clone()} breakpoint={breakpoints.contains(&row.pc)}
                         selected={*selected == Some(row.pc)} on_click={on_click.clone()} />
                })
                .collect::<Html>()
            },
        )
    };
    let highlight = current
        .map(|pc| format!("#insn-{pc} {{ background: var(--hl); }}"))
        .unwrap_or_default();
    let copy_listing = {
        let ws = ws.clone();
        Callback::from(move |()| {
            ws.program
                .listing
                .iter()
                .map(|row| format!("{:>4}: {}  {}\n", row.pc, row.bytes, row.text))
                .collect::<String>()
        })
    };
    html! {
        <div id="listing" class="listing pane-text">
            <div class="pane-actions"><CopyButton id="copy-listing" text={copy_listing} /></div>
            <style>{ highlight }</style>
            { (*rows).clone() }
        </div>
    }
}
