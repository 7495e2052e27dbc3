use crate::state::Outcome;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OutputProps {
    pub listing: Vec<(usize, String)>,
    pub outcome: Outcome,
}

#[component(OutputPanel)]
pub fn output_panel(props: &OutputProps) -> Html {
    let result = match &props.outcome {
        Outcome::NotRun => html! { <p id="result" class="idle">{ "Press Run." }</p> },
        Outcome::Exited { r0, executed, note } => html! {
            <>
                <p id="result" class="ok">{ format!("r0 = {r0:#x} ({r0})") }</p>
                <p id="executed">{ format!("{executed} instructions executed") }</p>
                if let Some(note) = note { <p class="note">{ note }</p> }
            </>
        },
        Outcome::Failed(message) => html! { <p id="result" class="error">{ message }</p> },
    };
    html! {
        <div class="output">
            { result }
            <pre id="listing">
                { for props.listing.iter().map(|(pc, text)| html! { <div>{ format!("{pc:>4}: {text}") }</div> }) }
            </pre>
        </div>
    }
}
