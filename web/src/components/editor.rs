use super::PanelProps;
use crate::state::Action;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// The program text with a gutter of line numbers: click a number to toggle a
/// breakpoint on that line's first instruction. The current line is marked.
#[component(Editor)]
pub fn editor(props: &PanelProps) -> Html {
    let ws = &props.ws;
    let on_input = {
        let ws = ws.clone();
        Callback::from(move |e: InputEvent| ws.dispatch(Action::Edit(e.target_unchecked_into::<HtmlTextAreaElement>().value())))
    };
    let current_line = {
        let engine = ws.engine.borrow();
        engine.run.as_ref().and_then(|r| ws.slot_lines.get(r.vm().pc()).copied())
    };
    let error_line = ws.asm_error.as_ref().map(|e| e.line);
    let verifier_line = ws.verdict.as_ref().and_then(|v| v.rejection.as_ref()).and_then(|r| r.pc).and_then(|pc| ws.slot_lines.get(pc).copied());
    let lines = ws.source.lines().count().max(1);
    let gutter = (1..=lines).map(|line| {
        let slot = ws.slot_of_line(line);
        let bp = slot.is_some_and(|s| ws.breakpoints.contains(&s));
        let mut class = classes!("gutter-line");
        if bp { class.push("bp"); }
        if Some(line) == current_line { class.push("current"); }
        if Some(line) == error_line || Some(line) == verifier_line { class.push("error"); }
        let onclick = {
            let ws = ws.clone();
            Callback::from(move |_| if let Some(s) = slot { ws.dispatch(Action::ToggleBreakpoint(s)) })
        };
        let ondblclick = {
            let ws = ws.clone();
            Callback::from(move |_| ws.dispatch(Action::RunToLine(line)))
        };
        html! { <div class={class} {onclick} {ondblclick} title="click: breakpoint · double-click: run to here">{ line }</div> }
    });
    html! {
        <div class="editor">
            <div class="editor-body">
                <div class="gutter" aria-hidden="true">{ for gutter }</div>
                <textarea id="source" spellcheck="false" value={ws.source.clone()} oninput={on_input} />
            </div>
            if let Some(e) = &ws.asm_error {
                <div id="asm-error" class="diagnostic error">{ format!("✖ {e}") }</div>
            }
        </div>
    }
}
