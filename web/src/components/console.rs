use super::PanelProps;
use super::command_input::CommandInput;
use crate::state::ConsoleLine;
use yew::prelude::*;

/// trace_pipe output, perf samples, redirects, helper calls and the command console.
#[component(Console)]
pub fn console(props: &PanelProps) -> Html {
    let ws = &props.ws;
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
            <CommandInput ws={ws.clone()} id="console-input"
                placeholder="map dump pinned /sys/fs/bpf/c   ·   fs ls /sys/fs/bpf   ·   prog load current /sys/fs/bpf/p type socket_filter" />
        </div>
    }
}
