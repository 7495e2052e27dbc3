use crate::state::{Action, use_workspace};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandInputProps {
    pub id: AttrValue,
    pub placeholder: AttrValue,
    #[prop_or_default]
    pub button: Option<AttrValue>,
}

/// A one-line form that sends a bpftool-style command to the console.
#[component(CommandInput)]
pub fn command_input(props: &CommandInputProps) -> Html {
    let ws = use_workspace();
    let text = use_state(String::new);
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_submit = {
        let text = text.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !text.trim().is_empty() {
                ws.dispatch(Action::Console((*text).clone()));
                text.set(String::new());
            }
        })
    };
    html! {
        <form onsubmit={on_submit}>
            <input id={props.id.clone()} value={(*text).clone()} oninput={on_input} placeholder={props.placeholder.clone()} />
            if let Some(label) = &props.button { <button type="submit">{ label }</button> }
        </form>
    }
}
