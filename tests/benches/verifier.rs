//! The latency targets, measured natively: Linux 4.4's verifier on 4095-slot
//! programs (straight-line, and the worst case that walks to the 32768-instruction
//! complexity limit), and recording a full step trace (every `Step`, as the playground's
//! debugger does) of an invocation with 32+ tail calls of a 4095-slot program.

mod common;

use bpfplay_core::isa::{INSN_SIZE, RawInsn};
use bpfplay_core::kernel::RunInput;
use bpfplay_tests::{bench_frame, bench_verify, record_trace, trace_bench};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn raw(file: &str) -> Vec<RawInsn> {
    common::program(file)
        .encode()
        .chunks(INSN_SIZE)
        .map(|c| RawInsn::from_bytes(c.try_into().unwrap()))
        .collect()
}

fn verifier(c: &mut Criterion) {
    let mut group = c.benchmark_group("verifier");
    for (name, file, accepted) in [
        ("alu_mix_4095", "alu_mix.s", true),
        ("worst_4093", "verifier_worst.s", false),
    ] {
        let insns = raw(file);
        let (ok, processed) = bench_verify(&insns, false);
        assert_eq!(ok, accepted, "{file}");
        eprintln!(
            "verifier {name}: {} slots, {processed} instructions processed",
            insns.len()
        );
        group.throughput(Throughput::Elements(u64::from(processed)));
        group.bench_function(name, |b| b.iter(|| bench_verify(black_box(&insns), false)));
        group.bench_function(format!("{name}_log"), |b| {
            b.iter(|| bench_verify(black_box(&insns), true))
        });
    }
    group.finish();
}

fn trace_recording(c: &mut Criterion) {
    let mut bench = trace_bench();
    let frame = bench_frame();
    let (steps, tail_calls) = record_trace(&mut bench, &frame);
    assert_eq!(tail_calls, 33);
    eprintln!("trace recording: {steps} steps, {tail_calls} tail calls");
    let mut group = c.benchmark_group("trace");
    group.throughput(Throughput::Elements(steps as u64));
    group.sample_size(10);
    group.bench_function("tail_calls_33x4095", |b| {
        b.iter(|| record_trace(&mut bench, &frame))
    });
    // The same invocation run without recording, for comparison.
    group.bench_function("tail_calls_33x4095_run", |b| {
        b.iter(|| {
            let input = RunInput::packet(frame.clone());
            bench
                .kernel
                .run_prog(bench.pid, bench.prog, input)
                .unwrap()
                .executed
        })
    });
    group.finish();
}

criterion_group! { name = group; config = common::criterion(); targets = verifier, trace_recording }
criterion_main!(group);
