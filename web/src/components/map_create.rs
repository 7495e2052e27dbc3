use crate::state::{Action, Notice, map_command, use_workspace, view};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the form's fields hold until the user types: a small map pinned under bpffs.
const FIELD_DEFAULTS: [(&str, &str); 4] = [
    ("key", "4"),
    ("value", "8"),
    ("entries", "16"),
    ("path", "/sys/fs/bpf/"),
];

/// BPF_MAP_CREATE from a form; the map is pinned at the path so it outlives the
/// console's process, as `bpftool map create` does.
#[component(MapCreateForm)]
pub fn map_create_form() -> Html {
    let ws = use_workspace();
    let form = use_node_ref();
    // The defaults are written once, at mount: a `value` in the markup is re-applied on
    // every render (each workspace change) and would wipe what the user typed.
    {
        let form = form.clone();
        use_effect_with((), move |()| {
            if let Some(form) = form.cast::<web_sys::Element>() {
                for (name, default) in FIELD_DEFAULTS {
                    if let Ok(Some(field)) = form.query_selector(&format!("[name={name}]")) {
                        wasm_bindgen::JsCast::unchecked_into::<HtmlInputElement>(field)
                            .set_value(default);
                    }
                }
            }
        });
    }
    let on_submit = {
        let form = form.clone();
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
            let command = map_command::create(
                &input("path"),
                &input("type"),
                &input("key"),
                &input("value"),
                &input("entries"),
                &input("name"),
            );
            ws.dispatch(match command {
                Ok(command) => Action::Command(command),
                Err(e) => Action::Notice(Some(Notice::from(e))),
            });
        })
    };
    html! {
        <form id="map-create" class="map-create" ref={form} onsubmit={on_submit}>
            <select name="type">
                { for view::map_types().into_iter().map(|t| html! { <option value={t.value} selected={t.selected}>{ t.label }</option> }) }
            </select>
            <label>{ "key " }<input name="key" type="number" min="1" /></label>
            <label>{ "value " }<input name="value" type="number" min="1" /></label>
            <label>{ "entries " }<input name="entries" type="number" min="1" /></label>
            <input name="name" placeholder="name" />
            <input name="path" placeholder="/sys/fs/bpf/NAME" />
            <button type="submit">{ "create map" }</button>
        </form>
    }
}
