use crate::components::committed_input::CommittedInput;
use crate::examples::EXAMPLES;
use crate::state::view::Choice;
use crate::state::{Action, SetupField, use_workspace};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

fn options(choices: Vec<Choice>) -> Html {
    choices
        .into_iter()
        .map(|c| html! { <option value={c.value} selected={c.selected}>{ c.label }</option> })
        .collect()
}

/// Example (by program type, with what each shows), program type, profile, privilege, packet, `__sk_buff` fields and maps.
#[component(SetupBar)]
pub fn setup_bar() -> Html {
    let ws = use_workspace();
    let view = ws.setup_view();
    let commit = |field: fn(String) -> SetupField| {
        let ws = ws.clone();
        Callback::from(move |text: String| ws.dispatch(Action::SetSetup(field(text))))
    };
    let select = |field: fn(String) -> SetupField| {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            ws.dispatch(Action::SetSetup(field(value)));
        })
    };
    let on_example = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(index) = EXAMPLES.iter().position(|e| e.name == name) {
                ws.dispatch(Action::LoadExample(index));
            }
        })
    };
    let on_privileged = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            ws.dispatch(Action::SetSetup(SetupField::Privileged(on)));
        })
    };
    html! {
        <div class="setup">
            <label>{ "Example " }
                <select id="example" onchange={on_example} title={view.example_description}>
                    <option value="" selected={view.example_description.is_none()}>{ "— choose —" }</option>
                    { for view.example_groups.into_iter().map(|g| html! {
                        <optgroup label={g.label}>
                            { for g.examples.into_iter().map(|e| html! {
                                <option value={EXAMPLES[e.index].name} selected={e.selected} title={e.description}>{ e.title }</option>
                            }) }
                        </optgroup>
                    }) }
                </select>
            </label>
            if let Some(description) = view.example_description {
                <span id="example-description" class="hint">{ description }</span>
            }
            <label>{ "Type " }
                <select id="prog-type" onchange={select(SetupField::ProgType)}>{ options(view.prog_types) }</select>
            </label>
            <label>{ "Profile " }
                <select id="profile" onchange={select(SetupField::Profile)}>{ options(view.profiles) }</select>
            </label>
            <label title="CAP_SYS_ADMIN: unprivileged loads follow 4.4's pointer-leak rules">
                <input id="privileged" type="checkbox" checked={view.privileged} onchange={on_privileged} />{ " privileged" }
            </label>
            <label class="wide">{ "Packet / memory (hex) " }
                <CommittedInput id="packet" value={view.packet} onchange={commit(SetupField::Packet)} placeholder="e.g. 02 00 00 00 00 02 ..." />
            </label>
            <label title="__sk_buff fields: mark, priority, pkt_type, queue_mapping, ifindex, ingress_ifindex, hash, tc_index, tc_classid, vlan_tci, route_realm, cb0..cb4">{ "skb " }
                <CommittedInput id="skb" value={view.skb} onchange={commit(SetupField::Skb)} placeholder="mark=1 priority=7 cb0=5" />
            </label>
            <label>{ "Maps " }
                <CommittedInput id="setup-maps" value={view.maps} onchange={commit(SetupField::Maps)} placeholder="hash:4:8:16,array:4:8:4" />
            </label>
        </div>
    }
}
