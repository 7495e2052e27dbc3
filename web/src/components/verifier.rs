use super::copy::CopyButton;
use super::virtual_list::VirtualList;
use crate::state::view::{LogLine, VerdictState};
use crate::state::{Action, use_workspace};
use std::ops::Range;
use yew::prelude::*;

/// The 4.4 verifier's verdict for the current text, headed by its message; a
/// rejection's explanation comes next, above the log, so that the reason is in view.
/// The log is a virtual list (only the lines in view are built); clicking an
/// instruction line of it selects the instruction in the listing.
#[component(VerifierPanel)]
pub fn verifier_panel() -> Html {
    let ws = use_workspace();
    let Some(view) = ws.verifier() else {
        return html! { <div id="verifier" class="verifier idle">{ "The plain VM runs without the Linux 4.4 verifier." }</div> };
    };
    let render = {
        let (ws, log) = (ws.clone(), view.log.clone());
        Callback::from(move |lines: Range<usize>| {
            let first = lines.start;
            let rows = log
                .lines(lines)
                .into_iter()
                .map(|LogLine { text, pc }| {
                    let ws = ws.clone();
                    let onclick = Callback::from(move |_| ws.dispatch(Action::Select(pc)));
                    let class = if pc.is_some() {
                        "logline insn"
                    } else {
                        "logline"
                    };
                    html! { <div {class} {onclick}>{ text }</div> }
                })
                .collect::<Html>();
            (first, rows)
        })
    };
    let copy_log = {
        let log = view.log.clone();
        Callback::from(move |()| log.text().to_owned())
    };
    let class = match view.state {
        VerdictState::Accepted => "ok",
        VerdictState::Rejected | VerdictState::NotAssembled => "error",
        VerdictState::Verifying => "pending",
    };
    html! {
        <div id="verifier" class="verifier">
            <div class="pane-actions"><CopyButton id="copy-verifier" text={copy_log.clone()} /></div>
            <p id="verdict" class={class}>{ view.headline }</p>
            if let Some((meaning, fix)) = view.explanation {
                <div id="explanation" class="explanation">
                    <p><strong>{ "What it means: " }</strong>{ meaning }</p>
                    <p><strong>{ "Usual fix: " }</strong>{ fix }</p>
                </div>
            }
            <VirtualList class={classes!("log", (view.state == VerdictState::Verifying).then_some("stale"))}
                         len={view.log.len()} {render} text={copy_log} />
        </div>
    }
}
