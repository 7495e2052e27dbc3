//! The eBPF → WebAssembly JIT (`bpfplay_core::jit`) agrees with the interpreter: every
//! bpf_conformance test in both profiles, random programs, and every program that runs
//! in the emulated kernel (helpers, maps, tail calls) end in the same state with the
//! same memory, run in wasmi by core's driver loop (`jit::host::drive`).

use bpfplay_core::isa::{
    AluOp, AtomicOp, ByteOrder, CallKind, Cond, Imm64Kind, Insn, Profile, Program, Reg, Size,
    Source, Width,
};
use bpfplay_core::kernel::helpers::runtime::OwnedKernelHelpers;
use bpfplay_core::kernel::snapshot::KernelSnapshot;
use bpfplay_core::kernel::{Fd, Invocation, Kernel, Pid, RunInput, RunReport};
use bpfplay_core::linux::ctx::{SKF_LL_OFF, SKF_NET_OFF};
use bpfplay_core::vm::{
    AccessProblem, Config, ConformanceHelpers, Fault, FaultKind, RegionKind, RunStop, State, Vm,
};
use bpfplay_tests::jit_compare::{Outcome, interpret, jit_execute, jit_run, vm_for};
use bpfplay_tests::progen::{self, Generated};
use bpfplay_tests::wasmi_engine::Wasmi;
use bpfplay_tests::{
    ALU_BENCH_PROFILE, JIT_BENCH_INPUT, JIT_BENCH_PROGRAMS, Rng, conformance_suite,
    linux44_overrides, workspace_root,
};
use std::collections::BTreeMap;

/// Conformance tests the JIT does not compile yet, with the reason. The test fails if
/// this list is not exactly the set of refused programs, so it cannot grow silently.
const RFC9669_SKIPPED: &[(&str, &str)] = &[];

/// Runs the suite in one profile through the JIT: every test must match the file's
/// expected r0 and the interpreter's outcome, or be in `skipped` with its reason.
fn check_suite(profile: Profile, skipped: &[(&str, &str)]) {
    let mut engine = engine();
    let files = conformance_suite();
    let overrides = if profile == Profile::Linux44 {
        linux44_overrides()
    } else {
        BTreeMap::new()
    };
    let (mut passed, mut ran) = (0, 0);
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    for file in &files {
        let program = file.program().unwrap();
        if program.check_profile(profile).is_err() {
            continue;
        }
        ran += 1;
        let expected = overrides
            .get(&file.name)
            .copied()
            .unwrap_or_else(|| file.expected().unwrap());
        let interpreted = interpret(&program, &file.mem, None, profile);
        match jit_run(&mut engine, &program, &file.mem, None, profile) {
            Err(e) => refused.push((file.name.clone(), e.to_string())),
            Ok(jit) if jit.r0() == Some(expected) => {
                if jit == interpreted {
                    passed += 1;
                } else {
                    failures.push(format!(
                        "{}: JIT {jit:?}, interpreter {interpreted:?}",
                        file.name
                    ));
                }
            }
            Ok(other) => failures.push(format!(
                "{}: JIT {other:?}, expected r0 = {expected:#x}",
                file.name
            )),
        }
    }
    eprintln!(
        "{profile} JIT: passed {passed} of {ran} conformance tests; {} refused by the JIT, {} failed",
        refused.len(),
        failures.len()
    );
    for (name, reason) in &refused {
        eprintln!("  skipped {name}: {reason}");
    }
    let refused_names: Vec<&str> = refused.iter().map(|(n, _)| n.as_str()).collect();
    let skipped_names: Vec<&str> = skipped.iter().map(|(n, _)| *n).collect();
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    if bpfplay_tests::conformance_dir().is_some() {
        assert_eq!(
            refused_names, skipped_names,
            "the refused tests must be exactly the listed skips"
        );
        assert_eq!(passed + refused.len(), ran);
        let total = if profile == Profile::Rfc9669 {
            313
        } else {
            160
        };
        assert_eq!(ran, total);
    }
}

