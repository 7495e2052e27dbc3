//! bpfplay's interpreter against rbpf's interpreter and rbpf's x86-64 JIT on the same
//! bytecode, in ns per executed instruction (criterion's throughput is in elements =
//! instructions executed, so "Melem/s" is millions of instructions per second).
//!
//! Every iteration is one whole run as a caller sees it: for bpfplay `Vm::new` (stack
//! allocation, region table) and `run`; for rbpf `execute_program` (which allocates its
//! stack too) or the JIT-compiled function. Before measuring, every engine's r0 is
//! checked against bpfplay's.

mod common;

use bpfplay_core::isa::{Insn, Profile, Program};
use bpfplay_core::vm::{Config, NoHelpers, Prepared, RegionKind, RunStop, Vm};
use bpfplay_tests::{ALU_BENCH_PROFILE, Rng};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::rc::Rc;

/// Input memory of the ALU/memory programs (r1 points at it, r2 = 64).
fn input() -> Vec<u8> {
    (0..64u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect()
}

/// Input memory of the loop and sort programs: 1024 random bytes (a fixed seed), so
/// that their branches on the data go either way at random.
fn random_input() -> Vec<u8> {
    let mut rng = Rng(0x5eed_0003);
    (0..1024).map(|_| rng.next_u64() as u8).collect()
}

fn run_ours(program: &Rc<Prepared>, config: Config, mem: &[u8]) -> (u64, u64) {
    let mut vm = Vm::new(program.clone(), config)
        .unwrap()
        .with_input(mem.to_vec());
    match vm.run(&mut NoHelpers, &[]) {
        RunStop::Exited { r0 } => (r0, vm.executed()),
        other => panic!("bpfplay: {other:?}"),
    }
}

fn engines(c: &mut Criterion, name: &str, file: &str, mem: &[u8]) {
    let program = Rc::new(Prepared::new(common::program(file)));
    let bytes = program.program().encode();
    let config = Config::for_profile(ALU_BENCH_PROFILE);
    let (r0, executed) = run_ours(&program, config, &mem);

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(executed));
    group.bench_function("bpfplay", |b| {
        b.iter(|| run_ours(black_box(&program), config, black_box(mem)))
    });

    let mut rbpf_mem = mem.to_vec();
    let interp = rbpf::EbpfVmRaw::new(Some(&bytes)).expect("rbpf accepts the program");
    assert_eq!(
        interp.execute_program(&mut rbpf_mem).unwrap(),
        r0,
        "rbpf interpreter disagrees on r0"
    );
    group.bench_function("rbpf-interpreter", |b| {
        b.iter(|| {
            let mut m = black_box(mem).to_vec();
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
                let mut m = mem.to_vec();
                // SAFETY: rbpf's JIT runs bytecode its verifier accepted, over `m`.
                let got = unsafe { jit.execute_program_jit(&mut m) }.unwrap();
                assert_eq!(got, r0, "rbpf JIT disagrees on r0");
                group.bench_function("rbpf-jit", |b| {
                    b.iter(|| {
                        let mut m = black_box(mem).to_vec();
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
    let program = Rc::new(Prepared::new(common::program("packet_parser.s")));
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

/// packet_loop run with a breakpoint on its `exit`, as the playground's Run stops at a
/// breakpoint at the end: the whole loop runs before it (the fast loop, with the op at
/// the breakpoint made slow).
fn packet_loop_to_a_breakpoint(c: &mut Criterion) {
    let program = Rc::new(Prepared::new(common::program("packet_loop.s")));
    let exit = program
        .program()
        .insns()
        .filter(|(_, insn)| matches!(insn, Insn::Exit))
        .map(|(pc, _)| pc)
        .last()
        .expect("packet_loop exits");
    let config = Config::for_profile(ALU_BENCH_PROFILE);
    let run = |mem: &[u8]| {
        let mut vm = Vm::new(program.clone(), config)
            .unwrap()
            .with_input(mem.to_vec());
        match vm.run(&mut NoHelpers, &[exit]) {
            RunStop::Breakpoint { pc } if pc == exit => vm.executed(),
            other => panic!("bpfplay: {other:?}"),
        }
    };
    let mem = random_input();
    let executed = run(&mem);
    let mut group = c.benchmark_group("packet_loop_to_a_breakpoint");
    group.throughput(Throughput::Elements(executed));
    group.bench_function("bpfplay", |b| b.iter(|| run(black_box(&mem))));
    group.finish();
}

/// Programs that run once each in turn: what both interpreters cost before the CPU's
/// branch predictor has learned the program (the other benchmarks repeat one program,
/// as a filter runs on every packet). `UNLEARNED` programs of about 4000 instructions
/// each: too many instructions between repeats for the predictor to learn them.
const UNLEARNED: usize = 16;

/// alu_mix's ALU instructions in `UNLEARNED` different orders, the loads first and the
/// exit last.
fn alu_mix_unlearned(c: &mut Criterion) {
    let insns: Vec<Insn> = common::program("alu_mix.s")
        .insns()
        .map(|(_, insn)| *insn)
        .collect();
    let loads = insns
        .iter()
        .take_while(|insn| matches!(insn, Insn::Load { .. }))
        .count();
    let (head, rest) = insns.split_at(loads);
    let (body, exit) = rest.split_at(rest.len() - 1);
    let mut rng = Rng(0x5eed_0002);
    let programs: Vec<Program> = (0..UNLEARNED)
        .map(|_| {
            let mut body = body.to_vec();
            for i in (1..body.len()).rev() {
                body.swap(i, rng.below(i as u64 + 1) as usize);
            }
            Program::from_insns(head.iter().chain(&body).chain(exit).copied())
        })
        .collect();
    in_turn(c, "alu_mix_unlearned", &programs);
}

/// `UNLEARNED` random programs of branches and memory: after registers loaded from the
/// input and 16 stack slots written, 4000 instructions of which about half are ALU
/// operations, a fifth stack loads, a sixth stack stores and the rest forward branches
/// over one to three instructions comparing two registers (values the data decides, so
/// taken about half the time).
fn branchy_unlearned(c: &mut Criterion) {
    const REGS: [u8; 9] = [0, 2, 3, 4, 5, 6, 7, 8, 9];
    const ALU: [&str; 9] = ["+=", "-=", "*=", "|=", "&=", "^=", "<<=", ">>=", "="];
    const CONDS: [&str; 6] = ["==", "!=", ">", ">=", "s>", "s>="];
    const LEN: usize = 4000;
    let mut rng = Rng(0x5eed_0004);
    let programs: Vec<Program> = (0..UNLEARNED)
        .map(|_| {
            let mut lines: Vec<String> = REGS
                .iter()
                .enumerate()
                .map(|(i, r)| format!("r{r} = *(u64 *)(r1 +{})", 8 * (i % 8)))
                .collect();
            lines.extend(
                (1..=16).map(|slot| format!("*(u64 *)(r10 -{}) = r{}", 8 * slot, REGS[slot % 9])),
            );
            for i in 0..LEN {
                let (d, s) = (rng.pick(&REGS), rng.pick(&REGS));
                let kind = rng.below(100);
                let slot = 8 * (rng.below(16) + 1);
                lines.push(match kind {
                    0..50 => {
                        let op = rng.pick(&ALU);
                        let p = if rng.below(3) == 0 { "w" } else { "r" };
                        match (op, rng.below(2)) {
                            ("<<=" | ">>=", _) => format!("{p}{d} {op} {}", rng.below(32)),
                            (_, 0) => format!("{p}{d} {op} {p}{s}"),
                            _ => format!("{p}{d} {op} {}", rng.below(1 << 16)),
                        }
                    }
                    50..70 => format!("r{d} = *(u64 *)(r10 -{slot})"),
                    70..85 => format!("*(u64 *)(r10 -{slot}) = r{s}"),
                    // A branch never jumps past the exit.
                    _ => {
                        let skip = (rng.below(3) + 1).min((LEN - 1 - i) as u64);
                        format!("if r{d} {} r{s} goto +{skip}", rng.pick(&CONDS))
                    }
                });
            }
            lines.push("exit".into());
            bpfplay_core::asm::assemble(&lines.join("\n"), None)
                .expect("the generated program assembles")
                .program
        })
        .collect();
    in_turn(c, "branchy_unlearned", &programs);
}

/// Runs `programs` one after the other on [`input`], bpfplay against rbpf's
/// interpreter, after checking that both give the same r0 on each.
fn in_turn(c: &mut Criterion, name: &str, programs: &[Program]) {
    let config = Config::for_profile(ALU_BENCH_PROFILE);
    let mem = input();
    let programs: Vec<Rc<Prepared>> = programs
        .iter()
        .map(|program| Rc::new(Prepared::new(program.clone())))
        .collect();
    let bytes: Vec<Vec<u8>> = programs
        .iter()
        .map(|program| program.program().encode())
        .collect();
    let mut executed = 0;
    let interpreters: Vec<_> = bytes
        .iter()
        .zip(&programs)
        .map(|(bytes, program)| {
            let interp = rbpf::EbpfVmRaw::new(Some(bytes)).expect("rbpf accepts the program");
            let (r0, ran) = run_ours(program, config, &mem);
            assert_eq!(interp.execute_program(&mut mem.clone()).unwrap(), r0);
            executed += ran;
            interp
        })
        .collect();
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(executed));
    group.bench_function("bpfplay", |b| {
        b.iter(|| {
            for program in &programs {
                black_box(run_ours(black_box(program), config, black_box(&mem)));
            }
        })
    });
    group.bench_function("rbpf-interpreter", |b| {
        b.iter(|| {
            for interp in &interpreters {
                let mut m = black_box(&mem).clone();
                black_box(interp.execute_program(&mut m).unwrap());
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    engines(c, "alu_mix", "alu_mix.s", &input());
    alu_mix_unlearned(c);
    engines(c, "alu_mem", "alu_mem.s", &input());
    engines(c, "packet_loop", "packet_loop.s", &random_input());
    packet_loop_to_a_breakpoint(c);
    engines(c, "bubble_sort", "bubble_sort.s", &random_input());
    branchy_unlearned(c);
    packet_parser(c);
}

criterion_group! { name = group; config = common::criterion(); targets = benches }
criterion_main!(group);
