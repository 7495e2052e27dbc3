use super::copy::CopyButton;
use crate::state::view::VerdictState;
use crate::state::{Action, use_workspace};
use yew::prelude::*;

/// The 4.4 verifier's verdict for the current text, headed by its message; a
/// rejection's explanation comes next, above the log, so that the reason is in view.
/// Clicking an instruction line of the log selects it in the listing.
#[component(VerifierPanel)]
pub fn verifier_panel() -> Html {
    let ws = use_workspace();
    let Some(view) = ws.verifier() else {
        return html! { <div id="verifier" class="verifier idle">{ "The plain VM runs without the Linux 4.4 verifier." }</div> };
    };
    let lines = view.lines.into_iter().map(|(line, pc)| {
        let ws = ws.clone();
        let onclick = Callback::from(move |_| ws.dispatch(Action::Select(pc)));
        let class = if pc.is_some() {
            "logline insn"
        } else {
            "logline"
        };
        html! { <div class={class} {onclick}>{ line }</div> }
    });
    let copy_log = {
        let ws = ws.clone();
        Callback::from(move |()| {
            ws.program
                .verdict
                .as_ref()
                .map(|v| v.log.clone())
                .unwrap_or_default()
        })
    };
    let class = match view.state {
        VerdictState::Accepted => "ok",
        VerdictState::Rejected | VerdictState::NotAssembled => "error",
        VerdictState::Verifying => "pending",
    };
    html! {
        <div id="verifier" class="verifier">
            <div class="pane-actions"><CopyButton id="copy-verifier" text={copy_log} /></div>
            <p id="verdict" class={class}>{ view.headline }</p>
            if let Some((meaning, fix)) = view.explanation {
                <div id="explanation" class="explanation">
                    <p><strong>{ "What it means: " }</strong>{ meaning }</p>
                    <p><strong>{ "Usual fix: " }</strong>{ fix }</p>
                </div>
            }
            <pre class={classes!("log", "pane-text", (view.state == VerdictState::Verifying).then_some("stale"))}>{ for lines }</pre>
        </div>
    }
}
