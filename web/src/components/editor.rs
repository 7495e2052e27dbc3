use crate::codemirror::Editor as CodeMirror;
use crate::state::{Action, use_workspace};
use yew::prelude::*;

/// The program in CodeMirror: both syntaxes highlighted, assembler and verifier errors
/// underlined where they are, breakpoints in the gutter (click; double-click runs to
/// the line) and the current line while stepping.
#[component(Editor)]
pub fn editor() -> Html {
    let ws = use_workspace();
    let host = use_node_ref();
    let editor = use_mut_ref(|| None::<CodeMirror>);
    // The text the editor holds, as it last gave it or was given it: typing needs no
    // setting back (which would copy a long program into JavaScript and out of
    // CodeMirror again on every key).
    let shown = use_mut_ref(String::new);
    {
        let (host, editor, ws, shown) = (host.clone(), editor.clone(), ws.clone(), shown.clone());
        use_effect_with((), move |_| {
            if let Some(el) = host.cast::<web_sys::Element>() {
                let (a, b, c) = (ws.clone(), ws.clone(), ws.clone());
                let cm = CodeMirror::new(
                    &el,
                    ws.source(),
                    move |text: String, pasted| {
                        shown.borrow_mut().clone_from(&text);
                        a.dispatch(match pasted {
                            true => Action::Paste(text),
                            false => Action::Edit(text),
                        })
                    },
                    move |line| b.dispatch(Action::ToggleBreakpointLine(line as usize)),
                    move |line| c.dispatch(Action::RunToLine(line as usize)),
                );
                *editor.borrow_mut() = Some(cm);
            }
            move || {
                editor.borrow_mut().take();
            }
        });
    }
    let view = ws.editor();
    // Separate effects, so that a step only moves the current line.
    {
        let editor = editor.clone();
        use_effect_with(ws.source().to_owned(), move |source| {
            // Not borrowed while CodeMirror runs: setting the text calls back with it.
            let changed = *shown.borrow() != *source;
            if changed && let Some(cm) = editor.borrow().as_ref() {
                shown.borrow_mut().clone_from(source);
                cm.set_doc(source);
            }
        });
    }
    {
        let editor = editor.clone();
        use_effect_with(
            (view.diagnostics, view.breakpoint_lines),
            move |(diags, bps)| {
                if let Some(cm) = editor.borrow().as_ref() {
                    cm.set_diagnostics(diags);
                    cm.set_breakpoints(bps.clone());
                }
            },
        );
    }
    {
        let editor = editor.clone();
        use_effect_with(view.current_line, move |line| {
            if let Some(cm) = editor.borrow().as_ref() {
                cm.set_current_line(*line);
            }
        });
    }
    html! {
        <div class="editor">
            <div ref={host} id="source" class="editor-host" />
            if let Some(e) = view.asm_error {
                <div id="asm-error" class="diagnostic error">{ e }</div>
            }
        </div>
    }
}
