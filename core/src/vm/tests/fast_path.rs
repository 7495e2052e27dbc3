//! The fast loop (`run`) against stepping: random programs never panic, and every run,
//! with breakpoints or without, ends exactly where stepping one instruction at a time
//! ends.

use super::*;

#[test]
fn random_programs_never_panic() {
    // xorshift: deterministic, no dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ran = 0;
    for _ in 0..3_000 {
        let len = 1 + next() % 24;
        let mut bytes = Vec::new();
        while bytes.len() < len as usize * 8 {
            let mut slot = next().to_le_bytes();
            slot[1] &= 0x9a; // registers mostly in range
            slot[3] = if slot[3] & 0x80 != 0 { 0xff } else { 0 }; // short jumps and offsets
            if next() % 2 == 0 {
                slot[4..].copy_from_slice(&[(next() % 70) as u8, 0, 0, 0]); // small immediates
            }
            let mut candidate = slot.to_vec();
            if slot[0] == 0x18 {
                candidate.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
            }
            if crate::isa::Program::decode(&candidate).is_ok() {
                bytes.extend_from_slice(&candidate);
            }
        }
        let Ok(program) = crate::isa::Program::decode(&bytes) else {
            panic!("valid slots form a valid program")
        };
        for profile in Profile::ALL {
            let config = Config {
                fuel: Some(10_000),
                ..Config::for_profile(profile)
            };
            if let Ok(vm) = Vm::new(program.clone(), config) {
                let mut vm = vm.with_input(vec![0xab; 64]);
                vm.memory_mut()
                    .map(RegionKind::Packet, vec![0xcd; 64], false);
                let _ = vm.run(&mut ConformanceHelpers, &[]);
                ran += 1;
            }
        }
    }
    assert!(ran > 300, "only {ran} random programs ran");
}

/// Runs `vm` (resuming at each breakpoint) and steps a copy of it, stopping before each
/// breakpoint but the first instruction, and checks that both end the same: stops,
/// state, registers, pc, count and memory.
#[track_caller]
fn assert_runs_as_it_steps(vm: &Vm, breakpoints: &[usize], what: &str) {
    let mut fast = vm.clone();
    let mut stops = Vec::new();
    loop {
        let stop = fast.run(&mut ConformanceHelpers, breakpoints);
        stops.push(stop.clone());
        if !matches!(stop, RunStop::Breakpoint { .. }) {
            break;
        }
    }
    let mut slow = vm.clone();
    let mut slow_stops = Vec::new();
    let mut first = true;
    loop {
        if !first && *slow.state() == State::Running && breakpoints.contains(&slow.pc()) {
            slow_stops.push(RunStop::Breakpoint { pc: slow.pc() });
        }
        first = false;
        if slow.step(&mut ConformanceHelpers).is_none() {
            break;
        }
    }
    slow_stops.push(slow.stop_reason().unwrap());
    assert_eq!(stops, slow_stops, "{what} (breakpoints {breakpoints:?})");
    assert_eq!(fast.state(), slow.state(), "{what}");
    assert_eq!(fast.regs(), slow.regs(), "{what}");
    assert_eq!(fast.pc(), slow.pc(), "{what}");
    assert_eq!(fast.executed(), slow.executed(), "{what}");
    assert_eq!(fast.memory(), slow.memory(), "{what}");
}

/// `run` takes a fast path for common instructions; it must end exactly where stepping
/// one instruction at a time ends: same stop, registers, memory, pc and count, across
/// faults (memory, r10, jumps, fuel), early exits, breakpoints and read-only regions.
#[test]
fn run_ends_exactly_where_stepping_ends() {
    let programs = [
        "r0 = 6\nr0 *= 7\nw1 = -1\nr1 = be16 r1\nr2 = 0x1122334455667788 ll\nr0 ^= r2\nexit",
        "r1 = 3\nloop:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto loop\nexit",
        "r0 = 0\nloop:\nr0 += 1\nja loop",
        "r1 = 0\nr0 = 5\nr0 /= r1\nr0 += 1\nexit",
        "r1 = 0\nw0 = 5\nw0 %= w1\nexit",
        "*(u64 *)(r10 -8) = 9\nr0 = *(u64 *)(r10 -8)\nr0 = *(u8 *)(r10 +0)\nexit",
        "r2 = 1\n*(u32 *)(r10 -520) = r2\nexit",
        "r10 = 1\nexit",
        "r0 = 1\nif r0 == 1 goto +5\nexit",
        "r0 = 1\nif r0 == 1 goto +1\nr1 = 0x1 ll\nexit",
        "r0 = 1\nja -3\nexit",
        "r0 = 1",
        "r1 = 0\n*(u64 *)(r10 -8) = r1\nr2 = 2\nlock *(u64 *)(r10 -8) += r2\nr0 = *(u64 *)(r10 -8)\nexit",
        "r0 = *(u16 *)skb[12]\nr1 = 3\nr0 = *(u8 *)skb[r1 + 1]\nr0 = *(u32 *)skb[200]\nexit",
        "r0 = *(u32 *)(r1 +0)\nr0 += *(u32 *)(r1 +4)\n*(u32 *)(r1 +8) = r0\nexit",
        "r0 = *(u32 *)(r1 +0)\n*(u16 *)(r6 +0) = 1\nexit",
        // The atomic goes through `advance`; the fast loop then starts again with
        // instructions already counted and runs out of fuel in the loop.
        "r1 = 0\n*(u64 *)(r10 -8) = r1\nlock *(u64 *)(r10 -8) += r1\nl:\nr0 += 1\nja l",
    ];
    for text in programs {
        for profile in Profile::ALL {
            let Ok(program) = assemble(text, None) else {
                continue;
            };
            let Ok(base) = Vm::new(
                program.program,
                Config {
                    fuel: Some(50),
                    ..Config::for_profile(profile)
                },
            ) else {
                continue;
            };
            let mut base = base.with_input((0..16).collect());
            base.memory_mut()
                .map(RegionKind::Packet, (0..64).collect(), false);
            let ro = base
                .memory_mut()
                .map(RegionKind::Context, vec![0; 8], false);
            base.set_reg(Reg::R6, ro);
            for breakpoints in [&[][..], &[1, 3][..]] {
                assert_runs_as_it_steps(&base, breakpoints, text);
            }
        }
    }
}

