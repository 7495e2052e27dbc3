use super::command_input::CommandInput;
use crate::state::{ConsoleLine, use_workspace};
use yew::prelude::*;

/// Lines of the console kept on the page.
const SHOWN_LINES: usize = 200;

/// trace_pipe output, perf samples, redirects, helper calls and the command console.
#[component(Console)]
pub fn console() -> Html {
    let ws = use_workspace();
    html! {
        <div class="console">
            <pre id="console-output">
                { for ws.console_lines(SHOWN_LINES).into_iter().map(|l| match l {
                    ConsoleLine::Command(c) => html! { <div class="cmd">{ format!("> {c}") }</div> },
                    ConsoleLine::Output(o) => html! { <div>{ o }</div> },
                    ConsoleLine::Error(e) => html! { <div class="error">{ e }</div> },
                }) }
            </pre>
            <CommandInput id="console-input"
                placeholder="map dump pinned /sys/fs/bpf/c   ·   fs ls /sys/fs/bpf   ·   prog load current /sys/fs/bpf/p type socket_filter" />
        </div>
    }
}
