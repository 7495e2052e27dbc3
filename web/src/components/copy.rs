use gloo::timers::callback::Timeout;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use yew::prelude::*;

/// Milliseconds the Copy button says "Copied" for.
const COPIED_MS: u32 = 1500;

/// Copies text to the clipboard where the browser offers one (secure pages only);
/// a refusal is silent: the text stays on the page to select by hand.
pub fn copy_to_clipboard(text: &str) {
    let navigator = gloo::utils::window().navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else {
        return;
    };
    let Some(write) = write.dyn_ref::<js_sys::Function>() else {
        return;
    };
    if let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text))
        && let Ok(promise) = promise.dyn_into::<js_sys::Promise>()
    {
        // A refusal (no permission, page not focused) is not an error here; the closure
        // lives as long as the promise may call it.
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
        let _ = promise.catch(&ignore);
        ignore.forget();
    }
}

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    pub id: AttrValue,
    /// Makes the text to copy (only when clicked: a pane's whole text can be long).
    pub text: Callback<(), String>,
}

/// A pane's Copy button: puts the pane's text on the clipboard and says so briefly.
#[component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let copied = use_state(|| false);
    let timer = use_mut_ref(|| None::<Timeout>);
    let onclick = {
        let (text, copied) = (props.text.clone(), copied.clone());
        Callback::from(move |_: MouseEvent| {
            copy_to_clipboard(&text.emit(()));
            copied.set(true);
            let copied = copied.clone();
            *timer.borrow_mut() = Some(Timeout::new(COPIED_MS, move || copied.set(false)));
        })
    };
    html! {
        <button id={props.id.clone()} class="copy" title="Copy this pane's text" {onclick}>
            { if *copied { "Copied ✓" } else { "Copy" } }
        </button>
    }
}