fn engine() -> Wasmi {
    // The JIT has no fuel of its own; wasmi's bounds a runaway test.
    Wasmi::new(Some(1 << 32))
}

#[test]
fn jit_passes_the_conformance_suite_rfc9669() {
    check_suite(Profile::Rfc9669, RFC9669_SKIPPED);
}

#[test]
fn jit_passes_the_4_4_subset_linux44() {
    // Linux 4.4 has no local calls, so nothing is skipped.
    check_suite(Profile::Linux44, &[]);
}

#[test]
fn jit_local_calls_nest_to_the_interpreters_limit() {
    // f calls itself: the eighth frame faults at the call, as in the interpreter.
    let recursive = Program::from_insns([
        Insn::Call {
            kind: CallKind::Local,
            imm: -1,
        },
        Insn::Exit,
    ]);
    let mut engine = engine();
    let jitted = jit_run(&mut engine, &recursive, &[], None, Profile::Rfc9669).unwrap();
    let Outcome::Ended {
        state: State::Faulted(fault),
        ..
    } = &jitted
    else {
        panic!("{jitted:?}")
    };
    assert_eq!(
        *fault,
        Fault {
            pc: 0,
            kind: FaultKind::CallDepthExceeded { limit: 8 }
        }
    );
    assert_eq!(jitted, interpret(&recursive, &[], None, Profile::Rfc9669));
    // A callee's r6..r9 and r10 changes do not leak into the caller.
    let program = Program::from_insns([
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::R6,
            src: Source::Imm(6),
        },
        Insn::Call {
            kind: CallKind::Local,
            imm: 3,
        },
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Add,
            dst: Reg::R0,
            src: Source::Reg(Reg::R6),
        },
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Add,
            dst: Reg::R0,
            src: Source::Reg(Reg::R10),
        },
        Insn::Exit,
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::R6,
            src: Source::Imm(100),
        },
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::R0,
            src: Source::Reg(Reg::R10),
        },
        Insn::Exit,
    ]);
    let jitted = jit_run(&mut engine, &program, &[], None, Profile::Rfc9669).unwrap();
    assert_eq!(jitted, interpret(&program, &[], None, Profile::Rfc9669));
}

/// One random instruction; jumps are stored with a target instruction index and
/// resolved once slot positions are known (forward only, so every program ends).
enum Gen {
    Plain(Insn),
    Jump { insn: Insn, target: usize },
}

