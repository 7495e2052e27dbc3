//! An eBPF → WebAssembly JIT: [`compile`] turns a [`crate::isa::Program`] into a
//! WebAssembly module (binary) with the interpreter's semantics, and [`host::drive`] runs
//! such modules on any engine that implements [`host::Engine`]: the memory image, helper
//! calls through the same [`crate::vm::Helpers`] as the interpreter (the emulated
//! kernel's included), tail calls, and the run's end as the interpreter's
//! [`crate::vm::State`].
//!
//! The interpreter ([`crate::vm`]) stays the engine for stepping, undo, fuel and
//! breakpoints; the JIT has no fuel, so a program that loops forever runs forever (the
//! host must bound it, e.g. with its engine's own fuel, or run only programs the
//! interpreter saw end, as the playground does).
//!
//! # The module's interface
//!
//! | import / export | signature | meaning |
//! |---|---|---|
//! | import `env.memory` | memory, ≥ 1 page | the image [`host::JitRun`] lays out: header, registers, region table, region bytes |
//! | import `env.helper` | `(pc: i32, id: i32, r1..r5: i64) -> i64` | a helper call; the host writes a [`abi::HelperStatus`] at [`abi::STATUS_ADDR`] |
//! | import `env.fault` | `(pc: i32, kind: i32, detail: i64)` | the program faulted ([`abi::FaultCode`]; `detail` is the guest address, the jump target or the helper id); the module then traps (`unreachable`) |
//! | import `env.early_exit` | `(pc: i32, kind: i32)` | Linux 4.4 ends the program with r0 = 0 ([`abi::EarlyExitCode`]); `run` then returns 0 |
//! | export `run` | `() -> i64` | runs the program from the registers at [`abi::REGS_ADDR`] and returns r0 |
//!
//! A helper that fails records its fault, and the import traps (returns an error / throws:
//! [`host::Imports::helper`] says when).
//!
//! # Guest memory
//!
//! Guest addresses are the interpreter's ([`crate::vm::memory`]): region `i` starts at
//! `((i + 1) << 32) + 0x8000_0000`. Every load, store and atomic translates its address
//! against the region table in linear memory and calls `env.fault` when the access is
//! unmapped, out of bounds or a write to a read-only region, exactly where the
//! interpreter faults.
//!
//! A register the program never writes (r10 without local calls, and often r1) points
//! at the same place for the whole run, so `run` checks all the accesses through it
//! once at entry, as one span of offsets; if they are all in bounds, those accesses are
//! plain loads and stores with no check, and otherwise `run` hands over to a second,
//! fully checked body of the same program. Keeping checks and calls off that path is
//! what lets the engine keep the eBPF registers in machine registers (alu_mem: 0.22 →
//! 0.15 ns per instruction in V8, machine code 15.9 → 3.5 KB; see BENCHMARKS.md).
//!
//! Every other check is inline, with no call on the common path. At entry `run` caches the
//! stack region (the one the initial r10 points into): its first guest address, its
//! linear base and, per access size and direction, a limit, so that an r10-relative
//! access is one subtraction and one unsigned compare. The region the initial r1 points
//! into (the input or context) is cached the same way and tried first for every other
//! base register; failing that, the access looks its region up in the table inline
//! (index compare, two offset compares, the writable flag for writes). An access that
//! fails an inline check calls the internal `translate` function, which repeats the
//! checks in the interpreter's order and calls `env.fault`; the inline checks never
//! admit an access `translate` would refuse. The region count and every other table
//! entry are read from linear memory at each access, so a helper may append regions (a
//! map value) or resize one (the packet, by a VLAN push); the two cached regions' entries
//! must not change during a run.
//!
//! Local (bpf-to-bpf) calls save the caller's r6..r10 and return block in a frame area
//! of linear memory ([`abi::FRAMES_ADDR`]), with the interpreter's frame limit. A tail call
//! returns from `run` (saving the registers), so the host can run the next program's
//! module; Linux 4.4 has no local calls, and a tail call from inside one continues in
//! the next program's entry frame.
//!
//! # Layout of the code
//!
//! - [`abi`]: what the module and its host share (names, the linear-memory layout, the
//!   status, fault and early-exit codes);
//! - `build`: the function builders ([`compile`], `translate`, the bodies of `run`);
//! - `emit`: the emitters, by instruction class (ALU, memory, control flow);
//! - [`host`]: the host side of a run, and the one driver loop any engine runs it with.

pub mod abi;
mod build;
mod emit;
pub mod host;

pub use build::{JitError, compile};
