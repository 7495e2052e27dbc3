use super::dispatch;
use crate::state::{Action, Runner, use_workspace};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Run / step / step back / reset, with the run's status.
#[component(Toolbar)]
pub fn toolbar() -> Html {
    let ws = use_workspace();
    let status = ws.status();
    let on_engine = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            let jit = e.target_unchecked_into::<HtmlSelectElement>().value() == "jit";
            ws.dispatch(Action::SetRunner(if jit {
                Runner::WasmJit
            } else {
                Runner::Interpreter
            }));
        })
    };
    let jit = ws.workspace().runner == Runner::WasmJit;
    let batch = ws.batch();
    let running = ws.running().is_some() || batch.is_some();
    html! {
        <div class="toolbar" role="toolbar">
            <button id="run" title="Run / Continue (F8)" onclick={dispatch(&ws, || Action::Continue)}>{ "▶ Run (F8)" }</button>
            <button id="stop" title="Stop the run where it is, or the console's prog run" disabled={!running} onclick={dispatch(&ws, || Action::Stop)}>{ "■ Stop" }</button>
            <button id="step" title="Step (F10 or F11)" onclick={dispatch(&ws, || Action::Step)}>{ "Step (F10)" }</button>
            <button id="back" title="Step back (Shift+F11)" onclick={dispatch(&ws, || Action::StepBack)}>{ "◀ Back (⇧F11)" }</button>
            <button id="reset" title="Reset" onclick={dispatch(&ws, || Action::Reset)}>{ "Reset" }</button>
            <label title="Run from the start with the interpreter or the eBPF→WebAssembly JIT (stepping always uses the interpreter)">{ "Engine " }
                <select id="engine" onchange={on_engine}>
                    <option value="interpreter" selected={!jit}>{ "interpreter" }</option>
                    <option value="jit" selected={jit}>{ "wasm JIT" }</option>
                </select>
            </label>
            <span id="status" class="status">{ status.text }</span>
            if let Some((done, total)) = batch {
                <span id="batch" class="status">{ format!("prog run: {done} of {total} runs") }</span>
            }
            if let Some((report, agrees)) = status.jit {
                <span id="jit-status" class={classes!("status", (!agrees).then_some("error"))}>{ report }</span>
            }
        </div>
    }
}