fn random_program(rng: &mut Rng, profile: Profile) -> Program {
    let rfc = profile == Profile::Rfc9669;
    let len = 2 + rng.below(30) as usize;
    let regs: Vec<Reg> = (0..=9).filter_map(Reg::new).collect();
    let mut ops: Vec<AluOp> = AluOp::ALL
        .iter()
        .copied()
        .filter(|op| *op != AluOp::MovSx32)
        .collect();
    if !rfc {
        ops.retain(|op| profile.allows(op.since()));
    }
    let conds: Vec<Cond> = Cond::ALL
        .iter()
        .copied()
        .filter(|c| profile.allows(c.since()))
        .collect();
    let sizes = [Size::B, Size::H, Size::W, Size::DW];
    let imms = [
        0,
        1,
        -1,
        2,
        7,
        31,
        32,
        63,
        64,
        i32::MIN,
        i32::MAX,
        0x1234_5678,
        -8,
    ];
    let mut gens = Vec::new();
    for i in 0..len {
        let reg = |rng: &mut Rng| {
            if rng.below(50) == 0 {
                Reg::R10
            } else {
                rng.pick(&regs)
            }
        };
        let src = |rng: &mut Rng| {
            if rng.below(2) == 0 {
                Source::Reg(rng.pick(&regs))
            } else {
                Source::Imm(rng.pick(&imms))
            }
        };
        let width = |rng: &mut Rng| {
            if rng.below(2) == 0 {
                Width::W32
            } else {
                Width::W64
            }
        };
        // Memory: the stack through r10 (mostly in bounds) or the input through r1.
        let stack_off = |rng: &mut Rng| -(1 + rng.below(520) as i16);
        let choice = rng.below(if rfc { 16 } else { 14 });
        let target = i + 1 + rng.below((len - i) as u64) as usize;
        gens.push(match choice {
            0..=3 => {
                let op = rng.pick(&ops);
                let w = if matches!(
                    op,
                    AluOp::SDiv | AluOp::SMod | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::Arsh
                ) && !rfc
                {
                    Width::W64
                } else {
                    width(rng)
                };
                Gen::Plain(Insn::Alu {
                    width: w,
                    op,
                    dst: reg(rng),
                    src: src(rng),
                })
            }
            4 => Gen::Plain(Insn::Neg {
                width: width(rng),
                dst: reg(rng),
            }),
            5 => {
                let order = if rfc {
                    rng.pick(&[ByteOrder::Le, ByteOrder::Be, ByteOrder::Swap])
                } else {
                    rng.pick(&[ByteOrder::Le, ByteOrder::Be])
                };
                Gen::Plain(Insn::Endian {
                    order,
                    bits: rng.pick(&[16, 32, 64]),
                    dst: reg(rng),
                })
            }
            6 => Gen::Plain(Insn::LoadImm64 {
                dst: reg(rng),
                kind: Imm64Kind::Imm,
                imm: rng.next_u64(),
            }),
            7 => {
                let (src, off) = if rng.below(2) == 0 {
                    (Reg::R10, stack_off(rng))
                } else {
                    (Reg::R1, rng.below(20) as i16 - 2)
                };
                Gen::Plain(Insn::Load {
                    size: rng.pick(&sizes),
                    signed: false,
                    dst: reg(rng),
                    src,
                    off,
                })
            }
            8 => {
                let (dst, off) = if rng.below(2) == 0 {
                    (Reg::R10, stack_off(rng))
                } else {
                    (Reg::R1, rng.below(20) as i16 - 2)
                };
                if rng.below(2) == 0 {
                    Gen::Plain(Insn::Store {
                        size: rng.pick(&sizes),
                        dst,
                        off,
                        imm: rng.pick(&imms),
                    })
                } else {
                    Gen::Plain(Insn::StoreReg {
                        size: rng.pick(&sizes),
                        dst,
                        src: rng.pick(&regs),
                        off,
                    })
                }
            }
            9 => {
                let index = if rng.below(2) == 0 {
                    None
                } else {
                    Some(rng.pick(&regs))
                };
                Gen::Plain(Insn::LoadPacket {
                    size: rng.pick(&[Size::B, Size::H, Size::W]),
                    index,
                    imm: rng.below(16) as i32 - 2,
                })
            }
            10 => {
                let w = if rfc { width(rng) } else { Width::W64 };
                Gen::Jump {
                    insn: Insn::Branch {
                        width: w,
                        cond: rng.pick(&conds),
                        dst: rng.pick(&regs),
                        src: src(rng),
                        off: 0,
                    },
                    target,
                }
            }
            11 => {
                if rng.below(3) == 0 {
                    Gen::Plain(Insn::Call {
                        kind: CallKind::Helper,
                        imm: rng.pick(&[5, 5, 5, 1]),
                    })
                } else if rfc && rng.below(3) == 0 {
                    Gen::Jump {
                        insn: Insn::Call {
                            kind: CallKind::Local,
                            imm: 0,
                        },
                        target,
                    }
                } else {
                    Gen::Jump {
                        insn: Insn::Ja { off: 0 },
                        target,
                    }
                }
            }
            12 => {
                let atomics: Vec<AtomicOp> = AtomicOp::ALL
                    .iter()
                    .copied()
                    .filter(|op| profile.allows(op.since()))
                    .collect();
                let op = rng.pick(&atomics);
                let (dst, off) = if rng.below(2) == 0 {
                    (Reg::R10, -8 * (1 + rng.below(65) as i16))
                } else {
                    (Reg::R1, 4 * rng.below(5) as i16)
                };
                Gen::Plain(Insn::Atomic {
                    size: rng.pick(&[Size::W, Size::DW]),
                    op,
                    dst,
                    src: reg(rng),
                    off,
                })
            }
            13.. if !rfc => Gen::Plain(Insn::Alu {
                width: Width::W64,
                op: rng.pick(&ops),
                dst: reg(rng),
                src: src(rng),
            }),
            _ => {
                if rng.below(2) == 0 {
                    Gen::Plain(Insn::Load {
                        size: rng.pick(&[Size::B, Size::H, Size::W]),
                        signed: true,
                        dst: reg(rng),
                        src: Reg::R10,
                        off: stack_off(rng),
                    })
                } else {
                    Gen::Plain(Insn::CallReg {
                        reg: rng.pick(&regs),
                    })
                }
            }
        });
    }
    // Fold r1..r9 into r0 so that a wrong value in any register shows in the result.
    for r in 1..=9 {
        let (dst, src) = (Reg::R0, Source::Reg(Reg::new(r).unwrap()));
        gens.push(Gen::Plain(Insn::Alu {
            width: Width::W64,
            op: AluOp::Mul,
            dst,
            src: Source::Imm(0x0100_0193),
        }));
        gens.push(Gen::Plain(Insn::Alu {
            width: Width::W64,
            op: AluOp::Xor,
            dst,
            src,
        }));
    }
    gens.push(Gen::Plain(Insn::Exit));
    // Slot index of each instruction, then resolve jump targets.
    let mut slot = Vec::with_capacity(gens.len() + 1);
    let mut at = 0usize;
    for g in &gens {
        slot.push(at);
        at += match g {
            Gen::Plain(insn) | Gen::Jump { insn, .. } => insn.slots(),
        };
    }
    slot.push(at);
    let insns = gens.iter().enumerate().map(|(i, g)| match *g {
        Gen::Plain(insn) => insn,
        Gen::Jump { insn, target } => insn.with_jump_offset((slot[target] - slot[i] - 1) as i32),
    });
    Program::from_insns(insns.collect::<Vec<_>>())
}

