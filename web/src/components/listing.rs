use super::PanelProps;
use crate::state::{Action, ListingRow};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct RowProps {
    row: ListingRow,
    current: bool,
    breakpoint: bool,
    selected: bool,
    on_click: Callback<usize>,
}

/// One instruction; re-rendered only when its own props change.
#[component(Row)]
fn row(p: &RowProps) -> Html {
    let mut class = classes!("row");
    if p.current { class.push("current"); }
    if p.breakpoint { class.push("bp"); }
    if p.selected { class.push("selected"); }
    let pc = p.row.pc;
    let onclick = p.on_click.reform(move |_| pc);
    html! {
        <div {class} {onclick} title={format!("source line {}", p.row.line)}>
            <span class="pc">{ format!("{:>4}", p.row.pc) }</span>
            <span class="bytes">{ &p.row.bytes }</span>
            <span class="text">{ &p.row.text }</span>
        </div>
    }
}

/// Bytecode and disassembly side by side; click an instruction to toggle a breakpoint.
#[component(Listing)]
pub fn listing(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let current = ws.engine.borrow().run.as_ref().map(|r| r.vm().pc());
    let on_click = {
        let ws = ws.clone();
        Callback::from(move |pc| ws.dispatch(Action::ToggleBreakpoint(pc)))
    };
    html! {
        <div id="listing" class="listing">
            { for ws.listing.iter().map(|row| html! {
                <Row key={row.pc} row={row.clone()} current={Some(row.pc) == current}
                     breakpoint={ws.breakpoints.contains(&row.pc)} selected={ws.selected == Some(row.pc)}
                     on_click={on_click.clone()} />
            }) }
        </div>
    }
}
