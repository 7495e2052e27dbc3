//! Browser tests (headless Chromium through wasm-bindgen-test): core runs in wasm, and
//! the app renders a program's result computed by core.
#![cfg(target_arch = "wasm32")]

use bpfplay_core::asm::assemble;
use bpfplay_core::vm::{Config, NoHelpers, RunStop, Vm};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn text_of(id: &str) -> String {
    document().get_element_by_id(id).and_then(|e| e.text_content()).unwrap_or_default()
}

async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
}

#[wasm_bindgen_test]
fn core_runs_in_wasm() {
    let program = assemble("r0 = 0x1122334455667788 ll\nr0 = be64 r0\nexit", None).unwrap().program;
    let mut vm = Vm::new(program, Config::default()).unwrap();
    assert_eq!(vm.run(&mut NoHelpers, &[]), RunStop::Exited { r0: 0x8877665544332211 });
}

#[wasm_bindgen_test]
async fn app_shows_the_result_core_computed() {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    let _app = yew::Renderer::<bpfplay_web::App>::with_root(root).render();
    settle().await;
    assert_eq!(text_of("result"), "r0 = 0x2a (42)");
    assert_eq!(text_of("executed"), "3 instructions executed");
    assert!(text_of("listing").contains("r0 *= 7"), "{}", text_of("listing"));

    // Edit the program, run it, and see core's new answer.
    let source: web_sys::HtmlTextAreaElement = document().get_element_by_id("source").unwrap().dyn_into().unwrap();
    source.set_value("mov %r0, 0x10\nlsh %r0, 4\nexit");
    source.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    settle().await;
    assert_eq!(text_of("result"), "Press Run.");
    let run: web_sys::HtmlElement = document().get_element_by_id("run").unwrap().dyn_into().unwrap();
    run.click();
    settle().await;
    assert_eq!(text_of("result"), "r0 = 0x100 (256)");
}