#[test]
fn jit_agrees_with_the_interpreter_on_random_programs() {
    let mut engine = engine();
    let mem: Vec<u8> = (0..16u8).map(|b| b.wrapping_mul(37)).collect();
    let packet: Vec<u8> = (0..12u8).map(|b| b.wrapping_mul(91) ^ 0x5a).collect();
    let mut disagreements = Vec::new();
    let mut outcomes = BTreeMap::new();
    for profile in Profile::ALL {
        for seed in 1..=3000u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let program = random_program(&mut rng, profile);
            // Every other program has a packet, so LD_ABS/LD_IND also load.
            let packet = (seed % 2 == 0).then_some(&packet[..]);
            let interpreted = interpret(&program, &mem, packet, profile);
            let jitted = jit_run(&mut engine, &program, &mem, packet, profile).expect("compiles");
            let kind = match &jitted {
                Outcome::Ended {
                    state: State::Exited { early: None, .. },
                    ..
                } => "exit",
                Outcome::Ended {
                    state: State::Exited { .. },
                    ..
                } => "early exit",
                Outcome::Ended {
                    state: State::Faulted(_),
                    ..
                } => "fault",
                _ => "other",
            };
            *outcomes.entry((profile.name(), kind)).or_insert(0) += 1;
            if jitted != interpreted {
                disagreements.push(format!(
                    "{profile} seed {seed}: JIT {jitted:?}, interpreter {interpreted:?}\n{}",
                    bpfplay_core::disasm::disassemble(&program, bpfplay_core::syntax::Syntax::Llvm)
                ));
            }
        }
    }
    eprintln!("random programs, outcomes: {outcomes:?}");
    assert!(
        disagreements.is_empty(),
        "{} disagreements; first:\n{}",
        disagreements.len(),
        disagreements[0]
    );
    // Every kind of ending was exercised.
    for profile in Profile::ALL {
        for kind in ["exit", "early exit", "fault"] {
            assert!(
                outcomes.get(&(profile.name(), kind)).copied().unwrap_or(0) > 50,
                "{profile}: too few `{kind}`"
            );
        }
    }
}

