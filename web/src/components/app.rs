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
use crate::jit::JitHost;
use crate::jit_host::BrowserJit;
use crate::state::Action;
use crate::storage;
use gloo::storage::{LocalStorage, Storage};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use yew::prelude::*;

/// Milliseconds of quiet typing before the verifier runs again.
const VERIFY_DELAY_MS: u32 = 400;

#[component(App)]
pub fn app() -> Html {
    let ws = use_reducer(|| {
        let saved = LocalStorage::get::<String>(storage::WORKSPACE_KEY).ok();
        let source = LocalStorage::get::<String>(storage::SOURCE_KEY).ok();
        let workspace = storage::restore_or_default(saved, source);
        workspace.engine.borrow_mut().jit_host = Some(JitHost(Rc::new(BrowserJit)));
        workspace
    });
    let dark = use_state(|| true);

    // Autosave: the program text on its own, and the whole workspace.
    {
        let ws = ws.clone();
        use_effect_with(ws.version, move |_| {
            let _ = LocalStorage::set(storage::SOURCE_KEY, ws.source().to_owned());
            let _ = LocalStorage::set(storage::WORKSPACE_KEY, storage::save(&ws));
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
    let dismiss = {
        let ws = ws.clone();
        Callback::from(move |_| ws.dispatch(Action::Notice(None)))
    };
    html! {
        <main id="app" class={if *dark { "dark" } else { "light" }}>
            <header>
                <h1>{ "bpfplay" }</h1>
                <span class="tagline">{ "Linux 4.4 eBPF: assemble, verify, run, step back" }</span>
                <button class="theme" onclick={toggle_theme}>{ if *dark { "☀ light" } else { "☾ dark" } }</button>
            </header>
            <SetupBar ws={ws.clone()} />
            <Toolbar ws={ws.clone()} />
            if let Some(notice) = &ws.notice {
                <div id="notice" class="notice" onclick={dismiss}>{ notice }{ " ✕" }</div>
            }
            <div class="panes">
                <section class="pane editor-pane"><h3>{ "Program" }</h3><Tabs ws={ws.clone()} /><Editor ws={ws.clone()} /></section>
                <section class="pane"><h3>{ "Bytecode" }</h3><Listing ws={ws.clone()} /></section>
                <section class="pane"><h3>{ "Registers" }</h3><Registers ws={ws.clone()} /></section>
                <section class="pane"><h3>{ "Verifier (Linux 4.4)" }</h3><VerifierPanel ws={ws.clone()} /></section>
                <section class="pane"><h3>{ "Memory" }</h3><MemoryView ws={ws.clone()} /></section>
                <section class="pane"><h3>{ "Maps" }</h3><Maps ws={ws.clone()} /></section>
                <section class="pane"><h3>{ "/sys/fs/bpf" }</h3><Bpffs ws={ws.clone()} /></section>
                <section class="pane wide"><h3>{ "Output and console" }</h3><Console ws={ws.clone()} /></section>
            </div>
        </main>
    }
}
