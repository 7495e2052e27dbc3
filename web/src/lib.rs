//! The bpfplay playground UI. State lives in [`state::Playground`], a pure reducer over
//! `bpfplay-core` that is tested natively; components only render and dispatch.

mod codemirror;
mod components;
pub mod examples;
pub mod jit;
mod jit_host;
pub mod state;
pub mod storage;

pub use components::app::App;
