use super::PanelProps;
use super::command_input::CommandInput;
use super::map_card::{MapCard, MapView};
use super::map_create::MapCreateForm;
use bpfplay_core::kernel::Object;
use yew::prelude::*;

/// Every map in the kernel, a form to create one, and a line for any map command.
#[component(Maps)]
pub fn maps(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let views: Vec<MapView> = {
        let engine = ws.engine.borrow();
        let kernel = &engine.session.kernel;
        kernel
            .objects()
            .filter(|(_, o)| matches!(o, Object::Map { .. }))
            .filter_map(|(id, _)| MapView::read(kernel, id))
            .collect()
    };
    html! {
        <div id="maps" class="maps">
            { for views.into_iter().map(|view| { let id = view.id; html! { <MapCard key={id} dispatcher={ws.dispatcher()} {view} /> } }) }
            <MapCreateForm ws={ws.clone()} />
            <CommandInput ws={ws.clone()} id="map-command" button={Some(AttrValue::from("Apply"))}
                placeholder="map lookup|update|delete|getnext|dump|pin id N … (as bpftool)" />
        </div>
    }
}
