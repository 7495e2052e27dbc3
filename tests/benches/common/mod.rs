//! Shared by the benchmarks: the committed programs and frame, and criterion settings
//! sized for a 2-core machine (the whole `cargo bench` run stays within minutes).

#![allow(dead_code)]

use bpfplay_core::asm::assemble;
use bpfplay_core::isa::{Program, parse_hex_bytes};
use criterion::Criterion;
use std::path::PathBuf;
use std::time::Duration;

pub fn programs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/programs")
}

pub fn source(name: &str) -> String {
    let path = programs_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn program(name: &str) -> Program {
    assemble(&source(name), None)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .program
}

/// The Ethernet/IPv4/TCP frame of `tcp_frame.hex`.
pub fn frame() -> Vec<u8> {
    parse_hex_bytes(&source("tcp_frame.hex")).expect("tcp_frame.hex")
}

pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args()
}
