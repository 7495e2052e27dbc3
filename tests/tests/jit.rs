//! The eBPF → WebAssembly JIT (`bpfplay_core::jit`) agrees with the interpreter: every
//! bpf_conformance test in both profiles, and random programs, run in wasmi.

use bpfplay_core::isa::{AluOp, AtomicOp, ByteOrder, CallKind, Cond, Imm64Kind, Insn, Profile, Program, Reg, Size, Source, Width};
use bpfplay_core::jit::{self, EarlyExitCode, FaultCode, HelperStatus, JitError, STATUS_ADDR};
use bpfplay_core::vm::{AccessProblem, ConformanceHelpers, Config, EarlyExit, FaultKind, RegionKind, RunStop, State, Vm};
use bpfplay_tests::{JIT_BENCH_INPUT, JIT_BENCH_PROGRAMS, Rng, conformance_suite, linux44_overrides, workspace_root};
use std::collections::BTreeMap;

/// How a run ended, in terms both engines can report.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// An exit, with the bytes of every memory region afterwards.
    Exited { r0: u64, early: Option<EarlyExit>, memory: Vec<Vec<u8>> },
    /// A fault at `pc` (`None` when a helper faulted: the JIT's helper import has no pc)
    /// of a kind (`None` for kinds the JIT does not report).
    Faulted { pc: Option<usize>, code: Option<FaultCode> },
    /// The interpreter ran out of fuel, or the engine refused the program.
    Other(String),
}

impl Outcome {
    /// Whether two outcomes agree; a fault without pc or code matches any pc or code.
    fn agrees(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Faulted { pc: p1, code: c1 }, Outcome::Faulted { pc: p2, code: c2 }) => {
                (p1.is_none() || p2.is_none() || p1 == p2) && (c1.is_none() || c2.is_none() || c1 == c2)
            }
            _ => self == other,
        }
    }
}

fn fault_code(kind: &FaultKind) -> Option<FaultCode> {
    Some(match kind {
        FaultKind::Memory(e) => match e.problem {
            AccessProblem::Unmapped => FaultCode::Unmapped,
            AccessProblem::OutOfBounds => FaultCode::OutOfBounds,
            AccessProblem::ReadOnly => FaultCode::ReadOnly,
        },
        FaultKind::UnknownHelper { .. } => FaultCode::UnknownHelper,
        FaultKind::WriteToR10 => FaultCode::WriteToR10,
        FaultKind::JumpOutOfRange { .. } => FaultCode::JumpOutOfRange,
        FaultKind::JumpIntoImm64 { .. } => FaultCode::JumpIntoImm64,
        FaultKind::FellOffEnd => FaultCode::FellOffEnd,
        FaultKind::UnsupportedCall { .. } => FaultCode::UnsupportedCall,
        FaultKind::CallDepthExceeded { .. } => FaultCode::CallDepthExceeded,
        _ => return None,
    })
}

/// The conformance convention (r1 = input, r2 = its length), plus a read-only packet
/// for `LD_ABS`/`LD_IND` when given.
fn vm_for(program: &Program, mem: &[u8], packet: Option<&[u8]>, profile: Profile) -> Result<Vm, String> {
    let vm = Vm::new(program.clone(), Config::for_profile(profile)).map_err(|e| e.to_string())?;
    let mut vm = vm.with_input(mem.to_vec());
    if let Some(packet) = packet {
        vm.memory_mut().map(RegionKind::Packet, packet.to_vec(), false);
    }
    Ok(vm)
}

fn interpret(program: &Program, mem: &[u8], packet: Option<&[u8]>, profile: Profile) -> Outcome {
    let mut vm = match vm_for(program, mem, packet, profile) {
        Ok(vm) => vm,
        Err(e) => return Outcome::Other(e),
    };
    match vm.run(&mut ConformanceHelpers, &[]) {
        RunStop::Exited { r0 } => {
            let State::Exited { early, .. } = vm.state() else { unreachable!() };
            let memory = vm.memory().regions().iter().map(|r| r.data.to_vec()).collect();
            Outcome::Exited { r0, early: *early, memory }
        }
        RunStop::Faulted(f) => match f.kind {
            FaultKind::OutOfFuel { .. } => Outcome::Other(f.to_string()),
            ref kind => Outcome::Faulted { pc: Some(f.pc), code: fault_code(kind) },
        },
        RunStop::Breakpoint { pc } => Outcome::Other(format!("breakpoint at {pc}")),
    }
}

