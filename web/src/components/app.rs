use super::bpffs::Bpffs;
use super::console::Console;
use super::editor::Editor;
use super::intro::Intro;
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
use crate::state::preferences::PREFERENCES_KEY;
use crate::state::storage::{self, REPLACED_KEY, WORKSPACE_KEY};
use crate::state::{Action, Error, Notice, Offer, Theme, WorkspaceHandle, keys};
use gloo::timers::callback::Timeout;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// Milliseconds of quiet typing before the verifier runs again.
const VERIFY_DELAY_MS: u32 = 400;
/// Milliseconds of quiet typing before the workspace is saved.
const SAVE_DELAY_MS: u32 = 400;

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
    let playground = storage::open_page(
        stored(WORKSPACE_KEY),
        stored(REPLACED_KEY),
        stored(PREFERENCES_KEY),
        &fragment,
    );
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

/// Whether the system prefers a light colour scheme, following its changes.
#[hook]
fn use_system_light() -> bool {
    let query = use_memo((), |_| {
        gloo::utils::window()
            .match_media("(prefers-color-scheme: light)")
            .ok()
            .flatten()
    });
    let light = use_state(|| query.as_ref().as_ref().is_some_and(|q| q.matches()));
    {
        let light = light.clone();
        use_effect_with(query, move |query| {
            let listener = query.as_ref().as_ref().map(|q| {
                let changed = q.clone();
                gloo::events::EventListener::new(q, "change", move |_| light.set(changed.matches()))
            });
            move || drop(listener)
        });
    }
    *light
}

/// Ctrl+A (Cmd+A) in a pane selects that pane's text (its `.pane-text` when it has one)
/// instead of the whole page; fields and the editor keep their own Ctrl+A.
#[hook]
fn use_pane_select_all() {
    use_effect_with((), |_| {
        let options = gloo::events::EventListenerOptions::enable_prevent_default();
        let listener = gloo::events::EventListener::new_with_options(
            &gloo::utils::document(),
            "keydown",
            options,
            |e| {
                let Some(e) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) else {
                    return;
                };
                if !(e.ctrl_key() || e.meta_key()) || !e.key().eq_ignore_ascii_case("a") {
                    return;
                }
                let Some(target) = e
                    .target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
                else {
                    return;
                };
                let own_select_all =
                    matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        || target.is_content_editable();
                if own_select_all {
                    return;
                }
                let Some(pane) = target.closest(".pane").ok().flatten() else {
                    return;
                };
                let text = pane
                    .query_selector(".pane-text")
                    .ok()
                    .flatten()
                    .unwrap_or(pane);
                if let Ok(Some(selection)) = gloo::utils::window().get_selection() {
                    e.prevent_default();
                    let _ = selection.select_all_children(&text);
                }
            },
        );
        move || drop(listener)
    });
}

