use super::PanelProps;
use super::command_input::CommandInput;
use super::map_card::MapCard;
use super::map_create::MapCreateForm;
use bpfplay_core::kernel::Object;
use yew::prelude::*;

/// Every map in the kernel, a form to create one, and a line for any map command.
#[component(Maps)]
pub fn maps(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let ids: Vec<u32> = ws
        .engine
        .borrow()
        .session
        .kernel
        .objects()
        .filter(|(_, o)| matches!(o, Object::Map { .. }))
        .map(|(id, _)| id.0)
        .collect();
    html! {
        <div id="maps" class="maps">
            { for ids.into_iter().map(|id| html! { <MapCard key={id} ws={ws.clone()} {id} /> }) }
            <MapCreateForm ws={ws.clone()} />
            <CommandInput ws={ws.clone()} id="map-command" button={Some(AttrValue::from("Apply"))}
                placeholder="map lookup|update|delete|getnext|dump|pin id N … (as bpftool)" />
        </div>
    }
}
