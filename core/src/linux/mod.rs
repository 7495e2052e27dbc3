//! The Linux 4.4 facts that several parts of the crate need, each listed once: errno
//! values, map and program types, helper ids, names and prototypes, and context
//! layouts. The emulated [`crate::kernel`], the [`crate::verifier`] and the assembler
//! read them from here; this module imports nothing else of the crate.

pub mod ctx;
mod errno;
pub mod helpers;
mod types;

pub use errno::Errno;
pub use types::{MapType, ProgType};
