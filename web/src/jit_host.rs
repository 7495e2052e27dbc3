//! Runs JIT-compiled modules with the browser's own WebAssembly engine (V8 in
//! Chromium), through js-sys.

use crate::jit::{JitOutcome, JitRunner, JitStop};
use js_sys::{BigInt, Function, Object, Reflect, Uint8Array, WebAssembly};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub struct BrowserJit;

fn js_error(context: &str, e: JsValue) -> String {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string());
    format!(
        "{context}: {}",
        text.unwrap_or_else(|| String::from("unknown error"))
    )
}

/// Milliseconds from the page's high-resolution clock.
fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| js_error("wasm JIT imports", e))
}

impl JitRunner for BrowserJit {
    fn run(&self, module: &[u8], image: &[u8], r1: u64, r2: u64) -> Result<JitOutcome, String> {
        let start = now();
        let compiled = WebAssembly::Module::new(&Uint8Array::from(module).into())
            .map_err(|e| js_error("the browser refused the compiled module", e))?;
        let descriptor = Object::new();
        let pages = image.len().div_ceil(65536).max(1) as u32;
        set(&descriptor, "initial", &pages.into())?;
        let memory =
            WebAssembly::Memory::new(&descriptor).map_err(|e| js_error("wasm JIT memory", e))?;
        Uint8Array::new(&memory.buffer()).set(&Uint8Array::from(image), 0);

        // `fault` and `early_exit` record where the program stopped; the module then
        // traps or returns 0.
        let stopped: Rc<Cell<Option<JitStop>>> = Rc::new(Cell::new(None));
        let on_fault = {
            let stopped = stopped.clone();
            Closure::<dyn Fn(i32, i32)>::new(move |pc: i32, kind: i32| {
                stopped.set(Some(JitStop::Fault {
                    pc: pc as u32,
                    kind,
                }));
            })
        };
        let on_early_exit = {
            let stopped = stopped.clone();
            Closure::<dyn Fn(i32, i32)>::new(move |pc: i32, kind: i32| {
                stopped.set(Some(JitStop::EarlyExit {
                    pc: pc as u32,
                    kind,
                }));
            })
        };
        // Programs with helper calls are refused before compiling (see `jit::prepare`).
        let helper = Function::new_no_args("throw new Error('the wasm JIT has no helpers')");
        let env = Object::new();
        set(&env, "memory", &memory)?;
        set(&env, "helper", &helper)?;
        set(&env, "fault", on_fault.as_ref())?;
        set(&env, "early_exit", on_early_exit.as_ref())?;
        let imports = Object::new();
        set(&imports, "env", &env)?;
        let instance = WebAssembly::Instance::new(&compiled, &imports)
            .map_err(|e| js_error("the browser could not instantiate the module", e))?;
        let run: Function = Reflect::get(&instance.exports(), &JsValue::from_str("run"))
            .map_err(|e| js_error("wasm JIT", e))?
            .dyn_into()
            .map_err(|_| String::from("wasm JIT: the module exports no `run` function"))?;
        let ready = now();
        let result = run.call2(
            &JsValue::NULL,
            &BigInt::from(r1 as i64).into(),
            &BigInt::from(r2 as i64).into(),
        );
        let done = now();
        let stop = match (stopped.take(), result) {
            (Some(stop), _) => stop,
            (None, Ok(r0)) => {
                let r0 = BigInt::as_uint_n(64.0, &r0.unchecked_into());
                JitStop::Exited {
                    r0: u64::try_from(r0).map_err(|e| js_error("wasm JIT result", e.into()))?,
                }
            }
            (None, Err(e)) => return Err(js_error("the JIT-compiled program trapped", e)),
        };
        Ok(JitOutcome {
            stop,
            instantiate_ms: ready - start,
            run_ms: done - ready,
        })
    }
}
