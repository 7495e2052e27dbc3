use super::bpffs::Bpffs;
use super::console::Console;
use super::editor::Editor;
use super::listing::Listing;
use super::maps::Maps;
use super::memory::MemoryView;
use super::registers::Registers;
use super::setup::SetupBar;
use super::tabs::Tabs;
use super::toolbar::Toolbar;
use super::verifier::VerifierPanel;
use super::workspace_bar::WorkspaceBar;
use crate::jit::JitHost;
use crate::jit_host::BrowserJit;
use crate::state::storage::{self, REPLACED_KEY, WORKSPACE_KEY};
use crate::state::{Action, Error, Notice, WorkspaceHandle};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Milliseconds of quiet typing before the verifier runs again.
const VERIFY_DELAY_MS: u32 = 400;

fn local_storage() -> Option<web_sys::Storage> {
    gloo::utils::window().local_storage().ok().flatten()
}

/// Stores `value` under `key` (or removes the key); says why not if the browser refuses.
fn store(key: &str, value: Option<String>) -> Result<(), Error> {
    let storage =
        local_storage().ok_or_else(|| Error::Storage(String::from("no local storage")))?;
    let result = match value {
        Some(value) => storage.set_item(key, &value),
        None => storage.remove_item(key),
    };
    result.map_err(|e| {
        let why = e.as_string().unwrap_or_else(|| format!("{e:?}"));
        Error::Storage(format!("the workspace was not saved ({why})"))
    })
}

/// The page as the address and storage give it; a link in the address is opened once,
/// then left out of the address so that a reload shows the autosave.
fn open_page() -> crate::state::Playground {
    let stored = |key| local_storage().and_then(|s| s.get_item(key).ok().flatten());
    let location = gloo::utils::window().location();
    let fragment = location.hash().unwrap_or_default();
    let playground = storage::open_page(stored(WORKSPACE_KEY), stored(REPLACED_KEY), &fragment);
    if storage::is_link(&fragment)
        && let Ok(history) = gloo::utils::window().history()
    {
        let page = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&page));
    }
    playground.set_jit_host(JitHost(Rc::new(BrowserJit)));
    playground
}

#[component(App)]
pub fn app() -> Html {
    let ws = use_reducer(open_page);
    let dark = use_state(|| true);

    // Autosave: the workspace document, whenever the workspace changes.
    {
        let dispatcher = ws.dispatcher();
        use_effect_with(ws.workspace().clone(), move |workspace| {
            if let Err(e) = store(WORKSPACE_KEY, Some(storage::stored_text(workspace))) {
                dispatcher.dispatch(Action::Notice(Some(Notice::from(e))));
            }
        });
    }
    // The workspace a link or file replaced outlives a reload.
    {
        let dispatcher = ws.dispatcher();
        use_effect_with(ws.replaced.clone(), move |replaced| {
            if let Err(e) = store(REPLACED_KEY, replaced.as_deref().map(storage::stored_text)) {
                dispatcher.dispatch(Action::Notice(Some(Notice::from(e))));
            }
        });
    }
    // Verify once typing pauses, off the typing path.
    {
        let ws = ws.clone();
        use_effect_with(ws.source().to_owned(), move |_| {
            let timer = Timeout::new(VERIFY_DELAY_MS, move || ws.dispatch(Action::Verify));
            move || drop(timer)
        });
    }
    // A long run goes on one slice per task, so that the page handles input between
    // slices (each slice changes the count, which schedules the next).
    {
        let ws = ws.clone();
        use_effect_with(ws.running(), move |running| {
            let timer = running.map(|_| Timeout::new(0, move || ws.dispatch(Action::RunSlice)));
            move || drop(timer)
        });
    }
    // DevTools keys: F8 run/continue, F10/F11 step, Shift+F11 step back.
    {
        let ws = ws.clone();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&gloo::utils::document(), "keydown", move |e| {
                    let Some(e) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) else {
                        return;
                    };
                    let action = match (e.key().as_str(), e.shift_key()) {
                        ("F8", _) => Some(Action::Continue),
                        ("F11", true) => Some(Action::StepBack),
                        ("F10" | "F11", false) => Some(Action::Step),
                        _ => None,
                    };
                    if let Some(action) = action {
                        e.prevent_default();
                        ws.dispatch(action);
                    }
                });
            move || drop(listener)
        });
    }
    let toggle_theme = {
        let dark = dark.clone();
        Callback::from(move |_| dark.set(!*dark))
    };
    let dismiss = super::dispatch(&ws, || Action::Notice(None));
    html! {
        <ContextProvider<WorkspaceHandle> context={ws.clone()}>
            <main id="app" class={if *dark { "dark" } else { "light" }}>
                <header>
                    <h1>{ "bpfplay" }</h1>
                    <span class="tagline">{ "Linux 4.4 eBPF: assemble, verify, run, step back" }</span>
                    <WorkspaceBar />
                    <button class="theme" onclick={toggle_theme}>{ if *dark { "☀ light" } else { "☾ dark" } }</button>
                </header>
                <SetupBar />
                <Toolbar />
                if let Some(notice) = &ws.notice {
                    <div id="notice" class={classes!("notice", notice.error.then_some("error"))} onclick={dismiss}>{ &notice.text }{ " ✕" }</div>
                }
                <div class="panes">
                    <section class="pane editor-pane"><h3>{ "Program" }</h3><Tabs /><Editor /></section>
                    <section class="pane"><h3>{ "Bytecode" }</h3><Listing /></section>
                    <section class="pane"><h3>{ "Registers" }</h3><Registers /></section>
                    <section class="pane"><h3>{ "Verifier (Linux 4.4)" }</h3><VerifierPanel /></section>
                    <section class="pane"><h3>{ "Memory" }</h3><MemoryView /></section>
                    <section class="pane"><h3>{ "Maps" }</h3><Maps /></section>
                    <section class="pane"><h3>{ "/sys/fs/bpf" }</h3><Bpffs /></section>
                    <section class="pane wide"><h3>{ "Output and console" }</h3><Console /></section>
                </div>
            </main>
        </ContextProvider<WorkspaceHandle>>
    }
}
