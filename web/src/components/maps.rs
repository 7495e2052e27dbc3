use super::command_input::CommandInput;
use super::{PanelProps, hex};
use bpfplay_core::kernel::{MapType, Object};
use yew::prelude::*;

fn number_views(value: &[u8]) -> String {
    match value.len() {
        4 => format!(" = u32 {}", u32::from_le_bytes([value[0], value[1], value[2], value[3]])),
        8 => {
            let v = u64::from_le_bytes(value.try_into().unwrap_or([0; 8]));
            format!(" = u64 {v} / i64 {}", v as i64)
        }
        _ => String::new(),
    }
}

/// Every map in the kernel with its entries; forms issue console commands, so every
/// change goes through bpf(2) with its checks. prog_arrays show a tail-call graph.
#[component(Maps)]
pub fn maps(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let engine = ws.engine.borrow();
    let kernel = &engine.session.kernel;
    let pins = kernel.fs().pins();
    let maps = kernel.objects().filter_map(|(id, o)| match o {
        Object::Map { map, refcnt, usercnt } => Some((id, map, *refcnt, *usercnt)),
        _ => None,
    });
    let cards = maps.map(|(id, map, refcnt, usercnt)| {
        let pinned: Vec<&str> = pins.iter().filter(|(_, o)| *o == id).map(|(p, _)| p.as_str()).collect();
        let entries = map.entries();
        let graph = (map.def.map_type == MapType::ProgArray).then(|| {
            let height = 24 * entries.len().max(1) as u32 + 8;
            html! {
                <svg class="tailcalls" width="260" height={height.to_string()}>
                    <text x="4" y="16">{ format!("map {id}") }</text>
                    { for entries.iter().enumerate().map(|(i, (k, v))| {
                        let y = 16 + 24 * i as u32;
                        let slot = u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
                        let prog = u32::from_le_bytes([v[0], v[1], v[2], v[3]]);
                        html! { <>
                            <line x1="70" y1="12" x2="150" y2={(y - 4).to_string()} stroke="currentColor" />
                            <text x="156" y={y.to_string()}>{ format!("[{slot}] → prog {prog}") }</text>
                        </> }
                    }) }
                </svg>
            }
        });
        html! {
            <section class="map" id={format!("map-{id}")}>
                <h4>{ format!("map {id} {}  {}  key {}B value {}B entries {}  refs {refcnt} (user {usercnt})",
                    if map.name.is_empty() { "-" } else { &map.name }, map.def.map_type, map.def.key_size, map.def.value_size, map.def.max_entries) }</h4>
                if !pinned.is_empty() { <div class="pins">{ format!("pinned: {}", pinned.join(", ")) }</div> }
                { for entries.iter().take(64).map(|(k, v)| html! {
                    <div class="entry">{ format!("key {}  value {}{}", hex(k), hex(v), number_views(v)) }</div>
                }) }
                if entries.len() > 64 { <div>{ format!("… {} more", entries.len() - 64) }</div> }
                { graph.unwrap_or_default() }
            </section>
        }
    });
    html! {
        <div id="maps" class="maps">
            { for cards }
            <CommandInput ws={ws.clone()} id="map-command" button={Some(AttrValue::from("Apply"))}
                placeholder="map update pinned /sys/fs/bpf/m key 0 0 0 0 value 1 0 0 0" />
            <p class="hint">{ "Create: map create /sys/fs/bpf/NAME type hash key 4 value 8 entries 16 · pin: prog load current PATH type T · unpin: fs unlink PATH" }</p>
        </div>
    }
}
