use super::{PanelProps, dispatch};
use crate::state::Action;
use bpfplay_core::vm::State;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Run / step / step back / reset, with the run's status.
#[component(Toolbar)]
pub fn toolbar(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let engine = ws.engine.borrow();
    let status = match engine
        .run
        .as_ref()
        .map(|r| (r.vm().state().clone(), r.vm().executed(), r.vm().pc()))
    {
        None => String::from("not running"),
        Some((State::Running, n, pc)) => format!("paused at instruction {pc} after {n} steps"),
        Some((State::Exited { r0, early }, n, _)) => {
            let note = early.map(|e| format!(" ({e})")).unwrap_or_default();
            format!("exited: r0 = {r0:#x} after {n} instructions{note}")
        }
        Some((State::Faulted(f), n, _)) => format!("fault after {n} instructions: {f}"),
    };
    let verdict = engine
        .report
        .as_ref()
        .and_then(|r| r.verdict)
        .map(|v| format!(" — {v}"))
        .unwrap_or_default();
    let on_engine = {
        let ws = ws.clone();
        Callback::from(move |e: Event| {
            ws.dispatch(Action::UseJit(
                e.target_unchecked_into::<HtmlSelectElement>().value() == "jit",
            ));
        })
    };
    html! {
        <div class="toolbar" role="toolbar">
            <button id="run" title="Run / Continue (F8)" onclick={dispatch(ws, || Action::Continue)}>{ "▶ Run (F8)" }</button>
            <button id="step" title="Step (F10 or F11)" onclick={dispatch(ws, || Action::Step)}>{ "Step (F10)" }</button>
            <button id="back" title="Step back (Shift+F11)" onclick={dispatch(ws, || Action::StepBack)}>{ "◀ Back (⇧F11)" }</button>
            <button id="reset" title="Reset" onclick={dispatch(ws, || Action::Reset)}>{ "Reset" }</button>
            <label title="Run from the start with the interpreter or the eBPF→WebAssembly JIT (stepping always uses the interpreter)">{ "Engine " }
                <select id="engine" onchange={on_engine}>
                    <option value="interpreter" selected={!ws.use_jit}>{ "interpreter" }</option>
                    <option value="jit" selected={ws.use_jit}>{ "wasm JIT" }</option>
                </select>
            </label>
            <span id="status" class="status">{ format!("{status}{verdict}") }</span>
            if let Some(jit) = &engine.jit_report {
                <span id="jit-status" class={classes!("status", (!jit.agrees()).then_some("error"))}>{ jit.to_string() }</span>
            }
        </div>
    }
}