/// `alu::select` on the op `flat` builds is the fast loop's restatement of `alu64`,
/// `alu32`, negation and `endian`: the same result for every selected instruction and
/// width, on operands that reach sign bits, shift counts past the width, and truncation.
#[test]
fn selected_ops_agree_with_the_reference_operations() {
    use crate::isa::{AluOp, ByteOrder, Insn, Slot, Source, Width};
    use alloc::boxed::Box;
    let values = [
        0,
        1,
        2,
        7,
        31,
        32,
        33,
        48,
        63,
        64,
        65,
        0x7f,
        0x80,
        0xff,
        0x8000,
        0xffff,
        0x7fff_ffff,
        0x8000_0000,
        0xffff_ffff,
        0x1_0000_0000,
        0x8000_0000_0000_0000,
        u64::MAX,
        0x0123_4567_89ab_cdef,
        0xfedc_ba98_7654_3210,
    ];
    let (dst_reg, src_reg) = (Reg::R1, Reg::R2);
    // Every instruction `flat` selects, with how it computes from (dst, src).
    type Reference = Box<dyn Fn(u64, u64) -> Option<u64>>;
    let mut cases: Vec<(Insn, Reference)> = Vec::new();
    for width in [Width::W64, Width::W32] {
        for &op in AluOp::ALL {
            let insn = Insn::Alu {
                width,
                op,
                dst: dst_reg,
                src: Source::Reg(src_reg),
            };
            cases.push((
                insn,
                Box::new(move |dst, src| match width {
                    Width::W64 => alu::alu64(op, dst, src, Profile::Rfc9669),
                    Width::W32 => {
                        alu::alu32(op, dst as u32, src as u32, Profile::Rfc9669).map(u64::from)
                    }
                }),
            ));
        }
        let neg = Insn::Neg {
            width,
            dst: dst_reg,
        };
        cases.push((
            neg,
            Box::new(move |dst, _| {
                Some(match width {
                    Width::W64 => dst.wrapping_neg(),
                    Width::W32 => u64::from((dst as u32).wrapping_neg()),
                })
            }),
        ));
    }
    for &order in ByteOrder::ALL {
        for bits in [16, 32, 64] {
            let insn = Insn::Endian {
                order,
                bits,
                dst: dst_reg,
            };
            cases.push((
                insn,
                Box::new(move |dst, _| Some(alu::endian(order, bits, dst))),
            ));
        }
    }
    let mut selected = 0;
    for (insn, reference) in &cases {
        let flat = flat::FlatCode::build(&[Slot::Insn(*insn)]);
        let op = flat.ops()[0];
        if op.select >= flat::NOT_SELECTED {
            continue;
        }
        selected += 1;
        for dst in values {
            for src in values {
                let operand = if op.src == flat::ZERO { 0 } else { src } | op.imm;
                assert_eq!(
                    Some(alu::select(op.select, dst, operand, op.aux, op.mask)),
                    reference(dst, src),
                    "{insn:?} {dst:#x} {src:#x}"
                );
            }
        }
    }
    // All but the eight division and modulo instructions.
    assert_eq!(selected, cases.len() - 8);
}

