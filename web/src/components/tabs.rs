use super::dispatch;
use crate::state::{Action, use_workspace};
use yew::prelude::*;

/// The workspace's programs: one tab each, `+` adds a copy of the active one.
/// Tab names are what `prog load NAME` accepts in the console.
#[component(Tabs)]
pub fn tabs() -> Html {
    let ws = use_workspace();
    let workspace = ws.workspace().clone();
    let closable = workspace.tabs.len() > 1;
    html! {
        <nav class="tabs" role="tablist">
            { for workspace.tabs.iter().enumerate().map(|(i, tab)| {
                let active = i == workspace.active;
                html! {
                    <span class={classes!("tab", active.then_some("active"))} role="tab" aria-selected={active.to_string()}>
                        <button class="tab-name" title={format!("console: prog load {}", tab.name)}
                            onclick={dispatch(&ws, move || Action::SwitchTab(i))}>{ &tab.name }</button>
                        if closable {
                            <button class="tab-close" title={format!("close {}", tab.name)}
                                onclick={dispatch(&ws, move || Action::CloseTab(i))}>{ "×" }</button>
                        }
                    </span>
                }
            }) }
            <button id="new-tab" class="tab-new" title="new program (a copy of this one)"
                onclick={dispatch(&ws, || Action::NewTab)}>{ "+" }</button>
        </nav>
    }
}
