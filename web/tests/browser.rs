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
    document()
        .get_element_by_id(id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

fn click(id: &str) {
    let el: web_sys::HtmlElement = document()
        .get_element_by_id(id)
        .unwrap()
        .dyn_into()
        .unwrap();
    el.click();
}

async fn settle() {
    yew::platform::time::sleep(std::time::Duration::from_millis(30)).await;
}

/// Waits until `done` holds, for up to 5 s: Yew renders on its own schedule, which a
/// loaded machine stretches well past one short sleep.
async fn eventually(done: impl Fn() -> bool) {
    for _ in 0..250 {
        if done() {
            return;
        }
        yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn mount() {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .clear()
        .unwrap();
    // One app per page, since ids are unique only within an app (the test runner's
    // own output lives in the body too, so only earlier apps are removed).
    let earlier = document().query_selector_all(".test-app-root").unwrap();
    for i in 0..earlier.length() {
        if let Some(node) = earlier.item(i) {
            node.dyn_into::<web_sys::Element>().unwrap().remove();
        }
    }
    let root = document().create_element("div").unwrap();
    root.set_class_name("test-app-root");
    document().body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<bpfplay_web::App>::with_root(root).render();
    settle().await;
}

#[wasm_bindgen_test]
fn core_runs_in_wasm() {
    let program = assemble("r0 = 0x1122334455667788 ll\nr0 = be64 r0\nexit", None)
        .unwrap()
        .program;
    let mut vm = Vm::new(program, Config::default()).unwrap();
    assert_eq!(
        vm.run(&mut NoHelpers, &[]),
        RunStop::Exited {
            r0: 0x8877665544332211
        }
    );
}

#[wasm_bindgen_test]
async fn app_verifies_runs_steps_and_steps_back() {
    mount().await;
    assert!(
        text_of("verifier").contains("0: (bf) r6 = r1"),
        "{}",
        text_of("verifier")
    );
    assert!(text_of("verdict").contains("accepted"));
    click("run");
    eventually(|| text_of("status").starts_with("exited")).await;
    assert!(
        text_of("status").starts_with("exited: r0 = 0x46"),
        "{}",
        text_of("status")
    );
    assert!(
        text_of("status").contains("keep the whole packet (70 bytes)"),
        "{}",
        text_of("status")
    );
    click("reset");
    settle().await;
    click("step");
    click("step");
    eventually(|| text_of("counter").starts_with("2 ")).await;
    assert!(
        text_of("counter").starts_with("2 instructions executed"),
        "{}",
        text_of("counter")
    );
    // Step back with Shift+F11, as in DevTools.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("F11");
    init.set_shift_key(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    document().dispatch_event(&event).unwrap();
    eventually(|| text_of("counter").starts_with("1 ")).await;
    assert!(
        text_of("counter").starts_with("1 instruction executed"),
        "{}",
        text_of("counter")
    );
    assert!(
        document()
            .query_selector("#registers tr.changed")
            .unwrap()
            .is_some(),
        "the changed register is highlighted"
    );
}

fn count(selector: &str) -> u32 {
    document().query_selector_all(selector).unwrap().length()
}

#[wasm_bindgen_test]
async fn tabs_and_the_map_form_dispatch() {
    mount().await;
    let tabs = count(".tabs .tab");
    click("new-tab");
    settle().await;
    assert_eq!(count(".tabs .tab"), tabs + 1);
    assert_eq!(
        document()
            .query_selector(".tab.active .tab-name")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        format!("program{}", tabs + 1)
    );

    let set = |selector: &str, value: &str| {
        let input: web_sys::HtmlInputElement = document()
            .query_selector(selector)
            .unwrap()
            .unwrap()
            .dyn_into()
            .unwrap();
        input.set_value(value);
    };
    set("#map-create [name=path]", "/sys/fs/bpf/from_form");
    set("#map-create [name=name]", "from_form");
    let submit: web_sys::HtmlElement = document()
        .query_selector("#map-create button[type=submit]")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    submit.click();
    eventually(|| text_of("bpffs").contains("/sys/fs/bpf/from_form")).await;
    let headings: Vec<String> = (0..count(".map h4"))
        .filter_map(|i| {
            document()
                .query_selector_all(".map h4")
                .unwrap()
                .item(i)?
                .text_content()
        })
        .collect();
    assert!(
        headings
            .iter()
            .any(|h| h.contains(" from_form  hash  key 4B value 8B entries 16")),
        "{headings:?} {}",
        text_of("console-output")
    );
    assert!(
        text_of("bpffs").contains("/sys/fs/bpf/from_form"),
        "{}",
        text_of("bpffs")
    );
}

/// Picks an option of a `<select>` as a user would (a bubbling change event).
fn choose(id: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = document()
        .get_element_by_id(id)
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    select
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("change", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_wasm_jit_runs_in_the_browser_and_agrees_with_the_interpreter() {
    mount().await;
    choose("example", "answer.s");
    choose("engine", "jit");
    settle().await;
    click("run");
    eventually(|| !text_of("jit-status").is_empty()).await;
    let jit = text_of("jit-status");
    assert!(
        jit.starts_with("wasm JIT: r0 = 0x2a in "),
        "{jit} / {}",
        text_of("notice")
    );
    assert!(jit.ends_with("the interpreter agrees"), "{jit}");
    assert!(
        text_of("status").starts_with("exited: r0 = 0x2a"),
        "{}",
        text_of("status")
    );
}

#[wasm_bindgen_test]
async fn every_example_agrees_between_jit_and_interpreter() {
    // Kernel examples included: helpers, maps and tail calls go through the JIT's
    // imports, and the end, the report and the kernel afterwards must all agree.
    mount().await;
    choose("engine", "jit");
    let mut compared = Vec::new();
    for example in bpfplay_web::examples::EXAMPLES {
        choose("example", example.name);
        settle().await;
        click("run");
        settle().await;
        let jit = text_of("jit-status");
        if jit.is_empty() {
            // A rejection's headline is the verifier's message; Run says why it did not run.
            assert!(
                text_of("notice").contains("verifier rejected the program"),
                "{}: no JIT run: {}",
                example.name,
                text_of("notice")
            );
        } else {
            assert!(
                jit.ends_with("the interpreter agrees"),
                "{}: {jit}",
                example.name
            );
            compared.push(example.name);
        }
        click("reset");
    }
    assert!(
        compared.len() + 1 >= bpfplay_web::examples::EXAMPLES.len(),
        "only {compared:?} ran through the JIT"
    );
}
