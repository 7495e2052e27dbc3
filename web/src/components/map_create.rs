use super::WorkspaceHandle;
use crate::state::Action;
use bpfplay_core::linux::MapType;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MapCreateProps {
    pub ws: WorkspaceHandle,
}

/// BPF_MAP_CREATE from a form; the map is pinned at the path so it outlives the
/// console's process, as `bpftool map create` does.
#[component(MapCreateForm)]
pub fn map_create_form(props: &MapCreateProps) -> Html {
    let form = use_node_ref();
    let on_submit = {
        let (ws, form) = (props.ws.clone(), form.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(form) = form.cast::<web_sys::Element>() else {
                return;
            };
            let input = |name: &str| {
                form.query_selector(&format!("[name={name}]"))
                    .ok()
                    .flatten()
                    .map(|el| {
                        match wasm_bindgen::JsCast::dyn_into::<HtmlSelectElement>(el.clone()) {
                            Ok(select) => select.value(),
                            Err(_) => {
                                wasm_bindgen::JsCast::unchecked_into::<HtmlInputElement>(el).value()
                            }
                        }
                    })
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
            let name = input("name");
            let mut command = format!(
                "map create {} type {} key {} value {} entries {}",
                input("path"),
                input("type"),
                input("key"),
                input("value"),
                input("entries")
            );
            if !name.is_empty() {
                command.push_str(&format!(" name {name}"));
            }
            ws.dispatch(Action::Console(command));
        })
    };
    html! {
        <form id="map-create" class="map-create" ref={form} onsubmit={on_submit}>
            <select name="type">
                { for MapType::ALL.iter().map(|t| html! { <option value={t.name()} selected={*t == MapType::Hash}>{ t.name() }</option> }) }
            </select>
            <label>{ "key " }<input name="key" type="number" min="1" value="4" /></label>
            <label>{ "value " }<input name="value" type="number" min="1" value="8" /></label>
            <label>{ "entries " }<input name="entries" type="number" min="1" value="16" /></label>
            <input name="name" placeholder="name" />
            <input name="path" placeholder="/sys/fs/bpf/NAME" value="/sys/fs/bpf/" />
            <button type="submit">{ "create map" }</button>
        </form>
    }
}
