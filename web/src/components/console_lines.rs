use crate::state::ConsoleLine;
use std::rc::Rc;
use yew::prelude::*;

/// The console's lines as shown: the last ones, and how many earlier ones are left out.
pub type ShownLines = Rc<(Vec<ConsoleLine>, usize)>;

#[derive(Properties)]
pub struct ConsoleLinesProps {
    pub shown: ShownLines,
    /// How many lines the console shows at most, for the note on those left out.
    pub limit: usize,
}

/// Props are equal when they hold the same lines: the console makes a new [`ShownLines`]
/// only when its lines change, so that a render for anything else (a key typed in the
/// editor) skips its up to `limit` lines.
impl PartialEq for ConsoleLinesProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.shown, &other.shown) && self.limit == other.limit
    }
}

/// The lines of the console's output, commands and errors each with their class.
#[component(ConsoleLines)]
pub fn console_lines(props: &ConsoleLinesProps) -> Html {
    let (lines, hidden) = &*props.shown;
    let limit = props.limit;
    html! {
        <>
            if *hidden > 0 {
                <div class="hint">{ format!(
                    "… {hidden} earlier lines are not shown: the console shows its last {limit} (Copy copies them all)"
                ) }</div>
            }
            { for lines.iter().map(|l| {
                let class = match l {
                    ConsoleLine::Command(_) => "cmd",
                    ConsoleLine::Output(_) => "",
                    ConsoleLine::Error(_) => "error",
                };
                html! { <div {class}>{ l.text() }</div> }
            }) }
        </>
    }
}
