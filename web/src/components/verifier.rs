use super::PanelProps;
use crate::state::Action;
use yew::prelude::*;

/// The 4.4 verifier log; clicking an instruction line selects it in the listing. A
/// rejection is explained under the log.
#[component(VerifierPanel)]
pub fn verifier_panel(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let Some(v) = ws.verdict.as_ref() else {
        return html! { <div id="verifier" class="verifier idle">{ "The rfc9669 profile runs without the Linux 4.4 verifier." }</div> };
    };
    let lines = v.log.lines().map(|line| {
        let pc = line
            .split_once(':')
            .and_then(|(n, _)| n.trim().parse::<usize>().ok());
        let ws = ws.clone();
        let onclick = Callback::from(move |_| ws.dispatch(Action::Select(pc)));
        let class = if pc.is_some() {
            "logline insn"
        } else {
            "logline"
        };
        html! { <div class={class} {onclick}>{ line }</div> }
    });
    let verdict = match (&v.errno, &v.rejection) {
        (None, _) => html! { <p id="verdict" class="ok">{ "accepted" }</p> },
        (Some(e), _) => html! { <p id="verdict" class="error">{ format!("rejected: {e}") }</p> },
    };
    html! {
        <div id="verifier" class="verifier">
            { verdict }
            <pre class="log">{ for lines }</pre>
            if let Some(x) = v.explanation {
                <div id="explanation" class="explanation">
                    <p><strong>{ "What it means: " }</strong>{ x.meaning }</p>
                    <p><strong>{ "Usual fix: " }</strong>{ x.fix }</p>
                </div>
            }
        </div>
    }
}
