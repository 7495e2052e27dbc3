//! # bpfplay-core
//!
//! The engine of the bpfplay eBPF playground, `#![no_std]` + `alloc` so that it runs
//! unchanged in the browser (wasm32) and natively.
//!
//! The modules are layered: each imports only the modules its row lists, all of them
//! on rows above it, so that there is no import cycle (`tests/layers.rs` reads every
//! source file and holds the code to this table, in both directions).
//!
//! | module | may import | what it holds |
//! |---|---|---|
//! | [`linux`] | — | the Linux 4.4 facts: errno, map and program types, helper ids, names and prototypes, context layouts |
//! | [`isa`] | — | wire format, the decoded [`isa::Insn`] enum, the ISA tables, profiles |
//! | [`syntax`] | isa | the two assembly syntaxes and the mnemonics the assembler and disassembler share |
//! | [`asm`] | isa, linux, syntax | assembler for the uBPF and kernel/LLVM syntaxes (helper names from `linux`) |
//! | [`disasm`] | isa, syntax | disassembler for both syntaxes; names instructions in [`isa::ProfileError`] |
//! | [`vm`] | asm, isa, linux | interpreter over virtual memory regions, with stepping and undo (`asm`: its unit tests write programs as text; `linux`: where legacy packet loads at negative offsets read) |
//! | [`verifier`] | isa, linux | Linux 4.4's verifier with its log, plus per-instruction state and explanations |
//! | [`jit`] | isa, linux, vm | eBPF → WebAssembly compiler (first version: no local calls, no fuel) |
//! | [`kernel`] | asm, isa, linux, verifier, vm | emulated Linux 4.4: bpf(2), maps, helpers, contexts, bpffs (`asm`: its unit tests) |
//! | [`bpftool`] | isa, kernel, linux | bpftool-style commands against the kernel: parser, session, printer |
//! | [`workspace`] | asm, bpftool, isa, kernel, linux | the playground's workspace as one serde value: schema, versioned document, share links, salvage of a damaged store, running a tab |
//! | [`debug`] | asm, isa, kernel, linux, vm | time travel for the debugger: checkpoints of a run and replay, so that step-back works after a run at full speed (`asm`, `isa`: its unit tests) |
//! | [`errors`] | asm, bpftool, isa, jit, kernel, linux, verifier, vm, workspace | every error type in one place, and the root [`Error`] that wraps each |
//!
//! | feature | default | effect |
//! |---|---|---|
//! | `std` | yes | nothing beyond `std` availability; off for the browser build |
//!
//! ```
//! use bpfplay_core::{asm, vm::{Config, Vm, NoHelpers, RunStop}};
//! let program = asm::assemble("r0 = 6\nr0 *= 7\nexit", None).unwrap().program;
//! let mut vm = Vm::new(program, Config::default()).unwrap();
//! assert_eq!(vm.run(&mut NoHelpers, &[]), RunStop::Exited { r0: 42 });
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_debug_implementations)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod asm;
pub mod bpftool;
pub mod debug;
pub mod disasm;
pub mod errors;
pub mod isa;
pub mod jit;
pub mod kernel;
pub mod linux;
pub mod syntax;
pub mod verifier;
pub mod vm;
pub mod workspace;

pub use errors::Error;

/// The `alloc` names every module uses.
mod prelude {

    pub use alloc::borrow::ToOwned;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
    pub use core::fmt::Write as _;
}
