//! The one loop that runs a [`JitRun`] to its end (helpers, tail calls, faults, early
//! exits, the end state) on any WebAssembly engine, and the small interface an engine
//! implements for it: [`LinearMemory`] and [`Engine`]. The engine's import functions
//! forward to [`Imports`].

use super::{JitHostError, JitRun, Next};
use crate::jit::compile;
use crate::prelude::*;
use crate::vm::{Helpers, Prepared, Vm};
use alloc::rc::{Rc, Weak};
use core::cell::RefCell;

/// A module's linear memory, as the host reads and writes it. The host only reads and
/// writes bytes below the length it last grew the memory to (or the starting length).
pub trait LinearMemory {
    /// Fills `out` from linear address `at`.
    fn read(&self, at: u32, out: &mut [u8]);
    /// Writes `bytes` at linear address `at`.
    fn write(&mut self, at: u32, bytes: &[u8]);
    /// Grows the memory, if needed, to hold at least `len` bytes.
    ///
    /// # Errors
    /// The engine could not grow it.
    fn grow_to(&mut self, len: u32) -> Result<(), String>;
}

/// A WebAssembly engine, as [`drive`] uses it. Its [`LinearMemory`] is the memory of the
/// run in progress.
pub trait Engine: LinearMemory {
    /// An instantiated module.
    type Instance;

    /// Starts a run: creates a linear memory of at least `len` bytes, which every module
    /// instantiated until the next `start` imports as [`crate::jit::abi::IMPORT_MEMORY`],
    /// and binds those modules' other imports to `imports` (`helper` to
    /// [`Imports::helper`], `fault` to [`Imports::fault`], `early_exit` to
    /// [`Imports::early_exit`]; names and signatures in [`crate::jit::abi`]).
    ///
    /// # Errors
    /// The engine's own message.
    fn start(&mut self, len: u32, imports: Imports) -> Result<(), String>;

    /// Compiles and instantiates a module.
    ///
    /// # Errors
    /// The engine's own message (an engine that refuses the JIT's output).
    fn instantiate(&mut self, wasm: &[u8]) -> Result<Self::Instance, String>;

    /// Calls the instance's `run` export: r0, or the trap's message.
    ///
    /// # Errors
    /// The trap's message (the module traps after every reported fault, and a helper
    /// import traps when the helper faulted).
    fn call_run(&mut self, instance: &Self::Instance) -> Result<u64, String>;
}

/// What a run's imports reach: the run in progress and the helper table. An engine's
/// import functions hold a copy and forward to it; once the run is over they do nothing.
#[derive(Clone, Debug)]
pub struct Imports(Weak<RefCell<Running>>);

struct Running {
    run: JitRun,
    helpers: Rc<RefCell<dyn Helpers>>,
}

impl core::fmt::Debug for Running {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Running").field("run", &self.run).finish()
    }
}

impl Imports {
    /// `env.helper`: calls helper `id` at `pc` with r1..r5 and returns r0 for the
    /// module; or the message the engine must trap with (the helper faulted and the
    /// fault is recorded, or the run is over).
    ///
    /// # Errors
    /// As above: the import must trap.
    pub fn helper(
        &self,
        memory: &mut dyn LinearMemory,
        pc: i32,
        id: i32,
        args: [i64; 5],
    ) -> Result<i64, String> {
        let running = self.0.upgrade().ok_or_else(over)?;
        let mut running = running.borrow_mut();
        let Running { run, helpers } = &mut *running;
        let args = args.map(|a| a as u64);
        run.helper(memory, &mut *helpers.borrow_mut(), pc, id, args)
            .map(|r0| r0 as i64)
    }

    /// `env.fault`: records the interpreter's fault for what the module reported (the
    /// module traps next).
    pub fn fault(&self, pc: i32, code: i32, detail: i64) {
        if let Some(running) = self.0.upgrade() {
            running.borrow_mut().run.fault(pc, code, detail);
        }
    }

    /// `env.early_exit`: Linux 4.4 ends the program with r0 = 0 (the module returns next).
    pub fn early_exit(&self, _pc: i32, code: i32) {
        if let Some(running) = self.0.upgrade() {
            running.borrow_mut().run.early_exit(code);
        }
    }
}

fn over() -> String {
    String::from("the JIT run this module belonged to is over")
}

/// A run that ended in the JIT.
#[derive(Debug)]
pub struct Finished {
    /// The VM as the interpreter would leave it: memory, the program it ended in, and
    /// its state (`Running` if the run never ended). Registers other than r0 are not
    /// reported.
    pub vm: Vm,
    /// Modules compiled: one per distinct program run (tail calls may add some).
    pub modules: usize,
    /// Bytes of the first module.
    pub module_bytes: usize,
}

/// Runs `run` to its end on `engine`, with `helpers` for its helper calls: compiles the
/// program, instantiates it, calls `run`, and on a tail call does the same for the
/// target on the same linear memory (a program already instantiated in this run, as
/// in a chain that calls itself, reuses its instance).
///
/// # Errors
/// The engine failed, trapped without a fault report, or the JIT cannot compile a
/// tail call's target.
pub fn drive<E: Engine>(
    engine: &mut E,
    mut run: JitRun,
    helpers: Rc<RefCell<dyn Helpers>>,
) -> Result<Finished, JitHostError> {
    let profile = run.config().profile;
    let image = run.image();
    let running = Rc::new(RefCell::new(Running { run, helpers }));
    engine
        .start(image.len() as u32, Imports(Rc::downgrade(&running)))
        .map_err(JitHostError::Engine)?;
    engine.write(0, &image);
    let mut instances: Vec<(Rc<Prepared>, E::Instance)> = Vec::new();
    let mut module_bytes = 0;
    loop {
        let program = running.borrow().run.prepared().clone();
        let known = instances.iter().position(|(p, _)| Rc::ptr_eq(p, &program));
        let index = match known {
            Some(index) => index,
            None => {
                let wasm = compile(program.program(), profile).map_err(JitHostError::Compile)?;
                if instances.is_empty() {
                    module_bytes = wasm.len();
                }
                let instance = engine.instantiate(&wasm).map_err(JitHostError::Engine)?;
                instances.push((program, instance));
                instances.len() - 1
            }
        };
        let result = engine.call_run(&instances[index].1);
        match running.borrow_mut().run.returned(&*engine, result)? {
            Next::TailCall => continue,
            Next::Done => break,
        }
    }
    let modules = instances.len();
    // The engine holds only weak handles, so the run is ours alone again.
    let Running { run, .. } = match Rc::try_unwrap(running) {
        Ok(running) => running.into_inner(),
        Err(_) => unreachable!("imports hold weak handles only"),
    };
    Ok(Finished {
        vm: run.finish(),
        modules,
        module_bytes,
    })
}
