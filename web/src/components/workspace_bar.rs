use super::copy::copy_to_clipboard;
use crate::state::share::{self, Shared};
use crate::state::{Action, Error, Notice, Origin, use_workspace};
use gloo::file::callbacks::FileReader;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The page's address without its fragment.
fn page_address() -> String {
    let location = gloo::utils::window().location();
    let part = |r: Result<String, JsValue>| r.unwrap_or_default();
    format!(
        "{}{}{}",
        part(location.origin()),
        part(location.pathname()),
        part(location.search())
    )
}

/// Share (link in the address bar, the clipboard and a read-only field), download and
/// upload of the workspace file (chosen, or dropped anywhere on the page), and the way
/// back to a workspace a link replaced.
#[component(WorkspaceBar)]
pub fn workspace_bar() -> Html {
    let ws = use_workspace();
    let shared = use_state(|| None::<Shared>);
    let reader = use_mut_ref(|| None::<FileReader>);
    // The download's object URL lives until the next download, so the browser can
    // still read it after the click.
    let download_url = use_mut_ref(|| None::<gloo::file::ObjectUrl>);
    let on_share = {
        let (ws, shared) = (ws.clone(), shared.clone());
        Callback::from(
            move |_: MouseEvent| match share::share(ws.workspace(), &page_address()) {
                Ok(link) => {
                    if let Ok(history) = gloo::utils::window().history() {
                        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&link.url));
                    }
                    copy_to_clipboard(&link.url);
                    shared.set(Some(link));
                }
                Err(e) => {
                    shared.set(None);
                    ws.dispatch(Action::Notice(Some(Notice::from(e))));
                }
            },
        )
    };
    let on_download = {
        let ws = ws.clone();
        Callback::from(move |_: MouseEvent| {
            let (name, json) = share::workspace_file(ws.workspace());
            let blob = gloo::file::Blob::new_with_options(json.as_str(), Some("application/json"));
            let url = gloo::file::ObjectUrl::from(blob);
            let document = gloo::utils::document();
            if let Ok(a) = document.create_element("a") {
                let _ = a.set_attribute("href", &url);
                let _ = a.set_attribute("download", &name);
                if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
                    a.click();
                }
            }
            *download_url.borrow_mut() = Some(url);
        })
    };
    // A file chosen or dropped anywhere on the page opens as a workspace file; one
    // reader at a time, and the size is checked before anything is read.
    let open_file = {
        let ws = ws.clone();
        Rc::new(move |file: web_sys::File| {
            let name = file.name();
            let file = gloo::file::File::from(file);
            if let Err(e) = share::check_file_size(&name, file.size()) {
                ws.dispatch(Action::Notice(Some(Notice::from(e))));
                return;
            }
            let ws = ws.clone();
            *reader.borrow_mut() = Some(gloo::file::callbacks::read_as_text(&file, move |text| {
                let opened = text
                    .map_err(|e| Error::File {
                        name: name.clone(),
                        message: e.to_string(),
                    })
                    .and_then(|text| share::open_file(&name, &text));
                ws.dispatch(match opened {
                    Ok(workspace) => Action::Open(Box::new(workspace), Origin::File(name)),
                    Err(e) => Action::Notice(Some(Notice::from(e))),
                });
            }));
        })
    };
    let on_upload = {
        let open_file = open_file.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            open_file(file);
        })
    };
    // Files dragged over the page: taken before the editor (which would read any file
    // into its text) and before the browser (which would leave the page for the file).
    use_effect_with((), move |_| {
        let files = |e: &Event| {
            e.dyn_ref::<web_sys::DragEvent>()
                .and_then(web_sys::DragEvent::data_transfer)
                .filter(|data| data.types().includes(&JsValue::from_str("Files"), 0))
        };
        let options = gloo::events::EventListenerOptions {
            phase: gloo::events::EventListenerPhase::Capture,
            passive: false,
        };
        let document = gloo::utils::document();
        let on_dragover = gloo::events::EventListener::new_with_options(
            &document,
            "dragover",
            options,
            move |e| {
                if files(e).is_some() {
                    e.prevent_default();
                }
            },
        );
        let on_drop =
            gloo::events::EventListener::new_with_options(&document, "drop", options, move |e| {
                let Some(data) = files(e) else {
                    return;
                };
                e.prevent_default();
                e.stop_propagation();
                if let Some(file) = data.files().and_then(|files| files.get(0)) {
                    open_file(file);
                }
            });
        move || drop((on_dragover, on_drop))
    });
    html! {
        <div class="workspace-bar">
            <button id="share" title="Put the whole workspace in a link" onclick={on_share}>{ "Share" }</button>
            if let Some(link) = &*shared {
                <input id="share-url" readonly=true value={link.url.clone()} size="40" />
                <span id="share-length" class={classes!("share-note", link.long.then_some("warning"))}>{ &link.note }</span>
            }
            <button id="download" title="Save the workspace as NAME.bpfplay.json (bpfplay run reads it)" onclick={on_download}>{ "Download" }</button>
            <label class="upload" title="Open a NAME.bpfplay.json workspace file">{ "Open file " }
                <input id="open-file" type="file" accept=".json,application/json" onchange={on_upload} />
            </label>
            if ws.replaced.is_some() {
                <button id="restore-previous" title="Go back to the workspace the link or file replaced"
                    onclick={super::dispatch(&ws, || Action::RestoreReplaced)}>{ "Restore previous" }</button>
            }
        </div>
    }
}
