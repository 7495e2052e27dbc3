use super::PanelProps;
use yew::prelude::*;

/// r0..r10 in hex, unsigned and signed; what the last step changed is highlighted with
/// its previous value, and the verifier's view of each register at this instruction is
/// shown beside it.
#[component(Registers)]
pub fn registers(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let engine = ws.engine.borrow();
    let Some(run) = engine.run.as_ref() else {
        return html! { <div id="registers" class="registers idle">{ "Run or step to see registers." }</div> };
    };
    let vm = run.vm();
    let changed = engine
        .history
        .last()
        .map(|s| s.regs.clone())
        .unwrap_or_default();
    let abstract_state = ws
        .verdict
        .as_ref()
        .and_then(|v| v.states.get(vm.pc()))
        .and_then(|s| s.first());
    let rows = vm.regs().iter().enumerate().map(|(i, v)| {
        let change = changed.iter().find(|c| c.reg.index() == i);
        let class = if change.is_some() {
            "reg changed"
        } else {
            "reg"
        };
        let was = change
            .map(|c| format!("was {:#x}", c.old))
            .unwrap_or_default();
        let verifier = abstract_state
            .map(|s| s.regs[i].to_string())
            .filter(|t| t != "?")
            .unwrap_or_default();
        html! {
            <tr class={class} id={format!("reg-r{i}")}>
                <th>{ format!("r{i}") }</th>
                <td class="hex">{ format!("{v:#018x}") }</td>
                <td class="dec">{ v.to_string() }</td>
                <td class="dec">{ (*v as i64).to_string() }</td>
                <td class="was">{ was }</td>
                <td class="verifier">{ verifier }</td>
            </tr>
        }
    });
    html! {
        <div id="registers" class="registers">
            <table>
                <thead><tr><th/><th>{ "hex" }</th><th>{ "unsigned" }</th><th>{ "signed" }</th><th>{ "before" }</th><th>{ "verifier" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <p id="counter">{ format!("{} instruction{} executed, pc = {}", vm.executed(), if vm.executed() == 1 { "" } else { "s" }, vm.pc()) }</p>
        </div>
    }
}
