use super::copy::copy_to_clipboard;
use crate::state::share::{self, Shared};
use crate::state::{Action, Error, Notice, Origin, use_workspace};
use gloo::file::callbacks::FileReader;
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
/// upload of the workspace file, and the way back to a workspace a link replaced.
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
    let on_upload = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            let name = file.name();
            let ws = ws.clone();
            *reader.borrow_mut() = Some(gloo::file::callbacks::read_as_text(
                &gloo::file::File::from(file),
                move |text| {
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
                },
            ));
        })
    };
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
