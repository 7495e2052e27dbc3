use crate::state::use_workspace;
use yew::prelude::*;

/// r0..r10 in hex, unsigned and signed; what the last step changed is highlighted with
/// its previous value, and the verifier's view of each register at this instruction is
/// shown beside it.
#[component(Registers)]
pub fn registers() -> Html {
    let ws = use_workspace();
    let Some(view) = ws.registers() else {
        return html! { <div id="registers" class="registers idle">{ "Run or step to see registers." }</div> };
    };
    let rows = view.rows.into_iter().map(|row| {
        let class = if row.was.is_some() {
            "reg changed"
        } else {
            "reg"
        };
        html! {
            <tr class={class} id={format!("reg-r{}", row.index)}>
                <th>{ format!("r{}", row.index) }</th>
                <td class="hex">{ row.hex }</td>
                <td class="dec">{ row.unsigned }</td>
                <td class="dec">{ row.signed }</td>
                <td class="was">{ row.was.unwrap_or_default() }</td>
                <td class="verifier">{ row.verifier }</td>
            </tr>
        }
    });
    html! {
        <div id="registers" class="registers">
            <table>
                <thead><tr><th/><th>{ "hex" }</th><th>{ "unsigned" }</th><th>{ "signed" }</th><th>{ "before" }</th><th>{ "verifier" }</th></tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <p id="counter">{ view.counter }</p>
        </div>
    }
}