/// What the host functions saw during one run.
#[derive(Default)]
struct Host {
    memory: Option<wasmi::Memory>,
    fault: Option<(Option<usize>, Option<FaultCode>)>,
    early: Option<EarlyExit>,
}

/// Compiles and runs a program in wasmi with the conformance helper table.
fn jit_run(
    engine: &wasmi::Engine,
    program: &Program,
    mem: &[u8],
    packet: Option<&[u8]>,
    profile: Profile,
) -> Result<Outcome, JitError> {
    let wasm = jit::compile(program, profile)?;
    // The VM lays out memory and registers exactly as for an interpreted run.
    let vm = vm_for(program, mem, packet, profile).expect("compile checked the profile");
    let image = jit::image(vm.memory(), vm.regs()[10]).expect("few regions");
    let module = wasmi::Module::new(engine, &wasm[..]).expect("the JIT emits valid wasm");
    let mut store = wasmi::Store::new(engine, Host::default());
    store.set_fuel(1 << 32).unwrap();
    let pages = (image.bytes.len() as u32).div_ceil(65536).max(1);
    let memory = wasmi::Memory::new(&mut store, wasmi::MemoryType::new(pages, None)).unwrap();
    memory.write(&mut store, 0, &image.bytes).unwrap();
    store.data_mut().memory = Some(memory);
    let mut linker = <wasmi::Linker<Host>>::new(engine);
    linker.define("env", "memory", memory).unwrap();
    linker
        .func_wrap(
            "env",
            "helper",
            |mut caller: wasmi::Caller<'_, Host>, id: i32, r1: i64, _: i64, _: i64, _: i64, _: i64| {
                if id != bpfplay_core::vm::helpers::UNWIND_HELPER {
                    caller.data_mut().fault = Some((None, Some(FaultCode::UnknownHelper)));
                    return Err(wasmi::Error::new(format!("unknown helper {id}")));
                }
                let status = if r1 == 0 { HelperStatus::Stop } else { HelperStatus::Value };
                if status == HelperStatus::Stop {
                    caller.data_mut().early = Some(EarlyExit::HelperStop { id });
                }
                let memory = caller.data().memory.expect("set before the run");
                memory.write(&mut caller, STATUS_ADDR as usize, &(status as i32).to_le_bytes()).unwrap();
                Ok(r1)
            },
        )
        .unwrap();
    linker
        .func_wrap("env", "fault", |mut caller: wasmi::Caller<'_, Host>, pc: i32, kind: i32| {
            caller.data_mut().fault = Some((Some(pc as usize), FaultCode::from_i32(kind)));
        })
        .unwrap();
    linker
        .func_wrap("env", "early_exit", |mut caller: wasmi::Caller<'_, Host>, _pc: i32, kind: i32| {
            caller.data_mut().early = Some(match kind {
                k if k == EarlyExitCode::DivisionByZero as i32 => EarlyExit::DivisionByZero,
                _ => EarlyExit::PacketOutOfBounds,
            });
        })
        .unwrap();
    let instance = linker.instantiate_and_start(&mut store, &module).expect("instantiates");
    let run = instance.get_typed_func::<(i64, i64), i64>(&store, "run").expect("exports run");
    let (r1, r2) = (vm.regs()[1], vm.regs()[2]);
    let result = run.call(&mut store, (r1 as i64, r2 as i64));
    let host = store.data();
    Ok(match (result, host.fault) {
        (_, Some((pc, code))) => Outcome::Faulted { pc, code },
        (Ok(r0), None) => {
            let mut linear = vec![0; memory.data_size(&store) as usize];
            memory.read(&store, 0, &mut linear).unwrap();
            let memory = image.regions.iter().map(|&(at, len)| linear[at as usize..(at + len) as usize].to_vec()).collect();
            Outcome::Exited { r0: r0 as u64, early: host.early, memory }
        }
        (Err(e), None) => Outcome::Other(format!("wasm trap without a fault report: {e}")),
    })
}

