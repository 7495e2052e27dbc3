use super::output::OutputPanel;
use crate::examples::EXAMPLES;
use crate::state::{Action, Playground};
use bpfplay_core::isa::Profile;
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

#[component(App)]
pub fn app() -> Html {
    let state = use_reducer(Playground::default);
    let on_source = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.dispatch(Action::Edit(e.target_unchecked_into::<HtmlTextAreaElement>().value())))
    };
    let on_memory = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.dispatch(Action::EditMemory(e.target_unchecked_into::<web_sys::HtmlInputElement>().value())))
    };
    let on_example = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let index = e.target_unchecked_into::<HtmlSelectElement>().selected_index();
            state.dispatch(Action::LoadExample(index.max(0) as usize));
        })
    };
    let on_profile = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(p) = Profile::from_name(&name) {
                state.dispatch(Action::SetProfile(p));
            }
        })
    };
    let on_run = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Run))
    };
    html! {
        <main id="app">
            <header>
                <h1>{ "bpfplay" }</h1>
                <span class="tagline">{ "Linux 4.4 eBPF, in your browser" }</span>
            </header>
            <section class="controls">
                <label>{ "Example " }
                    <select id="example" onchange={on_example}>
                        { for EXAMPLES.iter().map(|e| html! { <option>{ e.name }</option> }) }
                    </select>
                </label>
                <label>{ "Profile " }
                    <select id="profile" onchange={on_profile}>
                        { for Profile::ALL.iter().map(|p| html! {
                            <option value={p.name()} selected={*p == state.profile}>{ p.name() }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Memory (r1) " }
                    <input id="memory" value={state.memory.clone()} oninput={on_memory} placeholder="hex bytes" />
                </label>
                <button id="run" onclick={on_run}>{ "Run" }</button>
            </section>
            <section class="panes">
                <textarea id="source" spellcheck="false" value={state.source.clone()} oninput={on_source} />
                <OutputPanel listing={state.listing.clone()} outcome={state.outcome.clone()} />
            </section>
        </main>
    }
}
