//! Browser tests (headless Chromium through wasm-bindgen-test): core runs in wasm, and
//! the app's panels render and react to clicks and keys.
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

fn click(id: &str) {
    let el: web_sys::HtmlElement = document().get_element_by_id(id).unwrap().dyn_into().unwrap();
    el.click();
}

async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(30)).await;
}

async fn mount() {
    web_sys::window().unwrap().local_storage().unwrap().unwrap().clear().unwrap();
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<bpfplay_web::App>::with_root(root).render();
    settle().await;
}

#[wasm_bindgen_test]
fn core_runs_in_wasm() {
    let program = assemble("r0 = 0x1122334455667788 ll\nr0 = be64 r0\nexit", None).unwrap().program;
    let mut vm = Vm::new(program, Config::default()).unwrap();
    assert_eq!(vm.run(&mut NoHelpers, &[]), RunStop::Exited { r0: 0x8877665544332211 });
}

#[wasm_bindgen_test]
async fn app_verifies_runs_steps_and_steps_back() {
    mount().await;
    assert!(text_of("verifier").contains("0: (bf) r6 = r1"), "{}", text_of("verifier"));
    assert!(text_of("verdict").contains("accepted"));
    click("run");
    settle().await;
    assert!(text_of("status").starts_with("exited: r0 = 0x46"), "{}", text_of("status"));
    assert!(text_of("status").contains("keep the whole packet (70 bytes)"), "{}", text_of("status"));
    click("reset");
    settle().await;
    click("step");
    click("step");
    settle().await;
    assert!(text_of("counter").starts_with("2 instructions executed"), "{}", text_of("counter"));
    // Step back with Shift+F11, as in DevTools.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("F11");
    init.set_shift_key(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().dispatch_event(&event).unwrap();
    settle().await;
    assert!(text_of("counter").starts_with("1 instructions executed"), "{}", text_of("counter"));
    assert!(document().query_selector("#registers tr.changed").unwrap().is_some(), "the changed register is highlighted");
}