#[component(App)]
pub fn app() -> Html {
    let ws = use_reducer(open_page);
    let system_light = use_system_light();

    // Autosave: the workspace document whenever it changes; typing is saved once it
    // pauses (writing a long program out on every key would cost the next frame), or
    // at once if the page is left first.
    {
        let dispatcher = ws.dispatcher();
        let typing = ws.program.stale_text;
        use_effect_with(ws.workspace().clone(), move |workspace| {
            let unsaved = Rc::new(std::cell::Cell::new(Some(workspace.clone())));
            let save = move || {
                if let Some(workspace) = unsaved.take()
                    && let Err(e) = store(WORKSPACE_KEY, Some(storage::stored_text(&workspace)))
                {
                    dispatcher.dispatch(Action::Notice(Some(Notice::from(e))));
                }
            };
            let left = {
                let save = save.clone();
                gloo::events::EventListener::new(&gloo::utils::window(), "pagehide", move |_| {
                    save()
                })
            };
            let timer = match typing {
                true => Some(Timeout::new(SAVE_DELAY_MS, save)),
                false => {
                    save();
                    None
                }
            };
            move || drop((timer, left))
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
    // The preferences, whenever they change.
    {
        let dispatcher = ws.dispatcher();
        use_effect_with(ws.preferences.clone(), move |preferences| {
            if let Err(e) = store(PREFERENCES_KEY, Some(preferences.stored_text())) {
                dispatcher.dispatch(Action::Notice(Some(Notice::from(e))));
            }
        });
    }
    use_pane_select_all();
    // Verify once typing pauses, off the typing path (a paste is verified at once).
    {
        let ws = ws.clone();
        use_effect_with(
            (ws.source().to_owned(), ws.verify_pending()),
            move |(_, pending)| {
                let timer = pending
                    .then(|| Timeout::new(VERIFY_DELAY_MS, move || ws.dispatch(Action::Verify)));
                move || drop(timer)
            },
        );
    }
    // A long run or batch goes on one slice per task, so that the page handles input
    // between slices (each slice changes a count, which schedules the next).
    {
        let ws = ws.clone();
        use_effect_with((ws.running(), ws.batch()), move |progress| {
            let timer = (progress.0.is_some() || progress.1.is_some())
                .then(|| Timeout::new(0, move || ws.dispatch(Action::RunSlice)));
            move || drop(timer)
        });
    }
    // The shortcuts of state::keys, taken in the capture phase by a listener that may
    // prevent defaults (gloo's are passive by default): F11 does not toggle fullscreen
    // and Ctrl+Enter reaches no editor.
    {
        let ws = ws.clone();
        use_effect_with((), move |_| {
            let options = gloo::events::EventListenerOptions {
                phase: gloo::events::EventListenerPhase::Capture,
                passive: false,
            };
            let listener = gloo::events::EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                options,
                move |e| {
                    let Some(e) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) else {
                        return;
                    };
                    let ctrl_or_cmd = e.ctrl_key() || e.meta_key();
                    if let Some(action) = keys::shortcut(&e.key(), e.shift_key(), ctrl_or_cmd) {
                        e.prevent_default();
                        e.stop_propagation();
                        ws.dispatch(action);
                    }
                },
            );
            move || drop(listener)
        });
    }
    let theme = ws.preferences.theme(system_light);
    let toggle_theme = super::dispatch(&ws, move || Action::SetTheme(theme.other()));
    let dismiss = super::dispatch(&ws, || Action::Notice(None));
    html! {
        <ContextProvider<WorkspaceHandle> context={ws.clone()}>
            <main id="app" class={theme.class()}>
                <header>
                    <h1>{ "bpfplay" }</h1>
                    <span class="tagline">{ "Linux 4.4 eBPF: assemble, verify, run, step back" }</span>
                    <WorkspaceBar />
                    <button id="theme" class="theme" onclick={toggle_theme}>{ match theme {
                        Theme::Dark => "☀ light",
                        Theme::Light => "☾ dark",
                    } }</button>
                    <button id="intro-open" class="help" title="Introduction and shortcuts"
                            onclick={super::dispatch(&ws, || Action::ShowIntro(true))}>{ "?" }</button>
                </header>
                <Intro />
                <SetupBar />
                <Toolbar />
                if let Some(notice) = &ws.notice {
                    <div id="notice" class={classes!("notice", notice.error.then_some("error"))} onclick={dismiss}>
                        { &notice.text }
                        if notice.offer == Some(Offer::RunUnverified) {
                            <button id="run-unverified" class="offer" onclick={super::dispatch(&ws, || Action::RunUnverified)}>{ "Run in the plain VM" }</button>
                        }
                        { " ✕" }
                    </div>
                }
                <div class="panes">
                    <section tabindex="-1" class="pane program"><h3>{ "Program" }</h3><Tabs /><Editor /></section>
                    <section tabindex="-1" class="pane bytecode"><h3>{ "Bytecode" }</h3><Listing /></section>
                    <section tabindex="-1" class="pane registers-pane"><h3>{ "Registers" }</h3><Registers /></section>
                    <section tabindex="-1" class="pane verifier-pane"><h3>{ "Verifier (Linux 4.4)" }</h3><VerifierPanel /></section>
                    <section tabindex="-1" class="pane memory-pane"><h3>{ "Memory" }</h3><MemoryView /></section>
                    <section tabindex="-1" class="pane maps-pane"><h3>{ "Maps" }</h3><Maps /></section>
                    <section tabindex="-1" class="pane bpffs-pane"><h3>{ "/sys/fs/bpf" }</h3><Bpffs /></section>
                    <section tabindex="-1" class="pane console-pane"><h3>{ "Output and console" }</h3><Console /></section>
                </div>
            </main>
        </ContextProvider<WorkspaceHandle>>
    }
}