/// The JIT against the interpreter on the differential tests' programs
/// (`bpfplay_tests::progen`: ALU, jumps, in- and out-of-bounds memory), each shrunk to a
/// minimal reproducer when they disagree.
#[test]
fn jit_agrees_with_the_interpreter_on_the_differential_programs() {
    let mut engine = engine();
    let mut disagrees = |program: &Generated| {
        let program = Program::decode(&program.bytes()).expect("generated programs decode");
        let interpreted = interpret(&program, &progen::input(), None, Profile::Rfc9669);
        let jitted = jit_run(
            &mut engine,
            &program,
            &progen::input(),
            None,
            Profile::Rfc9669,
        );
        (jitted.as_ref() != Ok(&interpreted))
            .then(|| format!("JIT {jitted:?}\ninterpreter {interpreted:?}"))
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for n in 0..2000 {
        let program = Generated::random(&mut rng, 40);
        if let Some(difference) = disagrees(&program) {
            let minimal = program.shrink(|p| disagrees(p).is_some());
            let decoded = Program::decode(&minimal.bytes()).unwrap();
            panic!(
                "program {n}: {difference}\nminimal reproducer ({}):\n{}",
                disagrees(&minimal).unwrap_or_default(),
                bpfplay_core::disasm::disassemble(&decoded, bpfplay_core::syntax::Syntax::Llvm)
            );
        }
    }
}

/// The programs whose modules `examples/jit_bench_modules.rs` writes for the V8
/// measurement give the interpreter's result under the JIT too.
#[test]
fn jit_bench_programs_agree_with_the_interpreter() {
    for name in JIT_BENCH_PROGRAMS {
        let path = workspace_root().join(format!("tests/benches/programs/{name}.s"));
        let source = std::fs::read_to_string(&path).unwrap();
        let program = bpfplay_core::asm::assemble(&source, None).unwrap().program;
        let profile = ALU_BENCH_PROFILE;
        let mut vm = vm_for(&program, &JIT_BENCH_INPUT, None, profile).unwrap();
        let RunStop::Exited { r0 } = vm.run(&mut ConformanceHelpers, &[]) else {
            panic!("{name} faulted")
        };
        let jitted = jit_run(&mut engine(), &program, &JIT_BENCH_INPUT, None, profile).unwrap();
        assert_eq!(jitted.r0(), Some(r0), "{name}: {jitted:?}");
    }
}

#[test]
fn jit_handles_4096_instructions_with_a_block_each() {
    // Every instruction is a jump target, so the dispatch loop nests ~4096 blocks; the
    // program counts down a loop through all of them twice.
    let mut insns = vec![Insn::Alu {
        width: Width::W64,
        op: AluOp::Mov,
        dst: Reg::R1,
        src: Source::Imm(2),
    }];
    for _ in 0..4090 {
        insns.push(Insn::Ja { off: 0 });
    }
    insns.push(Insn::Alu {
        width: Width::W64,
        op: AluOp::Add,
        dst: Reg::R0,
        src: Source::Imm(1),
    });
    insns.push(Insn::Alu {
        width: Width::W64,
        op: AluOp::Sub,
        dst: Reg::R1,
        src: Source::Imm(1),
    });
    // Back to the first `ja` while r1 != 0.
    insns.push(Insn::Branch {
        width: Width::W64,
        cond: Cond::Ne,
        dst: Reg::R1,
        src: Source::Imm(0),
        off: -4093,
    });
    insns.push(Insn::Exit);
    let program = Program::from_insns(insns);
    assert_eq!(program.len(), 4095);
    let interpreted = interpret(&program, &[], None, Profile::Rfc9669);
    assert_eq!(interpreted.r0(), Some(2), "{interpreted:?}");
    assert_eq!(
        jit_run(&mut engine(), &program, &[], None, Profile::Rfc9669).unwrap(),
        interpreted
    );
}

#[test]
fn jit_packet_loads_at_negative_offsets_read_the_headers_as_the_interpreter_does() {
    // Issue 15, point 1: around each edge of 4.4's offset ranges (SKF_LL_OFF,
    // SKF_NET_OFF, 0) and of a 20-byte frame's tail, through LD_ABS and LD_IND.
    let packet: Vec<u8> = (0..20u8).map(|b| b.wrapping_mul(37) ^ 0xa5).collect();
    let mut engine = engine();
    let mut read = 0;
    for edge in [SKF_LL_OFF, SKF_NET_OFF - 20, SKF_NET_OFF, -20, 0, 14] {
        for off in edge - 2..=edge + 8 {
            for size in [Size::B, Size::H, Size::W] {
                for index in [None, Some(Reg::R6)] {
                    let (set_r7, imm) = match index {
                        None => (0, off),
                        Some(_) => (off.wrapping_sub(3), 3),
                    };
                    let program = Program::from_insns([
                        Insn::Alu {
                            width: Width::W64,
                            op: AluOp::Mov,
                            dst: Reg::R6,
                            src: Source::Imm(set_r7),
                        },
                        Insn::LoadPacket { size, index, imm },
                        Insn::Exit,
                    ]);
                    let interpreted = interpret(&program, &[], Some(&packet), Profile::Linux44);
                    let jitted =
                        jit_run(&mut engine, &program, &[], Some(&packet), Profile::Linux44)
                            .expect("compiles");
                    assert_eq!(jitted, interpreted, "{size:?} at {off} ({index:?})");
                    read += usize::from(interpreted.r0() != Some(0));
                }
            }
        }
    }
    // Every range reads somewhere, so a JIT that refused negative offsets would differ.
    assert!(read > 100, "{read} loads read a byte");
}

#[test]
fn jit_stack_accesses_fault_at_both_ends_as_the_interpreter_does() {
    // r10-relative accesses take the JIT's inline stack path, accesses through a copy of
    // r10 the inline region-table path: both must fault at the same pc with the same kind
    // one byte past either end of the stack, in every size, for loads, stores and atomics,
    // also from a callee's frame.
    let mut engine = engine();
    for profile in Profile::ALL {
        let vm = vm_for(&Program::from_insns([Insn::Exit]), &[], None, profile).unwrap();
        let r10 = vm.regs()[10];
        let stack = &vm.memory().regions()[(r10 >> 32) as usize - 1];
        let below = i64::from(r10 as u32) - 0x8000_0000; // bytes of stack below r10
        assert!(
            below > 0 && below <= stack.data.len() as i64 && below < 30000,
            "{profile}: {below}"
        );
        let stack_size = Config::for_profile(profile).stack_size as i64;
        let (mut checked, mut faults) = (0, 0);
        for size in [Size::B, Size::H, Size::W, Size::DW] {
            let n = size.bytes() as i64;
            // Linux 4.4 has no local calls.
            let callees: &[bool] = if profile == Profile::Rfc9669 {
                &[false, true]
            } else {
                &[false]
            };
            for &callee in callees {
                // In a callee, r10 is one frame lower: offsets around the callee's r10,
                // the entry r10 and the stack's bottom.
                let shift = if callee { stack_size } else { 0 };
                let mut offs: Vec<i64> = (-n - 2..=2).collect();
                if callee {
                    offs.extend(-n - 2 + shift..=2 + shift);
                }
                offs.extend(-below + shift - 2..=-below + shift + 2);
                for off in offs {
                    let off = i16::try_from(off).unwrap();
                    let mut accesses = vec![
                        (
                            Reg::R10,
                            Insn::Load {
                                size,
                                signed: false,
                                dst: Reg::R0,
                                src: Reg::R10,
                                off,
                            },
                        ),
                        (
                            Reg::R10,
                            Insn::Store {
                                size,
                                dst: Reg::R10,
                                off,
                                imm: -7,
                            },
                        ),
                        (
                            Reg::R10,
                            Insn::StoreReg {
                                size,
                                dst: Reg::R10,
                                src: Reg::R10,
                                off,
                            },
                        ),
                        (
                            Reg::R1,
                            Insn::Load {
                                size,
                                signed: profile == Profile::Rfc9669,
                                dst: Reg::R0,
                                src: Reg::R1,
                                off,
                            },
                        ),
                        (
                            Reg::R1,
                            Insn::StoreReg {
                                size,
                                dst: Reg::R1,
                                src: Reg::R0,
                                off,
                            },
                        ),
                    ];
                    if matches!(size, Size::W | Size::DW) {
                        for base in [Reg::R10, Reg::R1] {
                            let op = AtomicOp::Add;
                            accesses.push((
                                base,
                                Insn::Atomic {
                                    size,
                                    op,
                                    dst: base,
                                    src: Reg::R0,
                                    off,
                                },
                            ));
                        }
                    }
                    for (base, access) in accesses {
                        let mut insns = vec![Insn::Alu {
                            width: Width::W64,
                            op: AluOp::Mov,
                            dst: Reg::R0,
                            src: Source::Imm(3),
                        }];
                        if callee {
                            insns.push(Insn::Call {
                                kind: CallKind::Local,
                                imm: 1,
                            });
                            insns.push(Insn::Exit);
                        }
                        if base == Reg::R1 {
                            insns.push(Insn::Alu {
                                width: Width::W64,
                                op: AluOp::Mov,
                                dst: Reg::R1,
                                src: Source::Reg(Reg::R10),
                            });
                        }
                        insns.push(Insn::Alu {
                            width: Width::W64,
                            op: AluOp::Mov,
                            dst: Reg::R2,
                            src: Source::Imm(1),
                        });
                        insns.push(access);
                        insns.push(Insn::Exit);
                        let program = Program::from_insns(insns);
                        let interpreted = interpret(&program, &[], None, profile);
                        let jitted = jit_run(&mut engine, &program, &[], None, profile).unwrap();
                        assert_eq!(jitted, interpreted, "{profile}: {access:?} callee={callee}");
                        // Past either end of the stack region faults out of bounds.
                        let at = i64::from(off) - shift; // relative to the entry r10
                        if at < -below || at + n > stack.data.len() as i64 - below {
                            let pc = program.len() - 2;
                            let Outcome::Ended {
                                state: State::Faulted(fault),
                                ..
                            } = &jitted
                            else {
                                panic!("{jitted:?}")
                            };
                            assert_eq!(fault.pc, pc, "{access:?}");
                            assert!(
                                matches!(&fault.kind, FaultKind::Memory(e) if e.problem == AccessProblem::OutOfBounds),
                                "{access:?}: {fault}"
                            );
                            faults += 1;
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(
            checked > 300 && faults > 100,
            "{profile}: {checked} runs, {faults} faults"
        );
    }
}

/// Runs the program behind `prog` once in each engine, each on its own copy of
/// `kernel`: the reports (the JIT counts no instructions, so `executed` is left out) and
/// the kernels afterwards (maps, pins, events).
fn run_in_both(
    kernel: &Kernel,
    pid: Pid,
    prog: Fd,
    input: &RunInput,
) -> [(RunReport, KernelSnapshot); 2] {
    let snapshot = kernel.snapshot();
    let mut interpreted = Kernel::restore(&snapshot).unwrap();
    let mut report = interpreted.run_prog(pid, prog, input.clone()).unwrap();
    report.executed = 0;
    let jit_kernel = Kernel::restore(&snapshot).unwrap();
    let Invocation { vm, state } = jit_kernel.invoke(pid, prog, input.clone()).unwrap();
    let helpers = OwnedKernelHelpers {
        kernel: jit_kernel,
        inv: state,
    };
    let (vm, OwnedKernelHelpers { mut kernel, inv }) =
        jit_execute(&mut engine(), vm, helpers).unwrap();
    let mut jit_report = kernel.finish(Invocation { vm, state: inv });
    jit_report.executed = 0;
    [
        (report, interpreted.snapshot()),
        (jit_report, kernel.snapshot()),
    ]
}

#[test]
fn jit_runs_the_kernel_examples_with_helpers_maps_and_tail_calls() {
    let mut helpers_seen = std::collections::BTreeSet::new();
    let mut ran = 0;
    for ex in bpfplay_tests::examples() {
        let Some(loaded) = ex.load() else { continue };
        let Ok(prog) = loaded.prog else { continue };
        let id = loaded.kernel.prog_fd(loaded.pid, prog).unwrap();
        let program = loaded.kernel.prog(id).unwrap().code.clone();
        helpers_seen.extend(
            program
                .program()
                .insns()
                .filter_map(|(_, insn)| match insn {
                    Insn::Call {
                        kind: CallKind::Helper,
                        imm,
                    } => Some(*imm),
                    _ => None,
                }),
        );
        let [(interpreted, after_interpreter), (jitted, after_jit)] =
            run_in_both(&loaded.kernel, loaded.pid, prog, &loaded.input);
        assert_eq!(jitted, interpreted, "{}", ex.name);
        assert_eq!(
            after_jit, after_interpreter,
            "{}: the kernels differ after the run",
            ex.name
        );
        assert_eq!(jitted.fault, None, "{}", ex.name);
        ran += 1;
    }
    eprintln!("{ran} kernel examples agree in the JIT; helpers called: {helpers_seen:?}");
    assert!(ran >= 8, "only {ran} kernel examples ran");
    assert!(
        helpers_seen.len() >= 5,
        "too few helpers exercised: {helpers_seen:?}"
    );
}

#[test]
fn jit_runs_the_kernel_benchmarks_including_33_tail_calls() {
    let frame = bpfplay_tests::bench_frame();
    for bench in bpfplay_tests::kernel_benches() {
        let input = RunInput::packet(frame.clone());
        let [(interpreted, after_interpreter), (jitted, after_jit)] =
            run_in_both(&bench.kernel, bench.pid, bench.prog, &input);
        assert_eq!(jitted, interpreted, "{}", bench.name);
        assert_eq!(
            after_jit, after_interpreter,
            "{}: the kernels differ after the run",
            bench.name
        );
        assert_eq!(
            (jitted.fault, jitted.ret),
            (None, bench.expect_ret),
            "{}",
            bench.name
        );
        if bench.name == "tail_chain" {
            assert_eq!(jitted.tail_calls, 33);
        }
    }
}

#[test]
fn jit_checks_writes_through_an_unchanging_r1_against_a_read_only_region() {
    // r1 is never written, so the JIT checks its accesses once at entry: a store must
    // still fault on a read-only context (a kprobe's pt_regs), and loads still work.
    let store = Insn::Store {
        size: Size::W,
        dst: Reg::R1,
        off: 4,
        imm: 1,
    };
    let load = Insn::Load {
        size: Size::W,
        signed: false,
        dst: Reg::R0,
        src: Reg::R1,
        off: 4,
    };
    for (insns, faults) in [
        (vec![load, Insn::Exit], false),
        (vec![load, store, Insn::Exit], true),
    ] {
        let program = Program::from_insns(insns);
        let mut vm = Vm::new(program.clone(), Config::for_profile(Profile::Linux44)).unwrap();
        let ctx = vm
            .memory_mut()
            .map(RegionKind::Context, (0..16).collect(), false);
        vm.set_reg(Reg::R1, ctx);
        let (jitted, _) = jit_execute(&mut engine(), vm.clone(), ConformanceHelpers).unwrap();
        vm.run(&mut ConformanceHelpers, &[]);
        assert_eq!(jitted.state(), vm.state());
        assert_eq!(
            matches!(vm.state(), State::Faulted(f) if matches!(&f.kind, FaultKind::Memory(e) if e.problem == AccessProblem::ReadOnly)),
            faults
        );
    }
}
