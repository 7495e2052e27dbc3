use crate::state::completion::complete;
use crate::state::{Action, use_workspace};
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommandInputProps {
    pub id: AttrValue,
    pub placeholder: AttrValue,
    #[prop_or_default]
    pub button: Option<AttrValue>,
}

/// A one-line form that sends a bpftool-style command to the console, with a shell's
/// keys: ArrowUp/ArrowDown walk the commands run before, Tab completes the word being
/// typed (commands, keywords, paths under /sys/fs/bpf) and lists the choices when
/// several remain.
#[component(CommandInput)]
pub fn command_input(props: &CommandInputProps) -> Html {
    let ws = use_workspace();
    let text = use_state(String::new);
    // Where ArrowUp has taken the line in the history (None: the line being typed),
    // and that line, to come back to.
    let position = use_state(|| None::<usize>);
    let draft = use_mut_ref(String::new);
    let choices = use_state(Vec::<String>::new);
    let on_input = {
        let (text, position, choices) = (text.clone(), position.clone(), choices.clone());
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlInputElement>().value());
            position.set(None);
            choices.set(Vec::new());
        })
    };
    let on_keydown = {
        let (ws, text, position, choices) =
            (ws.clone(), text.clone(), position.clone(), choices.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() || e.alt_key() || e.meta_key() {
                return;
            }
            match e.key().as_str() {
                "ArrowUp" | "ArrowDown" => {
                    let history = ws.console_history();
                    let up = e.key() == "ArrowUp";
                    let next = match (*position, up) {
                        (None, true) => history.len().checked_sub(1),
                        (Some(i), true) => Some(i.saturating_sub(1)),
                        (Some(i), false) if i + 1 < history.len() => Some(i + 1),
                        (_, false) => None,
                    }
                    // The history can shrink under the walk (another workspace opened).
                    .filter(|&i| i < history.len());
                    if position.is_none() && next.is_some() {
                        *draft.borrow_mut() = (*text).clone();
                    }
                    if next.is_some() || position.is_some() {
                        e.prevent_default();
                        text.set(
                            next.map_or_else(|| draft.borrow().clone(), |i| history[i].clone()),
                        );
                        position.set(next);
                    }
                }
                // Tab on an empty line leaves the field, as Tab does elsewhere.
                "Tab" if !e.shift_key() && !text.is_empty() => {
                    e.prevent_default();
                    let completion = complete(&text, &ws.bpffs_paths());
                    text.set(completion.line);
                    choices.set(completion.choices);
                }
                _ => {}
            }
        })
    };
    let on_submit = {
        let (text, position, choices) = (text.clone(), position.clone(), choices.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if !text.trim().is_empty() {
                ws.dispatch(Action::Console((*text).clone()));
                text.set(String::new());
                position.set(None);
                choices.set(Vec::new());
            }
        })
    };
    html! {
        <form onsubmit={on_submit}>
            <input id={props.id.clone()} value={(*text).clone()} oninput={on_input} onkeydown={on_keydown}
                   placeholder={props.placeholder.clone()} autocomplete="off" spellcheck="false" />
            if let Some(label) = &props.button { <button type="submit">{ label }</button> }
            if !choices.is_empty() {
                <div class="hint completions">{ choices.join("  ") }</div>
            }
        </form>
    }
}