/// Conformance tests the JIT does not compile yet, with the reason. The test fails if
/// this list is not exactly the set of refused programs, so it cannot grow silently.
const RFC9669_SKIPPED: &[(&str, &str)] = &[];

/// Runs the suite in one profile through the JIT: every test must match the file's
/// expected r0 and the interpreter's outcome, or be in `skipped` with its reason.
fn check_suite(profile: Profile, skipped: &[(&str, &str)]) {
    let engine = engine();
    let files = conformance_suite();
    let overrides = if profile == Profile::Linux44 { linux44_overrides() } else { BTreeMap::new() };
    let (mut passed, mut ran) = (0, 0);
    let mut failures = Vec::new();
    let mut refused = Vec::new();
    for file in &files {
        let program = file.program().unwrap();
        if program.check_profile(profile).is_err() {
            continue;
        }
        ran += 1;
        let expected = overrides.get(&file.name).copied().unwrap_or_else(|| file.expected().unwrap());
        let interpreted = interpret(&program, &file.mem, None, profile);
        match jit_run(&engine, &program, &file.mem, None, profile) {
            Err(e) => refused.push((file.name.clone(), e.to_string())),
            Ok(jit @ Outcome::Exited { r0, .. }) if r0 == expected => {
                if jit.agrees(&interpreted) {
                    passed += 1;
                } else {
                    failures.push(format!("{}: JIT {jit:?}, interpreter {interpreted:?}", file.name));
                }
            }
            Ok(other) => failures.push(format!("{}: JIT {other:?}, expected r0 = {expected:#x}", file.name)),
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
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    if bpfplay_tests::conformance_dir().is_some() {
        assert_eq!(refused_names, skipped_names, "the refused tests must be exactly the listed skips");
        assert_eq!(passed + refused.len(), ran);
        let total = if profile == Profile::Rfc9669 { 313 } else { 160 };
        assert_eq!(ran, total);
    }
}

fn engine() -> wasmi::Engine {
    let mut config = wasmi::Config::default();
    // The JIT has no fuel of its own; wasmi's bounds a runaway test.
    config.consume_fuel(true);
    wasmi::Engine::new(&config)
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
    let recursive = Program::from_insns([Insn::Call { kind: CallKind::Local, imm: -1 }, Insn::Exit]);
    let engine = engine();
    let jitted = jit_run(&engine, &recursive, &[], None, Profile::Rfc9669).unwrap();
    assert_eq!(jitted, Outcome::Faulted { pc: Some(0), code: Some(FaultCode::CallDepthExceeded) });
    assert!(jitted.agrees(&interpret(&recursive, &[], None, Profile::Rfc9669)));
    // A callee's r6..r9 and r10 changes do not leak into the caller.
    let program = Program::from_insns([
        Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R6, src: Source::Imm(6) },
        Insn::Call { kind: CallKind::Local, imm: 3 },
        Insn::Alu { width: Width::W64, op: AluOp::Add, dst: Reg::R0, src: Source::Reg(Reg::R6) },
        Insn::Alu { width: Width::W64, op: AluOp::Add, dst: Reg::R0, src: Source::Reg(Reg::R10) },
        Insn::Exit,
        Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R6, src: Source::Imm(100) },
        Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Reg(Reg::R10) },
        Insn::Exit,
    ]);
    let jitted = jit_run(&engine, &program, &[], None, Profile::Rfc9669).unwrap();
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
    let mut ops: Vec<AluOp> = AluOp::ALL.iter().copied().filter(|op| *op != AluOp::MovSx32).collect();
    if !rfc {
        ops.retain(|op| profile.allows(op.since()));
    }
    let conds: Vec<Cond> = Cond::ALL.iter().copied().filter(|c| profile.allows(c.since())).collect();
    let sizes = [Size::B, Size::H, Size::W, Size::DW];
    let imms = [0, 1, -1, 2, 7, 31, 32, 63, 64, i32::MIN, i32::MAX, 0x1234_5678, -8];
    let mut gens = Vec::new();
    for i in 0..len {
        let reg = |rng: &mut Rng| if rng.below(50) == 0 { Reg::R10 } else { rng.pick(&regs) };
        let src = |rng: &mut Rng| {
            if rng.below(2) == 0 { Source::Reg(rng.pick(&regs)) } else { Source::Imm(rng.pick(&imms)) }
        };
        let width = |rng: &mut Rng| if rng.below(2) == 0 { Width::W32 } else { Width::W64 };
        // Memory: the stack through r10 (mostly in bounds) or the input through r1.
        let stack_off = |rng: &mut Rng| -(1 + rng.below(520) as i16);
        let choice = rng.below(if rfc { 16 } else { 14 });
        let target = i + 1 + rng.below((len - i) as u64) as usize;
        gens.push(match choice {
            0..=3 => {
                let op = rng.pick(&ops);
                let w = if matches!(op, AluOp::SDiv | AluOp::SMod | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::Arsh) && !rfc {
                    Width::W64
                } else {
                    width(rng)
                };
                Gen::Plain(Insn::Alu { width: w, op, dst: reg(rng), src: src(rng) })
            }
            4 => Gen::Plain(Insn::Neg { width: width(rng), dst: reg(rng) }),
            5 => {
                let order = if rfc { rng.pick(&[ByteOrder::Le, ByteOrder::Be, ByteOrder::Swap]) } else { rng.pick(&[ByteOrder::Le, ByteOrder::Be]) };
                Gen::Plain(Insn::Endian { order, bits: rng.pick(&[16, 32, 64]), dst: reg(rng) })
            }
            6 => Gen::Plain(Insn::LoadImm64 { dst: reg(rng), kind: Imm64Kind::Imm, imm: rng.next_u64() }),
            7 => {
                let (src, off) = if rng.below(2) == 0 { (Reg::R10, stack_off(rng)) } else { (Reg::R1, rng.below(20) as i16 - 2) };
                Gen::Plain(Insn::Load { size: rng.pick(&sizes), signed: false, dst: reg(rng), src, off })
            }
            8 => {
                let (dst, off) = if rng.below(2) == 0 { (Reg::R10, stack_off(rng)) } else { (Reg::R1, rng.below(20) as i16 - 2) };
                if rng.below(2) == 0 {
                    Gen::Plain(Insn::Store { size: rng.pick(&sizes), dst, off, imm: rng.pick(&imms) })
                } else {
                    Gen::Plain(Insn::StoreReg { size: rng.pick(&sizes), dst, src: rng.pick(&regs), off })
                }
            }
            9 => {
                let index = if rng.below(2) == 0 { None } else { Some(rng.pick(&regs)) };
                Gen::Plain(Insn::LoadPacket { size: rng.pick(&[Size::B, Size::H, Size::W]), index, imm: rng.below(16) as i32 - 2 })
            }
            10 => {
                let w = if rfc { width(rng) } else { Width::W64 };
                Gen::Jump { insn: Insn::Branch { width: w, cond: rng.pick(&conds), dst: rng.pick(&regs), src: src(rng), off: 0 }, target }
            }
            11 => {
                if rng.below(3) == 0 {
                    Gen::Plain(Insn::Call { kind: CallKind::Helper, imm: rng.pick(&[5, 5, 5, 1]) })
                } else if rfc && rng.below(3) == 0 {
                    Gen::Jump { insn: Insn::Call { kind: CallKind::Local, imm: 0 }, target }
                } else {
                    Gen::Jump { insn: Insn::Ja { off: 0 }, target }
                }
            }
            12 => {
                let atomics: Vec<AtomicOp> = AtomicOp::ALL.iter().copied().filter(|op| profile.allows(op.since())).collect();
                let op = rng.pick(&atomics);
                let (dst, off) = if rng.below(2) == 0 { (Reg::R10, -8 * (1 + rng.below(65) as i16)) } else { (Reg::R1, 4 * rng.below(5) as i16) };
                Gen::Plain(Insn::Atomic { size: rng.pick(&[Size::W, Size::DW]), op, dst, src: reg(rng), off })
            }
            13.. if !rfc => Gen::Plain(Insn::Alu { width: Width::W64, op: rng.pick(&ops), dst: reg(rng), src: src(rng) }),
            _ => {
                if rng.below(2) == 0 {
                    Gen::Plain(Insn::Load { size: rng.pick(&[Size::B, Size::H, Size::W]), signed: true, dst: reg(rng), src: Reg::R10, off: stack_off(rng) })
                } else {
                    Gen::Plain(Insn::CallReg { reg: rng.pick(&regs) })
                }
            }
        });
    }
    // Fold r1..r9 into r0 so that a wrong value in any register shows in the result.
    for r in 1..=9 {
        let (dst, src) = (Reg::R0, Source::Reg(Reg::new(r).unwrap()));
        gens.push(Gen::Plain(Insn::Alu { width: Width::W64, op: AluOp::Mul, dst, src: Source::Imm(0x0100_0193) }));
        gens.push(Gen::Plain(Insn::Alu { width: Width::W64, op: AluOp::Xor, dst, src }));
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
        Gen::Jump { insn, target } => {
            let off = (slot[target] - slot[i] - 1) as i16;
            match insn {
                Insn::Branch { width, cond, dst, src, .. } => Insn::Branch { width, cond, dst, src, off },
                Insn::Call { kind, .. } => Insn::Call { kind, imm: off.into() },
                _ => Insn::Ja { off },
            }
        }
    });
    Program::from_insns(insns.collect::<Vec<_>>())
}

