//! The deterministic emulation of helpers 1..25 ([`runtime`]); their prototypes are
//! [`crate::linux::helpers`]'s.

pub mod csum;
pub mod printk;
pub mod runtime;
