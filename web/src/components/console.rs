use super::PanelProps;
use crate::state::{Action, ConsoleLine};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// trace_pipe output, perf samples, redirects and the command console.
#[component(Console)]
pub fn console(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let input = use_state(String::new);
    let on_input = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| input.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_submit = {
        let (ws, input) = (ws.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !input.trim().is_empty() {
                ws.dispatch(Action::Console((*input).clone()));
                input.set(String::new());
            }
        })
    };
    let engine = ws.engine.borrow();
    html! {
        <div class="console">
            <pre id="console-output">
                { for engine.console.iter().rev().take(200).rev().map(|l| match l {
                    ConsoleLine::Command(c) => html! { <div class="cmd">{ format!("> {c}") }</div> },
                    ConsoleLine::Output(o) => html! { <div>{ o }</div> },
                    ConsoleLine::Error(e) => html! { <div class="error">{ e }</div> },
                }) }
            </pre>
            <form onsubmit={on_submit}>
                <input id="console-input" value={(*input).clone()} oninput={on_input}
                       placeholder="map dump pinned /sys/fs/bpf/c   ·   fs ls /sys/fs/bpf   ·   prog load current /sys/fs/bpf/p type socket_filter" />
            </form>
        </div>
    }
}