#[test]
fn jit_agrees_with_the_interpreter_on_random_programs() {
    let engine = engine();
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
            let jitted = jit_run(&engine, &program, &mem, packet, profile).expect("compiles");
            let kind = match &jitted {
                Outcome::Exited { early: None, .. } => "exit",
                Outcome::Exited { .. } => "early exit",
                Outcome::Faulted { .. } => "fault",
                Outcome::Other(_) => "other",
            };
            *outcomes.entry((profile.name(), kind)).or_insert(0) += 1;
            if !jitted.agrees(&interpreted) {
                disagreements.push(format!(
                    "{profile} seed {seed}: JIT {jitted:?}, interpreter {interpreted:?}\n{}",
                    bpfplay_core::disasm::disassemble(&program, bpfplay_core::syntax::Syntax::Llvm)
                ));
            }
        }
    }
    eprintln!("random programs, outcomes: {outcomes:?}");
    assert!(disagreements.is_empty(), "{} disagreements; first:\n{}", disagreements.len(), disagreements[0]);
    // Every kind of ending was exercised.
    for profile in Profile::ALL {
        for kind in ["exit", "early exit", "fault"] {
            assert!(outcomes.get(&(profile.name(), kind)).copied().unwrap_or(0) > 50, "{profile}: too few `{kind}`");
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
        let profile = Profile::Rfc9669;
        let mut vm = vm_for(&program, &JIT_BENCH_INPUT, None, profile).unwrap();
        let RunStop::Exited { r0 } = vm.run(&mut ConformanceHelpers, &[]) else { panic!("{name} faulted") };
        let jitted = jit_run(&engine(), &program, &JIT_BENCH_INPUT, None, profile).unwrap();
        assert!(matches!(jitted, Outcome::Exited { r0: j, .. } if j == r0), "{name}: {jitted:?}");
    }
}