/// A budget lowered below what has already run stops the next run at once, as stepping
/// does, with nothing more executed.
#[test]
fn fuel_below_what_already_ran_stops_the_run_at_once() {
    let program = assemble("r0 = 1\nr0 += 1\nr0 += 1\nr0 += 1\nexit", None)
        .unwrap()
        .program;
    let mut vm = Vm::new(program, Config::for_profile(Profile::Linux44)).unwrap();
    vm.step(&mut ConformanceHelpers);
    vm.step(&mut ConformanceHelpers);
    vm.set_fuel(Some(1));
    assert_runs_as_it_steps(&vm, &[], "budget 1 after 2 instructions");
    let stop = vm.run(&mut ConformanceHelpers, &[]);
    assert!(
        matches!(&stop, RunStop::Faulted(f) if f.kind == FaultKind::OutOfFuel { budget: 1 }),
        "{stop:?}"
    );
    assert_eq!((vm.executed(), vm.regs()[0]), (2, 2));
}

/// Random ALU, negation, byte-order and `lddw` programs with a few forward jumps (both
/// widths, register and immediate operands, division by zero, writes to r10) end
/// exactly where stepping ends, under a fuel limit that often runs out mid-way and
/// with breakpoints anywhere, `lddw` tails included.
#[test]
fn random_alu_programs_run_as_they_step() {
    use crate::isa::{AluOp, ByteOrder, Cond, Imm64Kind};
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for round in 0..2_000 {
        let mut insns = Vec::new();
        for _ in 0..1 + next(40) {
            let width = if next(2) == 0 { Width::W64 } else { Width::W32 };
            // r10 only now and then: writing it faults.
            let dst = Reg::new(if next(50) == 0 { 10 } else { next(10) as u8 }).unwrap();
            let operand = match next(3) {
                0 => Source::Reg(Reg::new(next(11) as u8).unwrap()),
                1 => Source::Imm(next(70) as i32 - 3),
                _ => Source::Imm(next(1 << 32) as u32 as i32),
            };
            let insn = match next(14) {
                0 => Insn::Neg { width, dst },
                1 => {
                    let order = ByteOrder::ALL[next(ByteOrder::ALL.len() as u64) as usize];
                    Insn::Endian {
                        order,
                        bits: [16, 32, 64][next(3) as usize],
                        dst,
                    }
                }
                2 => Insn::LoadImm64 {
                    dst,
                    kind: Imm64Kind::Imm,
                    imm: next(u64::MAX),
                },
                // Forward, sometimes into an `lddw` tail or past the end.
                3 => Insn::Ja {
                    off: next(4) as i16,
                },
                4 => {
                    let cond = Cond::ALL[next(Cond::ALL.len() as u64) as usize];
                    Insn::Branch {
                        width,
                        cond,
                        dst,
                        src: operand,
                        off: next(4) as i16,
                    }
                }
                _ => {
                    let op = AluOp::ALL[next(AluOp::ALL.len() as u64) as usize];
                    Insn::Alu {
                        width,
                        op,
                        dst,
                        src: operand,
                    }
                }
            };
            insns.push(insn);
        }
        insns.push(Insn::Exit);
        let program = Rc::new(Prepared::new(Program::from_insns(insns)));
        let breakpoints: Vec<usize> = (0..next(3))
            .map(|_| next(program.program().len() as u64) as usize)
            .collect();
        for profile in Profile::ALL {
            let config = Config {
                fuel: Some(5 + next(40)),
                ..Config::for_profile(profile)
            };
            let Ok(mut vm) = Vm::new(program.clone(), config) else {
                continue;
            };
            let values = [
                0,
                1,
                u64::MAX,
                0x8000_0000,
                0xdead_beef_0123_4567,
                7,
                64,
                0x7fff_ffff,
                3,
                33,
            ];
            for (i, value) in values.into_iter().enumerate() {
                vm.set_reg(Reg::new(i as u8).unwrap(), value.rotate_left(round));
            }
            let what = format!("round {round} ({profile})");
            assert_runs_as_it_steps(&vm, &[], &what);
            if !breakpoints.is_empty() {
                assert_runs_as_it_steps(&vm, &breakpoints, &what);
            }
        }
    }
}

/// A run with breakpoints runs the fast loop on a copy of the flat program in which the
/// ops at breakpoints, and only those, leave the loop.
#[test]
fn breakpoints_make_only_their_ops_slow() {
    let program = assemble("r0 = 1\nr0 += 2\nr1 = r0\nexit", None)
        .unwrap()
        .program;
    let prepared = Prepared::new(program);
    let ops = prepared.ops();
    // Past the end (a breakpoint in another program of a tail-call chain) is ignored.
    let stopping = flat::with_stops(ops, &[false, true, false, false, true]);
    assert_eq!(stopping.len(), ops.len());
    for (pc, (op, original)) in stopping.iter().zip(ops).enumerate() {
        if pc == 1 {
            assert_eq!(op.kind, flat::Kind::Slow);
        } else {
            assert_eq!(op, original, "op {pc}");
        }
    }
    assert_ne!(ops[1].kind, flat::Kind::Slow);
}
