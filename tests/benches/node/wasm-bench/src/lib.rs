//! Exports for node: `setup(which)` assembles a program once (0: `alu_mix.s`; 1:
//! `alu_mem.s`; both run on `JIT_BENCH_INPUT`, as the JIT's modules are); `run(n)` runs it `n`
//! times (a fresh `Vm` each time, as the native criterion benchmark does) and returns the
//! instructions executed, so node can time it and print ns per instruction.
//!
//! The verifier, as `tests/benches/verifier.rs` calls it natively (`bpfplay_tests::bench_verify`:
//! socket filter, privileged, GPL, no maps): `verify_setup(which)` encodes program `which`
//! (0: `alu_mix.s`, accepted; 1: `verifier_worst.s`, rejected at the complexity limit) and
//! returns its slot count; `verify(n, log)` verifies it `n` times and returns the
//! instructions processed by one verification (0 on any failure).

use bpfplay_core::asm::assemble;
use bpfplay_core::isa::{INSN_SIZE, RawInsn};
use bpfplay_tests::{ALU_BENCH_PROFILE, JIT_BENCH_INPUT, bench_verify};
use bpfplay_core::kernel::RunInput;
use bpfplay_core::vm::{Config, NoHelpers, Prepared, RunStop, Vm};
use std::cell::RefCell;
use std::rc::Rc;

const ALU_MIX: &str = include_str!("../../../programs/alu_mix.s");
const ALU_MEM: &str = include_str!("../../../programs/alu_mem.s");
const VERIFIER_WORST: &str = include_str!("../../../programs/verifier_worst.s");

