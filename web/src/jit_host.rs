//! Runs JIT-compiled modules with the browser's own WebAssembly engine (V8 in
//! Chromium), through js-sys. The imports are Rust closures over core's
//! [`JitRun`], so helper calls reach the emulated kernel exactly as in the interpreter.

use crate::jit::{JitOutcome, JitRunner};
use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::jit::host::{JitRun, Next};
use bpfplay_core::vm::{Helpers, Prepared};
use js_sys::{BigInt, Function, Object, Reflect, Uint8Array, WebAssembly};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub struct BrowserJit;

const PAGE: usize = 65536;

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

/// The used part of linear memory, as `JitRun`'s imports take it.
fn read_linear(memory: &WebAssembly::Memory, used: usize) -> Vec<u8> {
    Uint8Array::new_with_byte_offset_and_length(&memory.buffer(), 0, used as u32).to_vec()
}

/// Writes `bytes` at linear address 0, growing the memory first if they do not fit.
fn write_linear(memory: &WebAssembly::Memory, bytes: &[u8]) {
    let have = Uint8Array::new(&memory.buffer()).length() as usize;
    if bytes.len() > have {
        memory.grow((bytes.len() - have).div_ceil(PAGE) as u32);
    }
    Uint8Array::new(&memory.buffer()).set(&Uint8Array::from(bytes), 0);
}

/// Compiles `program` and instantiates it with `imports`; returns its `run`, and adds the
/// module's size to `module_bytes` when it is the first.
fn instantiate(
    program: &Program,
    profile: Profile,
    imports: &Object,
    module_bytes: &mut usize,
) -> Result<Function, String> {
    let wasm =
        bpfplay_core::jit::compile(program, profile).map_err(|e| format!("wasm JIT: {e}"))?;
    if *module_bytes == 0 {
        *module_bytes = wasm.len();
    }
    let compiled = WebAssembly::Module::new(&Uint8Array::from(&wasm[..]).into())
        .map_err(|e| js_error("the browser refused the compiled module", e))?;
    let instance = WebAssembly::Instance::new(&compiled, imports)
        .map_err(|e| js_error("the browser could not instantiate the module", e))?;
    Reflect::get(&instance.exports(), &JsValue::from_str("run"))
        .map_err(|e| js_error("wasm JIT", e))?
        .dyn_into()
        .map_err(|_| String::from("wasm JIT: the module exports no `run` function"))
}

impl JitRunner for BrowserJit {
    fn run(
        &self,
        mut run: JitRun,
        helpers: Rc<RefCell<dyn Helpers>>,
    ) -> Result<JitOutcome, String> {
        let profile = run.config().profile;
        let image = run.image();
        let descriptor = Object::new();
        set(
            &descriptor,
            "initial",
            &(image.len().div_ceil(PAGE).max(1) as u32).into(),
        )?;
        let memory =
            WebAssembly::Memory::new(&descriptor).map_err(|e| js_error("wasm JIT memory", e))?;
        write_linear(&memory, &image);
        let run = Rc::new(RefCell::new(run));

        let on_helper = {
            let (run, memory) = (run.clone(), memory.clone());
            Closure::<dyn FnMut(i32, i32, i64, i64, i64, i64, i64) -> Result<i64, JsValue>>::new(
                move |pc: i32, id: i32, r1: i64, r2: i64, r3: i64, r4: i64, r5: i64| {
                    let mut run = run.borrow_mut();
                    let mut bytes = read_linear(&memory, run.used());
                    let args = [r1 as u64, r2 as u64, r3 as u64, r4 as u64, r5 as u64];
                    let r0 = run.helper(&mut bytes, &mut *helpers.borrow_mut(), pc, id, args);
                    write_linear(&memory, &bytes);
                    r0.map(|r0| r0 as i64)
                        .ok_or_else(|| JsValue::from_str(&format!("helper {id} faulted")))
                },
            )
        };
        let on_fault = {
            let (run, memory) = (run.clone(), memory.clone());
            Closure::<dyn FnMut(i32, i32, i64)>::new(move |pc: i32, code: i32, detail: i64| {
                let mut run = run.borrow_mut();
                let bytes = read_linear(&memory, run.used());
                run.fault(&bytes, pc, code, detail);
            })
        };
        let on_early_exit = {
            let run = run.clone();
            Closure::<dyn FnMut(i32, i32)>::new(move |pc: i32, code: i32| {
                run.borrow_mut().early_exit(pc, code)
            })
        };
        let env = Object::new();
        set(&env, "memory", &memory)?;
        set(&env, "helper", on_helper.as_ref())?;
        set(&env, "fault", on_fault.as_ref())?;
        set(&env, "early_exit", on_early_exit.as_ref())?;
        let imports = Object::new();
        set(&imports, "env", &env)?;

        // One module per program: a tail call back to a program already compiled (a
        // chain that calls itself) reuses its instance.
        let mut compiled: Vec<(Rc<Prepared>, Function)> = Vec::new();
        let (mut module_bytes, mut instantiate_ms, mut run_ms) = (0, 0.0, 0.0);
        loop {
            let start = now();
            let program = run.borrow().prepared().clone();
            let known = compiled
                .iter()
                .find(|(p, _)| Rc::ptr_eq(p, &program))
                .map(|(_, f)| f.clone());
            let entry = match known {
                Some(entry) => entry,
                None => {
                    let entry =
                        instantiate(program.program(), profile, &imports, &mut module_bytes)?;
                    compiled.push((program, entry.clone()));
                    entry
                }
            };
            let ready = now();
            let result = entry.call0(&JsValue::NULL);
            let done = now();
            instantiate_ms += ready - start;
            run_ms += done - ready;
            let result = match result {
                Ok(r0) => u64::try_from(BigInt::as_uint_n(64.0, &r0.unchecked_into()))
                    .map_err(|e| js_error("wasm JIT result", e.into())),
                Err(e) => Err(js_error("trap", e)),
            };
            let mut run = run.borrow_mut();
            let bytes = read_linear(&memory, run.used());
            match run
                .returned(&bytes, result)
                .map_err(|e| format!("wasm JIT: {e}"))?
            {
                Next::TailCall => continue,
                Next::Done => break,
            }
        }
        drop((on_helper, on_fault, on_early_exit));
        let run = Rc::try_unwrap(run)
            .map_err(|_| String::from("wasm JIT: the imports outlived the run"))?;
        Ok(JitOutcome {
            vm: run.into_inner().finish(),
            modules: compiled.len(),
            module_bytes,
            instantiate_ms,
            run_ms,
        })
    }
}
