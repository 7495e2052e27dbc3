use crate::state::map_command;
use crate::state::view::{MapView, SHOWN_ENTRIES};
use crate::state::{Action, Command, Notice, Playground};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MapCardProps {
    pub dispatcher: UseReducerDispatcher<Playground>,
    pub view: MapView,
}

/// A text field kept in component state.
fn field(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        state.set(e.target_unchecked_into::<HtmlInputElement>().value())
    })
}

/// A click that dispatches one bpftool command.
fn command(
    dispatcher: &UseReducerDispatcher<Playground>,
    command: Command,
) -> Callback<MouseEvent> {
    let dispatcher = dispatcher.clone();
    Callback::from(move |_| dispatcher.dispatch(Action::Command(command.clone())))
}

/// One map: its entries (edit, delete), an entry form, its pins (pin, unpin) and, for a
/// prog_array, the tail-call graph. Every change is a bpftool [`Command`], carried out
/// through bpf(2) with its checks; its errno shows in the console.
#[component(MapCard)]
pub fn map_card(props: &MapCardProps) -> Html {
    let MapCardProps { dispatcher, view } = props;
    let id = view.id;
    let key = use_state(String::new);
    let value = use_state(String::new);
    let pin_path = use_state(String::new);

    let on_update = {
        let (dispatcher, key, value) = (dispatcher.clone(), key.clone(), value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatcher.dispatch(match map_command::update(id, &key, &value) {
                Ok(command) => Action::Command(command),
                Err(e) => Action::Notice(Some(Notice::from(e))),
            });
        })
    };
    let on_pin = {
        let (dispatcher, pin_path) = (dispatcher.clone(), pin_path.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            dispatcher.dispatch(Action::Command(map_command::pin(id, &pin_path)));
            pin_path.set(String::new());
        })
    };
    let rows = view.entries.iter().map(|entry| {
        let edit = {
            let (key, value) = (key.clone(), value.clone());
            let (k_hex, v_hex) = (entry.key_hex.clone(), entry.value_hex.clone());
            Callback::from(move |_: MouseEvent| {
                key.set(format!("hex {k_hex}"));
                value.set(format!("hex {v_hex}"));
            })
        };
        let delete = map_command::delete(id, entry.key.clone());
        html! {
            <tr class="entry">
                <td class="key">{ &entry.key_hex }</td>
                <td class="value">{ &entry.value_hex }</td>
                <td class="number">{ &entry.numbers }</td>
                <td>
                    <button class="edit" title="edit this entry in the form below" onclick={edit}>{ "edit" }</button>
                    <button class="delete" title={format!("map delete id {id} key hex {}", entry.key_hex)} onclick={command(dispatcher, delete)}>{ "✕" }</button>
                </td>
            </tr>
        }
    });
    let shown = view.entries.len() as u64;
    let turn_to = |first: u64| {
        let dispatcher = dispatcher.clone();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(Action::MapPage { map: id, first }))
    };
    let page = SHOWN_ENTRIES as u64;
    let graph = view.tail_calls.as_ref().map(|edges| {
        let height = 24 * edges.len().max(1) as u32 + 8;
        html! {
            <svg class="tailcalls" width="260" height={height.to_string()}>
                <text x="4" y="16">{ format!("map {id}") }</text>
                { for edges.iter().enumerate().map(|(i, (slot, prog))| {
                    let y = 16 + 24 * i as u32;
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
            <h4>{ &view.title }</h4>
            <div class="pins">
                { for view.pins.iter().map(|path| {
                    let unpin = map_command::unpin(path);
                    html! { <span class="pin">{ path }
                        <button class="unpin" title={format!("fs unlink {path}")} onclick={command(dispatcher, unpin)}>{ "unpin" }</button>
                    </span> }
                }) }
                <form class="pin-form" onsubmit={on_pin}>
                    <input class="pin-path" placeholder="/sys/fs/bpf/NAME" value={(*pin_path).clone()} oninput={field(&pin_path)} />
                    <button type="submit">{ "pin" }</button>
                </form>
            </div>
            <div class="entries-scroll">
                <table class="entries">
                    <tr><th>{ "key" }</th><th>{ if view.fd_values { "object" } else { "value" } }</th><th></th><th></th></tr>
                    { for rows }
                </table>
            </div>
            if view.total > shown {
                <div class="pager">
                    <button class="page-previous" title="the previous entries" disabled={view.first == 0} onclick={turn_to(view.first.saturating_sub(page))}>{ "◀" }</button>
                    <span class="page-range">{ format!("{}–{} of {}", view.first + 1, view.first + shown, view.total) }</span>
                    <button class="page-next" title="the next entries" disabled={view.first + shown >= view.total} onclick={turn_to(view.first + page)}>{ "▶" }</button>
                </div>
            }
            <form class="entry-form" onsubmit={on_update}>
                <input class="entry-key" placeholder={format!("key: {} bytes", view.key_size)} value={(*key).clone()} oninput={field(&key)} />
                <input class="entry-value" placeholder={view.value_hint} value={(*value).clone()} oninput={field(&value)} />
                <button type="submit">{ "update" }</button>
            </form>
            { graph.unwrap_or_default() }
        </section>
    }
}
