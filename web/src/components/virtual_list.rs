//! A list of fixed-height lines that renders only those in view (and a few beyond),
//! inside a scroller as tall as the whole list: a 4,096-line listing or log costs the
//! DOM nodes of a screenful, not of every line.
//!
//! What virtualising takes from the browser is given back here: a line to reveal is
//! scrolled to by its index (its row may not exist yet), and Ctrl+A then Ctrl+C copies
//! the whole text, not the rows in the DOM. The browser's find (Ctrl+F) sees only the
//! rendered rows, so lists of up to [`WHOLE_MAX`] lines are rendered whole.

use std::ops::Range;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use yew::prelude::*;

/// Height of a line in CSS pixels; the scroller passes it to the stylesheet as `--row`.
pub const ROW_PX: usize = 16;
/// Lines rendered beyond each edge of the view, so that a short scroll shows rows that
/// are there already.
const OVERSCAN: usize = 24;
/// Lists of up to this many lines are rendered whole (find and selection see them all).
pub const WHOLE_MAX: usize = 256;
/// Lines assumed in view until the scroller is measured.
const DEFAULT_VIEW_LINES: usize = 40;

/// The lines to render of a list of `len` lines whose view shows `view_lines` lines
/// from `first_visible`. Scrolled past the end (the list just shrank, and the browser
/// has not clamped its scroll yet), it is the last screenful.
pub fn window(first_visible: usize, view_lines: usize, len: usize) -> Range<usize> {
    if len <= WHOLE_MAX {
        return 0..len;
    }
    let first_visible = first_visible.min(len.saturating_sub(view_lines));
    let start = first_visible.saturating_sub(OVERSCAN).min(len);
    let end = first_visible
        .saturating_add(view_lines)
        .saturating_add(OVERSCAN)
        .min(len);
    start..end.max(start)
}

/// The scroll position that brings `line` into a view of `view_px` pixels scrolled to
/// `scroll_top`, a third of the way down (so what led to it shows above); `None` when
/// it is in view already.
pub fn reveal(scroll_top: f64, view_px: f64, line: usize) -> Option<f64> {
    let top = (line * ROW_PX) as f64;
    let in_view = top >= scroll_top && top + ROW_PX as f64 <= scroll_top + view_px;
    (!in_view).then(|| (top - view_px / 3.0).max(0.0))
}

/// The first line in view and how many lines the view holds.
fn measure(scroller: &web_sys::Element) -> (usize, usize) {
    let first = scroller.scroll_top().max(0) as usize / ROW_PX;
    let lines = (scroller.client_height().max(0) as usize).div_ceil(ROW_PX) + 1;
    (first, lines)
}

/// Whether the selection is exactly all of `rows`' children, as Ctrl+A in the pane
/// selects them (`use_pane_select_all`), rather than text chosen with the mouse.
fn selects_all_of(rows: &web_sys::Element) -> bool {
    let Ok(Some(selection)) = gloo::utils::window().get_selection() else {
        return false;
    };
    let Ok(range) = selection.get_range_at(0) else {
        return false;
    };
    let node: &web_sys::Node = rows;
    selection.range_count() == 1
        && range.start_container().ok().as_ref() == Some(node)
        && range.start_offset() == Ok(0)
        && range.end_container().ok().as_ref() == Some(node)
        && range.end_offset() == Ok(rows.child_nodes().length())
}

#[derive(Properties, PartialEq)]
pub struct VirtualListProps {
    /// Number of lines.
    pub len: usize,
    /// Renders the rows that show the lines of a range, each `--row` high per line it
    /// takes; gives the line its first row starts at (a row of two lines may start
    /// above the range) and the rows.
    pub render: Callback<Range<usize>, (usize, Html)>,
    /// A line to scroll into view, whenever it changes.
    #[prop_or_default]
    pub reveal: Option<usize>,
    /// The whole text, which a copy of everything Ctrl+A selected gives.
    pub text: Callback<(), String>,
    /// Classes of the scroller.
    #[prop_or_default]
    pub class: Classes,
}

