//! wasmi as an engine for the JIT's driver loop (`bpfplay_core::jit::host::drive`):
//! shared by `tests/jit.rs`, `benches/jit.rs` and the fuzz target `jit`.

use bpfplay_core::jit::abi::{
    EXPORT_RUN, IMPORT_EARLY_EXIT, IMPORT_FAULT, IMPORT_HELPER, IMPORT_MEMORY, IMPORT_MODULE,
};
use bpfplay_core::jit::host::{Engine, Imports, LinearMemory};
use std::collections::HashMap;
use wasmi::{AsContext, AsContextMut};

const PAGE: u32 = 65536;

/// What the imports reach in a run's store.
struct RunData {
    imports: Imports,
    memory: Option<wasmi::Memory>,
}

/// The store, imports and memory of the run in progress.
struct Run {
    store: wasmi::Store<RunData>,
    linker: wasmi::Linker<RunData>,
    memory: wasmi::Memory,
}

pub struct Wasmi {
    engine: wasmi::Engine,
    /// wasmi's fuel for each run: the JIT has no fuel of its own, so this bounds a
    /// runaway test.
    fuel: Option<u64>,
    /// Compiled modules kept between runs, by their bytes (`None`: compiled every time).
    modules: Option<HashMap<Vec<u8>, wasmi::Module>>,
    run: Option<Run>,
}

impl Wasmi {
    /// An engine that gives every run `fuel` (if any) and compiles every module it is given.
    pub fn new(fuel: Option<u64>) -> Wasmi {
        let mut config = wasmi::Config::default();
        config.consume_fuel(fuel.is_some());
        Wasmi {
            engine: wasmi::Engine::new(&config),
            fuel,
            modules: None,
            run: None,
        }
    }

    /// Keeps compiled modules between runs (as a page keeps what it compiled warm), so
    /// that a benchmark measures the runs.
    #[allow(dead_code)] // the benchmark's choice
    pub fn keeping_modules(mut self) -> Wasmi {
        self.modules = Some(HashMap::new());
        self
    }

    fn run(&self) -> &Run {
        self.run.as_ref().expect("the driver starts a run first")
    }
}

fn read(memory: wasmi::Memory, ctx: impl AsContext, at: u32, out: &mut [u8]) {
    memory
        .read(ctx, at as usize, out)
        .expect("the host reads inside the memory it grew");
}

fn write(memory: wasmi::Memory, ctx: impl AsContextMut, at: u32, bytes: &[u8]) {
    memory
        .write(ctx, at as usize, bytes)
        .expect("the host writes inside the memory it grew");
}

fn grow_to(memory: wasmi::Memory, mut ctx: impl AsContextMut, len: u32) -> Result<(), String> {
    let have = memory.data_size(&ctx);
    if len as usize > have {
        let pages = (len as usize - have).div_ceil(PAGE as usize) as u64;
        memory.grow(&mut ctx, pages).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Linear memory as an import function sees it.
struct CallerMemory<'a, 'c> {
    caller: &'a mut wasmi::Caller<'c, RunData>,
    memory: wasmi::Memory,
}

impl LinearMemory for CallerMemory<'_, '_> {
    fn read(&self, at: u32, out: &mut [u8]) {
        read(self.memory, &*self.caller, at, out)
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        write(self.memory, &mut *self.caller, at, bytes)
    }

    fn grow_to(&mut self, len: u32) -> Result<(), String> {
        grow_to(self.memory, &mut *self.caller, len)
    }
}

impl LinearMemory for Wasmi {
    fn read(&self, at: u32, out: &mut [u8]) {
        let run = self.run();
        read(run.memory, &run.store, at, out)
    }

    fn write(&mut self, at: u32, bytes: &[u8]) {
        let run = self.run.as_mut().expect("the driver starts a run first");
        write(run.memory, &mut run.store, at, bytes)
    }

    fn grow_to(&mut self, len: u32) -> Result<(), String> {
        let run = self.run.as_mut().expect("the driver starts a run first");
        grow_to(run.memory, &mut run.store, len)
    }
}

impl Engine for Wasmi {
    type Instance = wasmi::TypedFunc<(), i64>;

    fn start(&mut self, len: u32, imports: Imports) -> Result<(), String> {
        let data = RunData {
            imports,
            memory: None,
        };
        let mut store = wasmi::Store::new(&self.engine, data);
        if let Some(fuel) = self.fuel {
            store.set_fuel(fuel).map_err(|e| e.to_string())?;
        }
        let pages = len.div_ceil(PAGE).max(1);
        let memory = wasmi::Memory::new(&mut store, wasmi::MemoryType::new(pages, None))
            .map_err(|e| e.to_string())?;
        store.data_mut().memory = Some(memory);
        let mut linker = <wasmi::Linker<RunData>>::new(&self.engine);
        linker
            .define(IMPORT_MODULE, IMPORT_MEMORY, memory)
            .map_err(|e| e.to_string())?;
        linker
            .func_wrap(
                IMPORT_MODULE,
                IMPORT_HELPER,
                |mut caller: wasmi::Caller<'_, RunData>,
                 pc: i32,
                 id: i32,
                 r1: i64,
                 r2: i64,
                 r3: i64,
                 r4: i64,
                 r5: i64| {
                    let imports = caller.data().imports.clone();
                    let memory = caller.data().memory.expect("defined with the store");
                    let mut linear = CallerMemory {
                        caller: &mut caller,
                        memory,
                    };
                    imports
                        .helper(&mut linear, pc, id, [r1, r2, r3, r4, r5])
                        .map_err(wasmi::Error::new)
                },
            )
            .map_err(|e| e.to_string())?;
        linker
            .func_wrap(
                IMPORT_MODULE,
                IMPORT_FAULT,
                |caller: wasmi::Caller<'_, RunData>, pc: i32, code: i32, detail: i64| {
                    caller.data().imports.fault(pc, code, detail);
                },
            )
            .map_err(|e| e.to_string())?;
        linker
            .func_wrap(
                IMPORT_MODULE,
                IMPORT_EARLY_EXIT,
                |caller: wasmi::Caller<'_, RunData>, pc: i32, code: i32| {
                    caller.data().imports.early_exit(pc, code);
                },
            )
            .map_err(|e| e.to_string())?;
        self.run = Some(Run {
            store,
            linker,
            memory,
        });
        Ok(())
    }

    fn instantiate(&mut self, wasm: &[u8]) -> Result<Self::Instance, String> {
        let compile = |engine: &wasmi::Engine| {
            wasmi::Module::new(engine, wasm)
                .map_err(|e| format!("the JIT emitted invalid wasm: {e}"))
        };
        let module = match &mut self.modules {
            Some(kept) => match kept.get(wasm) {
                Some(module) => module.clone(),
                None => {
                    let module = compile(&self.engine)?;
                    kept.insert(wasm.to_vec(), module.clone());
                    module
                }
            },
            None => compile(&self.engine)?,
        };
        let run = self.run.as_mut().ok_or("no run started")?;
        let instance = run
            .linker
            .instantiate_and_start(&mut run.store, &module)
            .map_err(|e| e.to_string())?;
        instance
            .get_typed_func::<(), i64>(&run.store, EXPORT_RUN)
            .map_err(|e| e.to_string())
    }

    fn call_run(&mut self, instance: &Self::Instance) -> Result<u64, String> {
        let run = self.run.as_mut().ok_or("no run started")?;
        instance
            .call(&mut run.store, ())
            .map(|r0| r0 as u64)
            .map_err(|e| e.to_string())
    }
}
