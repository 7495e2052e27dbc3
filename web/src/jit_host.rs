//! Runs JIT-compiled modules with the browser's own WebAssembly engine (V8 in
//! Chromium), through js-sys: core's driver loop ([`host::drive`]) runs the program on
//! a [`BrowserEngine`], whose imports are Rust closures forwarding to core's
//! [`Imports`], so helper calls reach the emulated kernel exactly as in the interpreter.

use crate::jit::{JitOutcome, JitRunner};
use bpfplay_core::jit::abi::{
    EXPORT_RUN, IMPORT_EARLY_EXIT, IMPORT_FAULT, IMPORT_HELPER, IMPORT_MEMORY, IMPORT_MODULE,
};
use bpfplay_core::jit::host::{self, Engine, Imports, JitRun, LinearMemory};
use bpfplay_core::vm::Helpers;
use js_sys::{BigInt, Function, Object, Reflect, Uint8Array, WebAssembly};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub struct BrowserJit;

const PAGE: u32 = 65536;

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

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| js_error("wasm JIT imports", e))
}

/// A `WebAssembly.Memory`, read and written in place: a view on the bytes asked for,
/// never a copy of the whole buffer.
struct JsMemory(WebAssembly::Memory);

impl JsMemory {
    fn view(&self, at: u32, len: usize) -> Uint8Array {
        Uint8Array::new_with_byte_offset_and_length(&self.0.buffer(), at, len as u32)
    }
}

impl LinearMemory for JsMemory {
    fn read(&self, at: u32, out: &mut [u8]) {
        self.view(at, out.len()).copy_to(out);
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        self.view(at, bytes.len()).copy_from(bytes);
    }

    fn grow_to(&mut self, len: u32) -> Result<(), String> {
        let have = Uint8Array::new(&self.0.buffer()).length();
        if len > have {
            self.0.grow((len - have).div_ceil(PAGE));
        }
        Ok(())
    }
}

type HelperImport = Closure<dyn FnMut(i32, i32, i64, i64, i64, i64, i64) -> Result<i64, JsValue>>;

/// The memory and imports of the run in progress.
struct Run {
    memory: JsMemory,
    imports: Object,
    /// The functions behind `imports`, alive as long as the run.
    _closures: (
        HelperImport,
        Closure<dyn FnMut(i32, i32, i64)>,
        Closure<dyn FnMut(i32, i32)>,
    ),
}

/// The browser's WebAssembly as the driver's engine, timing what it does.
#[derive(Default)]
struct BrowserEngine {
    run: Option<Run>,
    /// Milliseconds in the browser's compile and instantiate.
    instantiate_ms: f64,
    /// Milliseconds inside the modules (helper calls included).
    run_ms: f64,
}

impl BrowserEngine {
    fn run(&self) -> Result<&Run, String> {
        self.run
            .as_ref()
            .ok_or_else(|| String::from("no run started"))
    }

    fn memory(&mut self) -> &mut JsMemory {
        &mut self
            .run
            .as_mut()
            .expect("the driver starts a run before it touches memory")
            .memory
    }
}

impl LinearMemory for BrowserEngine {
    fn read(&self, at: u32, out: &mut [u8]) {
        self.run
            .as_ref()
            .expect("the driver starts a run before it touches memory")
            .memory
            .read(at, out);
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        self.memory().write(at, bytes);
    }

    fn grow_to(&mut self, len: u32) -> Result<(), String> {
        self.memory().grow_to(len)
    }
}

impl Engine for BrowserEngine {
    type Instance = Function;

    fn start(&mut self, len: u32, imports: Imports) -> Result<(), String> {
        let descriptor = Object::new();
        set(&descriptor, "initial", &len.div_ceil(PAGE).max(1).into())?;
        let memory =
            WebAssembly::Memory::new(&descriptor).map_err(|e| js_error("wasm JIT memory", e))?;
        let on_helper = {
            let (imports, memory) = (imports.clone(), memory.clone());
            HelperImport::new(
                move |pc: i32, id: i32, r1: i64, r2: i64, r3: i64, r4: i64, r5: i64| {
                    let mut linear = JsMemory(memory.clone());
                    imports
                        .helper(&mut linear, pc, id, [r1, r2, r3, r4, r5])
                        .map_err(|message| JsValue::from_str(&message))
                },
            )
        };
        let on_fault = {
            let imports = imports.clone();
            Closure::<dyn FnMut(i32, i32, i64)>::new(move |pc: i32, code: i32, detail: i64| {
                imports.fault(pc, code, detail)
            })
        };
        let on_early_exit = Closure::<dyn FnMut(i32, i32)>::new(move |pc: i32, code: i32| {
            imports.early_exit(pc, code)
        });
        let env = Object::new();
        set(&env, IMPORT_MEMORY, &memory)?;
        set(&env, IMPORT_HELPER, on_helper.as_ref())?;
        set(&env, IMPORT_FAULT, on_fault.as_ref())?;
        set(&env, IMPORT_EARLY_EXIT, on_early_exit.as_ref())?;
        let import_object = Object::new();
        set(&import_object, IMPORT_MODULE, &env)?;
        self.run = Some(Run {
            memory: JsMemory(memory),
            imports: import_object,
            _closures: (on_helper, on_fault, on_early_exit),
        });
        Ok(())
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<Function, String> {
        let start = crate::clock::now_ms();
        let compiled = WebAssembly::Module::new(&Uint8Array::from(wasm).into())
            .map_err(|e| js_error("the browser refused the compiled module", e))?;
        let instance = WebAssembly::Instance::new(&compiled, &self.run()?.imports)
            .map_err(|e| js_error("the browser could not instantiate the module", e))?;
        let run = Reflect::get(&instance.exports(), &JsValue::from_str(EXPORT_RUN))
            .map_err(|e| js_error("wasm JIT", e))?
            .dyn_into()
            .map_err(|_| String::from("the module exports no `run` function"));
        self.instantiate_ms += crate::clock::now_ms() - start;
        run
    }

    fn call_run(&mut self, instance: &Function) -> Result<u64, String> {
        let start = crate::clock::now_ms();
        let result = instance.call0(&JsValue::NULL);
        self.run_ms += crate::clock::now_ms() - start;
        match result {
            Ok(r0) => u64::try_from(BigInt::as_uint_n(64.0, &r0.unchecked_into()))
                .map_err(|e| js_error("wasm JIT result", e.into())),
            Err(e) => Err(js_error("trap", e)),
        }
    }
}

impl JitRunner for BrowserJit {
    fn run(&self, run: JitRun, helpers: Rc<RefCell<dyn Helpers>>) -> Result<JitOutcome, String> {
        let mut engine = BrowserEngine::default();
        let finished =
            host::drive(&mut engine, run, helpers).map_err(|e| format!("wasm JIT: {e}"))?;
        Ok(JitOutcome {
            vm: finished.vm,
            modules: finished.modules,
            module_bytes: finished.module_bytes,
            instantiate_ms: engine.instantiate_ms,
            run_ms: engine.run_ms,
        })
    }
}
