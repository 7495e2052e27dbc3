//! The bpfplay playground UI. State lives in [`state::Playground`]: the workspace as
//! plain data, the engine built from it, and view models for the panels; it is a pure
//! reducer over `bpfplay-core`, tested natively. Components only render what it hands
//! them and dispatch actions.

mod clock;
mod codemirror;
mod components;
pub mod examples;
pub mod jit;
mod jit_host;
pub mod state;

pub use components::app::App;
