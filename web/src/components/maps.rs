use super::command_input::CommandInput;
use super::map_card::MapCard;
use super::map_create::MapCreateForm;
use crate::state::use_workspace;
use yew::prelude::*;

/// Every map in the kernel, a form to create one, and a line for any map command.
#[component(Maps)]
pub fn maps() -> Html {
    let ws = use_workspace();
    html! {
        <div id="maps" class="maps">
            { for ws.maps().into_iter().map(|view| { let id = view.id; html! { <MapCard key={id} dispatcher={ws.dispatcher()} {view} /> } }) }
            <MapCreateForm />
            <CommandInput id="map-command" button={Some(AttrValue::from("Apply"))}
                placeholder="map lookup|update|delete|getnext|dump|pin id N … (as bpftool)" />
        </div>
    }
}
