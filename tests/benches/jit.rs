//! The JIT end to end on the kernel benchmark programs, in wasmi through core's driver
//! loop: each iteration is a whole invocation as `Kernel::run_prog` makes it (context
//! and packet mapped, the program compiled to WebAssembly, instantiated and run with the
//! kernel's helpers, tail calls included, the report collected). wasmi's compiled
//! modules are kept between iterations (keyed by the module's bytes), so that wasmi's
//! own compiler, the same work in every version of the host, does not swamp the host's
//! side of a run: the memory image, the helper calls and the end state.

mod common;

use bpfplay_core::jit::host::{self, JitRun};
use bpfplay_core::kernel::helpers::runtime::OwnedKernelHelpers;
use bpfplay_core::kernel::{Invocation, Kernel, RunInput};
use bpfplay_tests::wasmi_engine::Wasmi;
use bpfplay_tests::{KernelBench, bench_frame, kernel_benches};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;

/// One invocation of `l`'s program through the JIT; gives the kernel back.
fn run_once(
    engine: &mut Wasmi,
    l: &KernelBench,
    kernel: Kernel,
    frame: &[u8],
) -> (Kernel, bpfplay_core::kernel::RunReport) {
    let Invocation { vm, state } = kernel
        .invoke(l.pid, l.prog, RunInput::packet(frame.to_vec()))
        .unwrap();
    let helpers = Rc::new(RefCell::new(OwnedKernelHelpers { kernel, inv: state }));
    let run = JitRun::new(vm).unwrap();
    let vm = host::drive(engine, run, helpers.clone()).unwrap().vm;
    let Ok(helpers) = Rc::try_unwrap(helpers) else {
        panic!("the driver kept the helpers")
    };
    let OwnedKernelHelpers { mut kernel, inv } = helpers.into_inner();
    let report = kernel.finish(Invocation { vm, state: inv });
    (kernel, report)
}

fn bench(c: &mut Criterion, engine: &mut Wasmi, l: KernelBench) {
    let frame = bench_frame();
    let mut interpreted = Kernel::restore(&l.kernel.snapshot()).unwrap();
    let expected = interpreted
        .run_prog(l.pid, l.prog, RunInput::packet(frame.clone()))
        .unwrap();
    let fresh = Kernel::restore(&l.kernel.snapshot()).unwrap();
    let (kernel, report) = run_once(engine, &l, fresh, &frame);
    assert_eq!(
        (report.fault, report.ret),
        (None, l.expect_ret),
        "{}",
        l.name
    );
    let mut kernel = Some(kernel);
    let mut group = c.benchmark_group(l.name);
    group.throughput(Throughput::Elements(expected.executed));
    group.bench_function("bpfplay-jit-wasmi", |b| {
        b.iter(|| {
            let (k, report) = run_once(
                engine,
                &l,
                kernel.take().expect("put back"),
                black_box(&frame),
            );
            kernel = Some(k);
            report.ret
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let mut engine = Wasmi::new(None).keeping_modules();
    for program in kernel_benches() {
        bench(c, &mut engine, program);
    }
}

criterion_group! { name = group; config = common::criterion(); targets = benches }
criterion_main!(group);
