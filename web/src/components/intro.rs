use super::dispatch;
use crate::state::{Action, use_workspace};
use yew::prelude::*;

/// What to try first, in the order a newcomer meets the panes.
const THINGS_TO_TRY: [&str; 5] = [
    "Press F8 to run the example: it counts the packet's IP protocol in an array map (see Maps).",
    "Press F10 to step one instruction and watch Registers; Shift+F11 steps back.",
    "Click a line number (or a bytecode row) to set a breakpoint, then F8 runs to it.",
    "Pick “Rejected: missing NULL check” under Example and read what the verifier says and how to fix it.",
    "Type help in the console below, then map show or fs ls /sys/fs/bpf.",
];

/// Keys and what they do.
const SHORTCUTS: [(&str, &str); 7] = [
    ("Ctrl+Enter (⌘+Enter)", "run, also from inside the editor"),
    ("F8", "run, or continue to the next breakpoint"),
    ("F10 / F11", "step one instruction"),
    ("Shift+F11", "step back"),
    ("↑ / ↓ in the console", "earlier commands"),
    (
        "Tab in the console",
        "complete a command or a /sys/fs/bpf path",
    ),
    (
        "Ctrl+A in a pane",
        "select that pane's text (Copy copies it all)",
    ),
];

/// The first-visit introduction: what the playground is, its keys and five things to
/// try. Closing it is remembered; the `?` button opens it again. It is a band above
/// the panes rather than a dialog over them, so it never stands in the way.
#[component(Intro)]
pub fn intro() -> Html {
    let ws = use_workspace();
    if ws.preferences.intro_dismissed {
        return Html::default();
    }
    let close = dispatch(&ws, || Action::ShowIntro(false));
    html! {
        <section id="intro" class="intro" aria-labelledby="intro-title">
            <button class="intro-x" title="Close" aria-label="Close" onclick={close.clone()}>{ "✕" }</button>
            <h2 id="intro-title">{ "Welcome to bpfplay" }</h2>
            <p>{ "An eBPF playground modelling Linux 4.4: write a program, see its bytecode, \
                  have 4.4's verifier check it, then run and step through it (backwards too) \
                  against an emulated kernel with maps, pins and a bpftool-style console. \
                  Nothing leaves your browser." }</p>
            <div class="intro-columns">
                <div>
                    <h3>{ "Five things to try" }</h3>
                    <ol>{ for THINGS_TO_TRY.iter().map(|t| html! { <li>{ *t }</li> }) }</ol>
                </div>
                <div>
                    <h3>{ "Shortcuts" }</h3>
                    <table class="shortcuts">
                        { for SHORTCUTS.iter().map(|(key, what)| html! {
                            <tr><td><kbd>{ *key }</kbd></td><td>{ *what }</td></tr>
                        }) }
                    </table>
                </div>
            </div>
            <button id="intro-close" class="intro-close" onclick={close}>{ "Got it" }</button>
            <span class="hint">{ " The ? button at the top shows this again." }</span>
        </section>
    }
}
