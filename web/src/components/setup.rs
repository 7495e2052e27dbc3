use super::PanelProps;
use crate::examples::EXAMPLES;
use crate::state::{Action, Setup};
use bpfplay_core::isa::Profile;
use bpfplay_core::linux::ProgType;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Example, program type, profile, privilege, packet and maps.
#[component(SetupBar)]
pub fn setup_bar(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let change = |f: fn(&mut Setup, String)| {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            let mut setup = ws.setup().clone();
            f(&mut setup, value);
            ws.dispatch(Action::SetSetup(setup));
        })
    };
    let on_example = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let i = e
                .target_unchecked_into::<HtmlSelectElement>()
                .selected_index();
            if i > 0 {
                ws.dispatch(Action::LoadExample(i as usize - 1));
            }
        })
    };
    let on_privileged = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let mut setup = ws.setup().clone();
            setup.privileged = e.target_unchecked_into::<HtmlInputElement>().checked();
            ws.dispatch(Action::SetSetup(setup));
        })
    };
    let setup = ws.setup();
    html! {
        <div class="setup">
            <label>{ "Example " }
                <select id="example" onchange={on_example}>
                    <option selected={ws.example.is_none()}>{ "— choose —" }</option>
                    { for EXAMPLES.iter().enumerate().map(|(i, e)| html! {
                        <option selected={ws.example == Some(i)}>{ e.name }</option>
                    }) }
                </select>
            </label>
            <label>{ "Type " }
                <select id="prog-type" onchange={change(|s, v| s.prog_type = ProgType::from_name(&v))}>
                    { for ProgType::ALL.iter().map(|t| html! { <option value={t.name()} selected={Some(*t) == setup.prog_type}>{ t.name() }</option> }) }
                    <option value="plain" selected={setup.prog_type.is_none()}>{ "plain VM (r1 = memory)" }</option>
                </select>
            </label>
            <label>{ "Profile " }
                <select id="profile" onchange={change(|s, v| if let Some(p) = Profile::from_name(&v) { s.profile = p })}>
                    { for Profile::ALL.iter().map(|p| html! { <option value={p.name()} selected={*p == setup.profile}>{ p.name() }</option> }) }
                </select>
            </label>
            <label title="CAP_SYS_ADMIN: unprivileged loads follow 4.4's pointer-leak rules">
                <input id="privileged" type="checkbox" checked={setup.privileged} onchange={on_privileged} />{ " privileged" }
            </label>
            <label class="wide">{ "Packet / memory (hex) " }
                <input id="packet" value={setup.packet.clone()} onchange={change(|s, v| s.packet = v)} placeholder="e.g. 02 00 00 00 00 02 ..." />
            </label>
            <label title="__sk_buff fields: mark, priority, pkt_type, queue_mapping, ifindex, ingress_ifindex, hash, tc_index, tc_classid, vlan_tci, route_realm, cb0..cb4">{ "skb " }
                <input id="skb" value={setup.skb.clone()} onchange={change(|s, v| s.skb = v)} placeholder="mark=1 priority=7 cb0=5" />
            </label>
            <label>{ "Maps " }
                <input id="setup-maps" value={setup.maps.clone()} onchange={change(|s, v| s.maps = v)} placeholder="hash:4:8:16,array:4:8:4" />
            </label>
        </div>
    }
}
