use super::{PanelProps, hex};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Every guest memory region (stack, ctx, packet, map values) as a hex dump; the address
/// box scrolls a region to an address.
#[component(MemoryView)]
pub fn memory_view(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let goto = use_state(|| None::<u64>);
    let on_goto = {
        let goto = goto.clone();
        Callback::from(move |e: Event| {
            let text = e.target_unchecked_into::<HtmlInputElement>().value();
            goto.set(u64::from_str_radix(text.trim().trim_start_matches("0x"), 16).ok());
        })
    };
    let engine = ws.engine.borrow();
    let Some(run) = engine.run.as_ref() else {
        return html! { <div id="memory" class="memory idle">{ "No program is running." }</div> };
    };
    let memory = run.vm().memory();
    let regions = memory.regions().iter().map(|region| {
        let bytes = region.data.to_vec();
        // The stack is large and used from the top: show its last 64 bytes unless asked.
        let start = match *goto {
            Some(addr) if addr >= region.base && addr < region.base + bytes.len() as u64 => ((addr - region.base) as usize) & !15,
            _ if region.kind == bpfplay_core::vm::RegionKind::Stack => bytes.len().saturating_sub(64),
            _ => 0,
        };
        let rows = bytes[start..].chunks(16).take(16).enumerate().map(|(i, chunk)| {
            let addr = region.base + (start + i * 16) as u64;
            html! { <div class="hexrow"><span class="addr">{ format!("{addr:#x}") }</span>{ " " }{ hex(chunk) }</div> }
        });
        html! {
            <section class="region">
                <h4>{ format!("{} @ {:#x} ({} bytes{})", region.kind, region.base, bytes.len(), if region.writable { "" } else { ", read-only" }) }</h4>
                { for rows }
            </section>
        }
    });
    html! {
        <div id="memory" class="memory">
            <label>{ "Go to address " }<input placeholder="0x180000ff8" onchange={on_goto} /></label>
            { for regions }
        </div>
    }
}
