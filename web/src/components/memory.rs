use crate::state::use_workspace;
use crate::state::view::parse_address;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Every guest memory region (stack, ctx, packet, map values) as a hex dump; the address
/// box scrolls a region to an address.
#[component(MemoryView)]
pub fn memory_view() -> Html {
    let ws = use_workspace();
    let goto = use_state(|| Ok::<_, String>(None::<u64>));
    let on_goto = {
        let goto = goto.clone();
        Callback::from(move |e: Event| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            goto.set(parse_address(&text));
        })
    };
    let Some(regions) = ws.memory(goto.as_ref().ok().copied().flatten()) else {
        return html! { <div id="memory" class="memory idle">{ "No program is running." }</div> };
    };
    html! {
        <div id="memory" class="memory">
            <label>{ "Go to address " }<input id="goto" placeholder="0x180000ff8" onchange={on_goto} /></label>
            if let Err(e) = &*goto {
                <p id="goto-error" class="error">{ e }</p>
            }
            { for regions.into_iter().map(|region| html! {
                <section class="region">
                    <h4>{ region.title }</h4>
                    { for region.rows.into_iter().map(|row| html! {
                        <div class="hexrow"><span class="addr">{ row.address }</span>{ " " }{ row.bytes }</div>
                    }) }
                </section>
            }) }
        </div>
    }
}