#[test]
fn jit_handles_4096_instructions_with_a_block_each() {
    // Every instruction is a jump target, so the dispatch loop nests ~4096 blocks; the
    // program counts down a loop through all of them twice.
    let mut insns = vec![Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R1, src: Source::Imm(2) }];
    for _ in 0..4090 {
        insns.push(Insn::Ja { off: 0 });
    }
    insns.push(Insn::Alu { width: Width::W64, op: AluOp::Add, dst: Reg::R0, src: Source::Imm(1) });
    insns.push(Insn::Alu { width: Width::W64, op: AluOp::Sub, dst: Reg::R1, src: Source::Imm(1) });
    // Back to the first `ja` while r1 != 0.
    insns.push(Insn::Branch { width: Width::W64, cond: Cond::Ne, dst: Reg::R1, src: Source::Imm(0), off: -4093 });
    insns.push(Insn::Exit);
    let program = Program::from_insns(insns);
    assert_eq!(program.len(), 4095);
    let interpreted = interpret(&program, &[], None, Profile::Rfc9669);
    assert!(matches!(interpreted, Outcome::Exited { r0: 2, .. }), "{interpreted:?}");
    assert_eq!(jit_run(&engine(), &program, &[], None, Profile::Rfc9669).unwrap(), interpreted);
}

