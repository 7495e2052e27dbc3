//! The latency targets, measured natively: Linux 4.4's verifier on 4095-slot
//! programs (straight-line, and the worst case that walks to the 32768-instruction
//! complexity limit), and recording a full step trace (every `Step`, as the playground's
//! debugger does) of an invocation with 32+ tail calls of a 4095-slot program.

mod common;

use bpfplay_core::isa::{INSN_SIZE, RawInsn};
use bpfplay_core::kernel::script::bind_maps;
use bpfplay_core::kernel::{Kernel, MapCreate, MapType, ProgLoad, ProgType, RunInput, Settings};
use bpfplay_core::vm::State;
use bpfplay_tests::bench_verify;
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
    let mut kernel = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let pid = kernel.spawn("bench", 0);
    let attr = MapCreate {
        map_type: MapType::ProgArray as u32,
        key_size: 4,
        value_size: 4,
        max_entries: 1,
    };
    let jmp = kernel.map_create(pid, attr, "jmp").unwrap();
    let program = bind_maps(&common::program("tail_4096.s"), &[(0, jmp)]).unwrap();
    assert_eq!(program.len(), 4095);
    let prog = kernel
        .prog_load(pid, &ProgLoad::new(ProgType::SchedCls, &program))
        .fd
        .unwrap();
    kernel
        .map_update(pid, jmp, &0u32.to_le_bytes(), &prog.to_le_bytes(), 0)
        .unwrap();
    let frame = common::frame();
    let record = |kernel: &mut Kernel| {
        let mut inv = kernel
            .invoke(pid, prog, RunInput::packet(frame.clone()))
            .unwrap();
        let mut trace = Vec::new();
        while let Some(step) = kernel.step(&mut inv) {
            trace.push(step);
        }
        assert!(matches!(inv.vm.state(), State::Exited { .. }));
        (trace.len(), inv.state.tail_calls)
    };
    let (steps, tail_calls) = record(&mut kernel);
    assert_eq!(tail_calls, 33);
    eprintln!("trace recording: {steps} steps, {tail_calls} tail calls");
    let mut group = c.benchmark_group("trace");
    group.throughput(Throughput::Elements(steps as u64));
    group.sample_size(10);
    group.bench_function("tail_calls_33x4095", |b| b.iter(|| record(&mut kernel)));
    // The same invocation run without recording, for comparison.
    group.bench_function("tail_calls_33x4095_run", |b| {
        b.iter(|| {
            kernel
                .run_prog(pid, prog, RunInput::packet(frame.clone()))
                .unwrap()
                .executed
        })
    });
    group.finish();
}

criterion_group! { name = group; config = common::criterion(); targets = verifier, trace_recording }
criterion_main!(group);
