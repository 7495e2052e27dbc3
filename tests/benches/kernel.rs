//! Programs that need the emulated Linux 4.4 kernel (maps, helpers, tail calls), run
//! with `Kernel::run_prog` as `bpfplay run --type` does: each iteration is a whole
//! invocation (context and packet mapped, run, report collected). Throughput is in
//! instructions executed, so small programs show the per-invocation cost per insn.

mod common;

use bpfplay_core::kernel::RunInput;
use bpfplay_tests::{KernelBench, bench_frame, kernel_benches};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion, mut l: KernelBench) {
    let (name, frame) = (l.name, bench_frame());
    let report = l
        .kernel
        .run_prog(l.pid, l.prog, RunInput::packet(frame.clone()))
        .unwrap();
    assert_eq!(report.fault, None, "{name}");
    assert_eq!(report.ret, l.expect_ret, "{name}");
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(report.executed));
    group.bench_function("bpfplay-kernel", |b| {
        b.iter(|| {
            l.kernel
                .run_prog(l.pid, l.prog, RunInput::packet(black_box(&frame).clone()))
                .unwrap()
                .ret
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    for program in kernel_benches() {
        bench(c, program);
    }
}

criterion_group! { name = group; config = common::criterion(); targets = benches }
criterion_main!(group);
