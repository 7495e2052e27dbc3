//! bpfplay's interpreter against rbpf's interpreter and rbpf's x86-64 JIT on the same
//! bytecode, in ns per executed instruction (criterion's throughput is in elements =
//! instructions executed, so "Melem/s" is millions of instructions per second).
//!
//! Every iteration is one whole run as a caller sees it: for bpfplay `Vm::new` (stack
//! allocation, region table) and `run`; for rbpf `execute_program` (which allocates its
//! stack too) or the JIT-compiled function. Before measuring, every engine's r0 is
//! checked against bpfplay's.

mod common;

use bpfplay_core::isa::{Profile, Program};
use bpfplay_core::vm::{Config, NoHelpers, RegionKind, RunStop, Vm};
use bpfplay_tests::ALU_BENCH_PROFILE;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::rc::Rc;

/// Input memory of the ALU/memory program (r1 points at it, r2 = 64).
fn input() -> Vec<u8> {
    (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect()
}

fn run_ours(program: &Rc<Program>, config: Config, mem: &[u8]) -> (u64, u64) {
    let mut vm = Vm::new(program.clone(), config)
        .unwrap()
        .with_input(mem.to_vec());
    match vm.run(&mut NoHelpers, &[]) {
        RunStop::Exited { r0 } => (r0, vm.executed()),
        other => panic!("bpfplay: {other:?}"),
    }
}

fn engines(c: &mut Criterion, name: &str, file: &str) {
    let program = Rc::new(common::program(file));
    let bytes = program.encode();
    let config = Config::for_profile(ALU_BENCH_PROFILE);
    let mem = input();
    let (r0, executed) = run_ours(&program, config, &mem);

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(executed));
    group.bench_function("bpfplay", |b| {
        b.iter(|| run_ours(black_box(&program), config, black_box(&mem)))
    });

    let mut rbpf_mem = mem.clone();
    let interp = rbpf::EbpfVmRaw::new(Some(&bytes)).expect("rbpf accepts the program");
    assert_eq!(
        interp.execute_program(&mut rbpf_mem).unwrap(),
        r0,
        "rbpf interpreter disagrees on r0"
    );
    group.bench_function("rbpf-interpreter", |b| {
        b.iter(|| {
            let mut m = black_box(&mem).clone();
            interp.execute_program(&mut m).unwrap()
        })
    });

    if cfg!(target_arch = "x86_64") {
        let mut jit = rbpf::EbpfVmRaw::new(Some(&bytes)).unwrap();
        // rbpf 0.4's JIT writes into a single 4 KiB page; a bigger program panics.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| jit.jit_compile()));
        std::panic::set_hook(hook);
        match compiled {
            Ok(Ok(())) => {
                let mut m = mem.clone();
                // SAFETY: rbpf's JIT runs bytecode its verifier accepted, over `m`.
                let got = unsafe { jit.execute_program_jit(&mut m) }.unwrap();
                assert_eq!(got, r0, "rbpf JIT disagrees on r0");
                group.bench_function("rbpf-jit", |b| {
                    b.iter(|| {
                        let mut m = black_box(&mem).clone();
                        // SAFETY: as above.
                        unsafe { jit.execute_program_jit(&mut m) }.unwrap()
                    })
                });
            }
            _ => eprintln!(
                "{name}: rbpf's JIT cannot compile this program (its buffer is one 4 KiB page)"
            ),
        }
    }
    group.finish();
}

/// The packet parser with LD_ABS/LD_IND on bpfplay's bare VM (no kernel): rbpf's
/// LD_ABS reads little-endian and demands 8 readable bytes, so on the same bytecode
/// it takes another path and is not compared.
fn packet_parser(c: &mut Criterion) {
    let program = Rc::new(common::program("packet_parser.s"));
    let frame = common::frame();
    let config = Config::for_profile(Profile::Linux44);
    let run = |frame: &[u8]| {
        let mut vm = Vm::new(program.clone(), config).unwrap();
        vm.memory_mut()
            .map(RegionKind::Packet, frame.to_vec(), false);
        match vm.run(&mut NoHelpers, &[]) {
            RunStop::Exited { r0 } => (r0, vm.executed()),
            other => panic!("{other:?}"),
        }
    };
    let (r0, executed) = run(&frame);
    assert_eq!(r0, 0x68, "the parser keeps the TCP/80 frame");
    let mut group = c.benchmark_group("packet_parser");
    group.throughput(Throughput::Elements(executed));
    group.bench_function("bpfplay", |b| b.iter(|| run(black_box(&frame))));
    group.finish();
}

fn benches(c: &mut Criterion) {
    engines(c, "alu_mix", "alu_mix.s");
    engines(c, "alu_mem", "alu_mem.s");
    packet_parser(c);
}

criterion_group! { name = group; config = common::criterion(); targets = benches }
criterion_main!(group);
