use crate::state::use_workspace;
use yew::prelude::*;

/// The /sys/fs/bpf tree with what each pin holds.
#[component(Bpffs)]
pub fn bpffs() -> Html {
    let ws = use_workspace();
    html! {
        <ul id="bpffs" class="bpffs">
            { for ws.bpffs().into_iter().map(|row| html! {
                <li style={format!("padding-left: {}em", row.depth)}>{ row.label }</li>
            }) }
        </ul>
    }
}
