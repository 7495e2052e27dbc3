//! The CodeMirror 6 editor (web/editor/src/editor.js, bundled at build time) as a Rust
//! handle. The view is an opaque JS object; closures live as long as the view.

use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

mod ffi {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/editor/dist/editor.js")]
    extern "C" {
        pub type EditorView;
        #[wasm_bindgen(js_name = createEditor)]
        pub fn create_editor(
            parent: &web_sys::Element,
            doc: &str,
            on_change: &Closure<dyn FnMut(String, bool)>,
            on_gutter_click: &Closure<dyn FnMut(u32)>,
            on_gutter_double_click: &Closure<dyn FnMut(u32)>,
        ) -> EditorView;
        #[wasm_bindgen(js_name = destroyEditor)]
        pub fn destroy_editor(view: &EditorView);
        #[wasm_bindgen(js_name = setDoc)]
        pub fn set_doc(view: &EditorView, text: &str);
        #[wasm_bindgen(js_name = setDiagnostics)]
        pub fn set_diagnostics(view: &EditorView, diagnostics: JsValue);
        #[wasm_bindgen(js_name = setCurrentLine)]
        pub fn set_current_line(view: &EditorView, line: u32);
        #[wasm_bindgen(js_name = setBreakpoints)]
        pub fn set_breakpoints(view: &EditorView, lines: Vec<u32>);
    }
}

/// A diagnostic at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub severity: &'static str,
}

type Closures = (
    Closure<dyn FnMut(String, bool)>,
    Closure<dyn FnMut(u32)>,
    Closure<dyn FnMut(u32)>,
);

struct Inner {
    view: ffi::EditorView,
    _closures: Closures,
}

impl Drop for Inner {
    fn drop(&mut self) {
        ffi::destroy_editor(&self.view);
    }
}

/// A live editor; clones share it, and the last drop destroys it.
#[derive(Clone)]
pub struct Editor(Rc<Inner>);

impl Editor {
    pub fn new(
        parent: &web_sys::Element,
        doc: &str,
        // The text, and whether it was pasted (or dropped, or inserted in one large
        // change) rather than typed.
        on_change: impl FnMut(String, bool) + 'static,
        on_gutter_click: impl FnMut(u32) + 'static,
        on_gutter_double_click: impl FnMut(u32) + 'static,
    ) -> Self {
        let closures: Closures = (
            Closure::new(on_change),
            Closure::new(on_gutter_click),
            Closure::new(on_gutter_double_click),
        );
        let view = ffi::create_editor(parent, doc, &closures.0, &closures.1, &closures.2);
        Editor(Rc::new(Inner {
            view,
            _closures: closures,
        }))
    }

    pub fn set_doc(&self, text: &str) {
        ffi::set_doc(&self.0.view, text);
    }

    pub fn set_diagnostics(&self, diagnostics: &[Diagnostic]) {
        if let Ok(value) = serde_wasm_bindgen::to_value(diagnostics) {
            ffi::set_diagnostics(&self.0.view, value);
        }
    }

    pub fn set_current_line(&self, line: Option<usize>) {
        ffi::set_current_line(&self.0.view, line.unwrap_or(0) as u32);
    }

    pub fn set_breakpoints(&self, lines: Vec<u32>) {
        ffi::set_breakpoints(&self.0.view, lines);
    }
}
