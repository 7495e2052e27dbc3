//! # bpfplay-core
//!
//! The engine of the bpfplay eBPF playground, `#![no_std]` + `alloc` so that it runs
//! unchanged in the browser (wasm32) and natively.
//!
//! | module | what it holds |
//! |---|---|
//! | [`isa`] | wire format, the decoded [`isa::Insn`] enum, the ISA tables, profiles |
//! | [`asm`] | assembler for the uBPF and kernel/LLVM syntaxes |
//! | [`disasm`] | disassembler for both syntaxes |
//! | [`vm`] | interpreter over virtual memory regions, with stepping and undo |
//! | [`kernel`] | emulated Linux 4.4: bpf(2), maps, helpers, contexts, bpffs |
//! | [`bpftool`] | bpftool-style commands against the kernel: parser, session, printer |
//! | [`verifier`] | Linux 4.4's verifier with its log, plus per-instruction state and explanations |
//! | [`jit`] | eBPF → WebAssembly compiler (first version: no local calls, no fuel) |
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
pub mod disasm;
pub mod isa;
pub mod jit;
pub mod kernel;
pub mod linux;
pub mod syntax;
pub mod verifier;
pub mod vm;

/// The `alloc` names every module uses.
mod prelude {

    pub use alloc::borrow::ToOwned;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec;
    pub use alloc::vec::Vec;
    pub use core::fmt::Write as _;
}

/// Every error type of the crate, in one place.
pub mod errors {
    pub use crate::asm::{AsmError, AsmErrorKind};
    pub use crate::bpftool::{
        Error as BpftoolError, MapListError, MapListErrorKind, ParseError, ParseErrorKind,
        UnboundMapIndex,
    };
    pub use crate::isa::{DecodeError, DecodeErrorKind, HexError, ProfileError};
    pub use crate::vm::{Fault, FaultKind};
}
