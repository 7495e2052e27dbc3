use super::hex;
use crate::state::{Action, Workspace};
use bpfplay_core::kernel::{Kernel, Object, ObjectId};
use bpfplay_core::linux::MapType;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What a map card shows, read from the kernel; the card re-renders only when it
/// changes, so stepping a program does not redraw maps it does not touch.
#[derive(Clone, Debug, PartialEq)]
pub struct MapView {
    pub id: u32,
    pub title: String,
    pub map_type: MapType,
    pub key_size: u32,
    pub pins: Vec<String>,
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
}

impl MapView {
    pub fn read(kernel: &Kernel, id: ObjectId) -> Option<MapView> {
        let Some(Object::Map {
            map,
            refcnt,
            usercnt,
        }) = kernel.object(id)
        else {
            return None;
        };
        let d = &map.def;
        Some(MapView {
            id: id.0,
            title: format!(
                "map {id} {}  {}  key {}B value {}B entries {}  refs {refcnt} (user {usercnt})",
                if map.name.is_empty() { "-" } else { &map.name },
                d.map_type,
                d.key_size,
                d.value_size,
                d.max_entries
            ),
            map_type: d.map_type,
            key_size: d.key_size,
            pins: kernel
                .fs()
                .pins()
                .iter()
                .filter(|(_, o)| *o == id)
                .map(|(p, _)| p.clone())
                .collect(),
            entries: map.entries(),
        })
    }
}

#[derive(Properties, PartialEq)]
pub struct MapCardProps {
    pub dispatcher: UseReducerDispatcher<Workspace>,
    pub view: MapView,
}

/// Entries shown per map; the rest are counted.
const SHOWN_ENTRIES: usize = 64;

fn number_views(value: &[u8]) -> String {
    match value.len() {
        4 => format!(
            "u32 {}",
            u32::from_le_bytes([value[0], value[1], value[2], value[3]])
        ),
        8 => {
            let v = u64::from_le_bytes(value.try_into().unwrap_or([0; 8]));
            format!("u64 {v} / i64 {}", v as i64)
        }
        _ => String::new(),
    }
}

/// A text field kept in component state.
fn field(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        state.set(e.target_unchecked_into::<HtmlInputElement>().value())
    })
}

/// A click that sends one console command.
fn command(dispatcher: &UseReducerDispatcher<Workspace>, line: String) -> Callback<MouseEvent> {
    let dispatcher = dispatcher.clone();
    Callback::from(move |_| dispatcher.dispatch(Action::Console(line.clone())))
}

/// One map: its entries (edit, delete), an entry form, its pins (pin, unpin) and, for a
/// prog_array, the tail-call graph. Every change is a console command, so it goes
/// through bpf(2) with its checks and its errno shows in the console.
#[component(MapCard)]
pub fn map_card(props: &MapCardProps) -> Html {
    let MapCardProps { dispatcher, view } = props;
    let id = view.id;
    let key = use_state(String::new);
    let value = use_state(String::new);
    let pin_path = use_state(String::new);
    let entries = &view.entries;
    let fd_values = matches!(view.map_type, MapType::ProgArray | MapType::PerfEventArray);

    let on_update = {
        let (dispatcher, key, value) = (dispatcher.clone(), key.clone(), value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatcher.dispatch(Action::Console(format!(
                "map update id {id} key {} value {}",
                key.trim(),
                value.trim()
            )));
        })
    };
    let on_pin = {
        let (dispatcher, pin_path) = (dispatcher.clone(), pin_path.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatcher.dispatch(Action::Console(format!(
                "map pin id {id} {}",
                pin_path.trim()
            )));
            pin_path.set(String::new());
        })
    };
    let rows = entries.iter().take(SHOWN_ENTRIES).map(|(k, v)| {
        let (k_hex, v_hex) = (hex(k), hex(v));
        let edit = {
            let (key, value, k_hex, v_hex) = (key.clone(), value.clone(), k_hex.clone(), v_hex.clone());
            Callback::from(move |_: MouseEvent| {
                key.set(format!("hex {k_hex}"));
                value.set(format!("hex {v_hex}"));
            })
        };
        let delete_command = format!("map delete id {id} key hex {k_hex}");
        html! {
            <tr class="entry">
                <td class="key">{ &k_hex }</td>
                <td class="value">{ &v_hex }</td>
                <td class="number">{ if fd_values { String::new() } else { number_views(v) } }</td>
                <td>
                    <button class="edit" title="edit this entry in the form below" onclick={edit}>{ "edit" }</button>
                    <button class="delete" title={delete_command.clone()} onclick={command(dispatcher, delete_command)}>{ "✕" }</button>
                </td>
            </tr>
        }
    });
    let graph = (view.map_type == MapType::ProgArray).then(|| {
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
    let value_hint = match view.map_type {
        MapType::ProgArray => "pinned /sys/fs/bpf/PROG",
        MapType::PerfEventArray => "perf cpu 0",
        _ => "1 0 0 0 … or hex 01 00 …",
    };
    html! {
        <section class="map" id={format!("map-{id}")}>
            <h4>{ &view.title }</h4>
            <div class="pins">
                { for view.pins.iter().map(|path| {
                    let unlink = format!("fs unlink {path}");
                    html! { <span class="pin">{ path }
                        <button class="unpin" title={unlink.clone()} onclick={command(dispatcher, unlink)}>{ "unpin" }</button>
                    </span> }
                }) }
                <form class="pin-form" onsubmit={on_pin}>
                    <input class="pin-path" placeholder="/sys/fs/bpf/NAME" value={(*pin_path).clone()} oninput={field(&pin_path)} />
                    <button type="submit">{ "pin" }</button>
                </form>
            </div>
            <table class="entries">
                <tr><th>{ "key" }</th><th>{ if fd_values { "object" } else { "value" } }</th><th></th><th></th></tr>
                { for rows }
            </table>
            if entries.len() > SHOWN_ENTRIES { <div>{ format!("… {} more (map dump id {id})", entries.len() - SHOWN_ENTRIES) }</div> }
            <form class="entry-form" onsubmit={on_update}>
                <input class="entry-key" placeholder={format!("key: {} bytes", view.key_size)} value={(*key).clone()} oninput={field(&key)} />
                <input class="entry-value" placeholder={value_hint} value={(*value).clone()} oninput={field(&value)} />
                <button type="submit">{ "update" }</button>
            </form>
            { graph.unwrap_or_default() }
        </section>
    }
}
