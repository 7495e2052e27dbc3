use super::copy::CopyButton;
use crate::state::{Action, use_workspace};
use yew::prelude::*;

/// The 4.4 verifier log; clicking an instruction line selects it in the listing. A
/// rejection is explained under the log.
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
    html! {
        <div id="verifier" class="verifier">
            <div class="pane-actions"><CopyButton id="copy-verifier" text={copy_log} /></div>
            if let Some(errno) = &view.rejected {
                <p id="verdict" class="error">{ format!("rejected: {errno}") }</p>
            } else {
                <p id="verdict" class="ok">{ "accepted" }</p>
            }
            <pre class="log pane-text">{ for lines }</pre>
            if let Some((meaning, fix)) = view.explanation {
                <div id="explanation" class="explanation">
                    <p><strong>{ "What it means: " }</strong>{ meaning }</p>
                    <p><strong>{ "Usual fix: " }</strong>{ fix }</p>
                </div>
            }
        </div>
    }
}