#[test]
fn jit_stack_accesses_fault_at_both_ends_as_the_interpreter_does() {
    // r10-relative accesses take the JIT's inline stack path, accesses through a copy of
    // r10 the inline region-table path: both must fault at the same pc with the same kind
    // one byte past either end of the stack, in every size, for loads, stores and atomics,
    // also from a callee's frame.
    let engine = engine();
    for profile in Profile::ALL {
        let vm = vm_for(&Program::from_insns([Insn::Exit]), &[], None, profile).unwrap();
        let r10 = vm.regs()[10];
        let stack = &vm.memory().regions()[(r10 >> 32) as usize - 1];
        let below = i64::from(r10 as u32) - 0x8000_0000; // bytes of stack below r10
        assert!(below > 0 && below <= stack.data.len() as i64 && below < 30000, "{profile}: {below}");
        let stack_size = Config::for_profile(profile).stack_size as i64;
        let (mut checked, mut faults) = (0, 0);
        for size in [Size::B, Size::H, Size::W, Size::DW] {
            let n = bpfplay_core::vm::size_bytes(size) as i64;
            // Linux 4.4 has no local calls.
            let callees: &[bool] = if profile == Profile::Rfc9669 { &[false, true] } else { &[false] };
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
                        (Reg::R10, Insn::Load { size, signed: false, dst: Reg::R0, src: Reg::R10, off }),
                        (Reg::R10, Insn::Store { size, dst: Reg::R10, off, imm: -7 }),
                        (Reg::R10, Insn::StoreReg { size, dst: Reg::R10, src: Reg::R10, off }),
                        (Reg::R1, Insn::Load { size, signed: profile == Profile::Rfc9669, dst: Reg::R0, src: Reg::R1, off }),
                        (Reg::R1, Insn::StoreReg { size, dst: Reg::R1, src: Reg::R0, off }),
                    ];
                    if matches!(size, Size::W | Size::DW) {
                        for base in [Reg::R10, Reg::R1] {
                            let op = AtomicOp::Add;
                            accesses.push((base, Insn::Atomic { size, op, dst: base, src: Reg::R0, off }));
                        }
                    }
                    for (base, access) in accesses {
                        let mut insns = vec![Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Imm(3) }];
                        if callee {
                            insns.push(Insn::Call { kind: CallKind::Local, imm: 1 });
                            insns.push(Insn::Exit);
                        }
                        if base == Reg::R1 {
                            insns.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R1, src: Source::Reg(Reg::R10) });
                        }
                        insns.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R2, src: Source::Imm(1) });
                        insns.push(access);
                        insns.push(Insn::Exit);
                        let program = Program::from_insns(insns);
                        let interpreted = interpret(&program, &[], None, profile);
                        let jitted = jit_run(&engine, &program, &[], None, profile).unwrap();
                        assert_eq!(jitted, interpreted, "{profile}: {access:?} callee={callee}");
                        // Past either end of the stack region faults out of bounds.
                        let at = i64::from(off) - shift; // relative to the entry r10
                        if at < -below || at + n > stack.data.len() as i64 - below {
                            let pc = program.len() - 2;
                            assert_eq!(jitted, Outcome::Faulted { pc: Some(pc), code: Some(FaultCode::OutOfBounds) }, "{access:?}");
                            faults += 1;
                        }
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 300 && faults > 100, "{profile}: {checked} runs, {faults} faults");
    }
}
