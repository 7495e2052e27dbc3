use super::command_input::CommandInput;
use super::console_lines::ConsoleLines;
use super::copy::CopyButton;
use crate::state::use_workspace;
use web_sys::Element;
use yew::prelude::*;

/// Lines of the console kept on the page (the console says when it leaves some out,
/// and Copy copies them all).
const SHOWN_LINES: usize = 2000;

/// How close to the bottom (in pixels) still counts as "at the end" for following.
const FOLLOW_SLACK_PX: i32 = 8;

/// trace_pipe output, perf samples, redirects, helper calls and the command console.
/// The output follows new lines unless the reader has scrolled up to read older ones.
#[component(Console)]
pub fn console() -> Html {
    let ws = use_workspace();
    let output = use_node_ref();
    let follow = use_mut_ref(|| true);
    let version = ws.console_version();
    let shown = {
        let ws = ws.clone();
        use_memo(version, move |_| ws.console_lines(SHOWN_LINES))
    };
    // Only when lines came: reading the scroll height makes the browser lay out the
    // console, which a render for anything else (a key typed) need not pay.
    {
        let (output, follow) = (output.clone(), follow.clone());
        use_effect_with(version, move |_| {
            if *follow.borrow()
                && let Some(el) = output.cast::<Element>()
            {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let on_scroll = {
        let output = output.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = output.cast::<Element>() {
                *follow.borrow_mut() =
                    el.scroll_top() + el.client_height() + FOLLOW_SLACK_PX >= el.scroll_height();
            }
        })
    };
    let copy_text = {
        let ws = ws.clone();
        Callback::from(move |()| {
            let (lines, _) = ws.console_lines(usize::MAX);
            lines.iter().map(|l| l.text() + "\n").collect::<String>()
        })
    };
    html! {
        <div class="console">
            <div class="pane-actions"><CopyButton id="copy-console" text={copy_text} /></div>
            <pre id="console-output" class="pane-text" ref={output} onscroll={on_scroll}>
                <ConsoleLines {shown} limit={SHOWN_LINES} />
            </pre>
            <CommandInput id="console-input"
                placeholder="help   ·   fs ls /sys/fs/bpf   ·   prog load answer.s /sys/fs/bpf/answer type socket_filter   (↑ history, Tab completes)" />
        </div>
    }
}