#[component(VirtualList)]
pub fn virtual_list(props: &VirtualListProps) -> Html {
    let scroller = use_node_ref();
    let rows = use_node_ref();
    // Kept in whole lines, so that a scroll within a line renders nothing.
    let view = use_state_eq(|| (0, DEFAULT_VIEW_LINES));
    let remeasure = {
        let (scroller, view) = (scroller.clone(), view.clone());
        move || {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                view.set(measure(&el));
            }
        }
    };
    // The view's height changes with the pane's (resized by hand or by the layout).
    {
        let (scroller, remeasure) = (scroller.clone(), remeasure.clone());
        use_effect_with((), move |_| {
            let resized = Closure::<dyn FnMut()>::new(remeasure);
            let observer = web_sys::ResizeObserver::new(resized.as_ref().unchecked_ref()).ok();
            if let (Some(observer), Some(el)) = (&observer, scroller.cast::<web_sys::Element>()) {
                observer.observe(&el);
            }
            move || {
                if let Some(observer) = observer {
                    observer.disconnect();
                }
                drop(resized);
            }
        });
    }
    {
        let scroller = scroller.clone();
        use_effect_with(props.reveal, move |line| {
            if let (Some(line), Some(el)) = (line, scroller.cast::<web_sys::Element>()) {
                let view_px = f64::from(el.client_height());
                if let Some(top) = reveal(f64::from(el.scroll_top()), view_px, *line) {
                    el.set_scroll_top(top as i32);
                }
            }
        });
    }
    let onscroll = Callback::from(move |_: Event| remeasure());
    let oncopy = {
        let (rows, text) = (rows.clone(), props.text.clone());
        Callback::from(move |e: Event| {
            let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                return;
            };
            let (Some(el), Some(data)) = (rows.cast::<web_sys::Element>(), e.clipboard_data())
            else {
                return;
            };
            if selects_all_of(&el) && data.set_data("text/plain", &text.emit(())).is_ok() {
                e.prevent_default();
            }
        })
    };
    let (first_visible, view_lines) = *view;
    let (first, html) = props
        .render
        .emit(window(first_visible, view_lines, props.len));
    html! {
        <div ref={scroller} class={classes!("vlist", props.class.clone())}
             style={format!("--row: {ROW_PX}px")} {onscroll} {oncopy}>
            <div class="vlist-sizer" style={format!("height: {}px", props.len * ROW_PX)}>
                <div class="vlist-offset" style={format!("height: {}px", first * ROW_PX)} />
                <div ref={rows} class="pane-text">{ html }</div>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_is_rendered_whole_wherever_it_is_scrolled() {
        assert_eq!(window(0, 10, 0), 0..0);
        assert_eq!(window(200, 10, WHOLE_MAX), 0..WHOLE_MAX);
    }

    #[test]
    fn a_long_list_renders_the_view_and_the_overscan_only() {
        let len = 4096;
        assert_eq!(window(0, 40, len), 0..40 + OVERSCAN);
        assert_eq!(window(1000, 40, len), 1000 - OVERSCAN..1040 + OVERSCAN);
        // At the end, and scrolled past it (the list just shrank): the last screenful.
        let last_screen = len - 40 - OVERSCAN..len;
        assert_eq!(window(len - 40, 40, len), last_screen);
        assert_eq!(window(len - 10, 40, len), last_screen);
        assert_eq!(window(9000, 40, len), last_screen);
        assert_eq!(window(usize::MAX, usize::MAX, len), 0..len);
    }

    #[test]
    fn revealing_scrolls_only_to_a_line_out_of_view_and_puts_it_a_third_down() {
        let view_px = 30.0 * ROW_PX as f64;
        assert_eq!(reveal(0.0, view_px, 0), None);
        assert_eq!(reveal(0.0, view_px, 29), None);
        let top = (3000 * ROW_PX) as f64;
        assert_eq!(reveal(0.0, view_px, 3000), Some(top - view_px / 3.0));
        // Above the view, and near the top (never a negative scroll).
        assert_eq!(
            reveal(top, view_px, 2999),
            Some(top - ROW_PX as f64 - view_px / 3.0)
        );
        assert_eq!(reveal(top, view_px, 1), Some(0.0));
    }
}