thread_local! {
    /// The program to run and its r1 memory (empty: none).
    static PROGRAM: RefCell<Option<(Rc<Prepared>, &'static [u8])>> = const { RefCell::new(None) };
    /// The raw instructions to verify and whether the verifier must accept them.
    static VERIFY: RefCell<Option<(Rc<[RawInsn]>, bool)>> = const { RefCell::new(None) };
}

/// Assembles program `which` (0: alu_mix, 1: alu_mem); returns its slot count, 0 for an
/// unknown `which` or a program that does not assemble.
#[unsafe(no_mangle)]
pub extern "C" fn setup(which: u32) -> u32 {
    let (source, input): (&str, &'static [u8]) = match which {
        0 => (ALU_MIX, &JIT_BENCH_INPUT),
        1 => (ALU_MEM, &JIT_BENCH_INPUT),
        _ => return 0,
    };
    let Ok(assembled) = assemble(source, None) else { return 0 };
    let len = assembled.program.len() as u32;
    let program = Rc::new(Prepared::new(assembled.program));
    PROGRAM.with(|p| *p.borrow_mut() = Some((program, input)));
    len
}

/// Runs the program `n` times; returns instructions executed (0 on any failure).
#[unsafe(no_mangle)]
pub extern "C" fn run(n: u32) -> f64 {
    let Some((program, input)) = PROGRAM.with(|p| p.borrow().clone()) else { return 0.0 };
    let config = Config::for_profile(ALU_BENCH_PROFILE);
    let mut executed = 0u64;
    for _ in 0..n {
        let Ok(vm) = Vm::new(program.clone(), config) else { return 0.0 };
        let mut vm = vm.with_input(input.to_vec());
        match vm.run(&mut NoHelpers, &[]) {
            RunStop::Exited { .. } => executed += vm.executed(),
            _ => return 0.0,
        }
    }
    executed as f64
}


/// Encodes program `which` (0: alu_mix, 1: verifier_worst) for `verify`; returns its slot
/// count, 0 for an unknown `which` or a program that does not assemble.
#[unsafe(no_mangle)]
pub extern "C" fn verify_setup(which: u32) -> u32 {
    let (source, accepted) = match which {
        0 => (ALU_MIX, true),
        1 => (VERIFIER_WORST, false),
        _ => return 0,
    };
    let Ok(assembled) = assemble(source, None) else { return 0 };
    let insns: Rc<[RawInsn]> = assembled
        .program
        .encode()
        .chunks_exact(INSN_SIZE)
        .map(|c| RawInsn::from_bytes(c.try_into().expect("chunks_exact")))
        .collect();
    let len = insns.len() as u32;
    VERIFY.with(|v| *v.borrow_mut() = Some((insns, accepted)));
    len
}

/// Verifies the program of `verify_setup` `n` times (with the verifier log if `log` is
/// non-zero); returns the instructions processed by one verification, 0 if there is no
/// program, `n` is 0, a verdict differs from the expected one or the counts differ.
#[unsafe(no_mangle)]
pub extern "C" fn verify(n: u32, log: u32) -> u32 {
    let Some((insns, accepted)) = VERIFY.with(|v| v.borrow().clone()) else { return 0 };
    let mut processed = None;
    for _ in 0..n {
        let (ok, count) = bench_verify(&insns, log != 0);
        if ok != accepted || processed.is_some_and(|p| p != count) {
            return 0;
        }
        processed = Some(count);
    }
    processed.unwrap_or(0)
}

thread_local! {
    static TRACE: RefCell<Option<(bpfplay_tests::KernelBench, Vec<u8>)>> = const { RefCell::new(None) };
}

/// Records the trace of `tests/benches/verifier.rs` (`bpfplay_tests::record_trace` of
/// the tail_4096 invocation: 34 runs, 33 tail calls) `n` times; returns the steps of one
/// recording (0 on any difference between recordings or a wrong tail-call count).
#[unsafe(no_mangle)]
pub extern "C" fn trace(n: u32) -> u32 {
    TRACE.with(|t| {
        let mut t = t.borrow_mut();
        let (bench, frame) = t.get_or_insert_with(|| (bpfplay_tests::trace_bench(), bpfplay_tests::bench_frame()));
        let mut steps = None;
        for _ in 0..n {
            let (count, tail_calls) = bpfplay_tests::record_trace(bench, frame);
            if tail_calls != 33 || steps.is_some_and(|s| s != count) {
                return 0;
            }
            steps = Some(count);
        }
        steps.unwrap_or(0) as u32
    })
}

thread_local! {
    static KERNEL: RefCell<Option<(bpfplay_tests::KernelBench, Vec<u8>)>> = const { RefCell::new(None) };
}

/// Loads kernel benchmark `which` (an index into `bpfplay_tests::kernel_benches()`:
/// packet_parser, hash_map, array_counter, tail_chain, csum_rewrite) for `kernel_run`;
/// returns the instructions one run executes, 0 for an unknown `which`.
#[unsafe(no_mangle)]
pub extern "C" fn kernel_setup(which: u32) -> u32 {
    let Some(mut bench) = bpfplay_tests::kernel_benches().into_iter().nth(which as usize) else { return 0 };
    let frame = bpfplay_tests::bench_frame();
    let Ok(report) = bench.kernel.run_prog(bench.pid, bench.prog, RunInput::packet(frame.clone())) else { return 0 };
    if report.fault.is_some() || report.ret != bench.expect_ret {
        return 0;
    }
    KERNEL.with(|k| *k.borrow_mut() = Some((bench, frame)));
    report.executed as u32
}

/// Runs the kernel benchmark of `kernel_setup` `n` times with `Kernel::run_prog`, as
/// tests/benches/kernel.rs does; returns the instructions executed (0 on any failure).
#[unsafe(no_mangle)]
pub extern "C" fn kernel_run(n: u32) -> f64 {
    KERNEL.with(|k| {
        let mut k = k.borrow_mut();
        let Some((bench, frame)) = k.as_mut() else { return 0.0 };
        let mut executed = 0u64;
        for _ in 0..n {
            match bench.kernel.run_prog(bench.pid, bench.prog, RunInput::packet(frame.clone())) {
                Ok(report) if report.ret == bench.expect_ret => executed += report.executed,
                _ => return 0.0,
            }
        }
        executed as f64
    })
}
