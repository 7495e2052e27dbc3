use super::PanelProps;
use yew::prelude::*;

/// The /sys/fs/bpf tree with what each pin holds.
#[component(Bpffs)]
pub fn bpffs(props: &PanelProps) -> Html {
    let engine = props.ws.engine.borrow();
    let kernel = &engine.session.kernel;
    let entries = kernel
        .fs()
        .list(bpfplay_core::kernel::bpffs::MOUNT)
        .unwrap_or_default();
    html! {
        <ul id="bpffs" class="bpffs">
            { for entries.iter().map(|e| {
                let depth = e.path.matches('/').count().saturating_sub(3);
                let label = match e.object.and_then(|id| kernel.object(id).map(|o| (id, o))) {
                    Some((id, bpfplay_core::kernel::Object::Map { map, .. })) => format!("{}  map {id} ({}, {} entries)", e.path, map.def.map_type, map.entries().len()),
                    Some((id, bpfplay_core::kernel::Object::Prog { prog, .. })) => format!("{}  prog {id} ({})", e.path, prog.prog_type),
                    Some((id, o)) => format!("{}  {} {id}", e.path, o.kind_name()),
                    None => format!("{}/", e.path),
                };
                html! { <li style={format!("padding-left: {}em", depth)}>{ label }</li> }
            }) }
        </ul>
    }
}
