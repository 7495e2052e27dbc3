use super::*;
use crate::asm::assemble;

mod fast_path;

fn vm_with(text: &str, profile: Profile) -> Vm {
    let program = assemble(text, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .program;
    Vm::new(program, Config::for_profile(profile)).unwrap()
}

fn run(text: &str) -> RunStop {
    vm_with(text, Profile::Rfc9669).run(&mut ConformanceHelpers, &[])
}

#[track_caller]
fn fault(text: &str) -> Fault {
    match run(text) {
        RunStop::Faulted(f) => f,
        other => panic!("expected a fault, got {other:?}"),
    }
}

const STACK_TOP: u64 = (1 << 32) + 0x8000_0000 + 512 * 8;

#[test]
fn memory_faults_name_pc_address_size_and_region() {
    let f = fault("r0 = *(u64 *)(r10 -4)\nexit");
    let expected = AccessError {
        addr: STACK_TOP - 4,
        size: 8,
        write: false,
        problem: AccessProblem::OutOfBounds,
        region: Some((RegionKind::Stack, 4096)),
    };
    assert_eq!(
        f,
        Fault {
            pc: 0,
            kind: FaultKind::Memory(expected)
        }
    );
    assert_eq!(
        f.to_string(),
        "fault at instruction 0: out-of-bounds read of 8 byte(s) at 0x180000ffc: stack offset 4092 but the region is 4096 bytes"
    );
    let f = fault("r0 = 1\n*(u32 *)(r1 +16) = 7\nexit");
    assert_eq!(f.pc, 1);
    assert!(matches!(
        f.kind,
        FaultKind::Memory(AccessError {
            addr: 16,
            size: 4,
            write: true,
            problem: AccessProblem::Unmapped,
            region: None
        })
    ));
    // A read-only region refuses writes but allows reads.
    let mut vm = vm_with(
        "r0 = *(u8 *)(r1 +0)\n*(u8 *)(r1 +0) = r0\nexit",
        Profile::Rfc9669,
    );
    let ctx = vm.memory_mut().map(RegionKind::Context, vec![9], false);
    vm.set_reg(Reg::R1, ctx);
    let RunStop::Faulted(f) = vm.run(&mut ConformanceHelpers, &[]) else {
        panic!()
    };
    assert!(matches!(
        f.kind,
        FaultKind::Memory(AccessError {
            problem: AccessProblem::ReadOnly,
            region: Some((RegionKind::Context, 1)),
            ..
        })
    ));
    assert_eq!(vm.regs()[0], 9);
}

#[test]
fn every_other_fault_kind() {
    assert_eq!(
        fault("call 6\nexit").kind,
        FaultKind::UnknownHelper { id: 6 }
    );
    assert_eq!(
        fault("r1 = 0x100000000 ll\ncallx r1\nexit").kind,
        FaultKind::UnknownHelper { id: 1 << 32 }
    );
    assert_eq!(fault("r10 = 0\nexit").kind, FaultKind::WriteToR10);
    assert_eq!(
        fault("goto +5\nexit").kind,
        FaultKind::JumpOutOfRange { target: 6 }
    );
    assert_eq!(
        fault("goto -2\nexit").kind,
        FaultKind::JumpOutOfRange { target: -1 }
    );
    assert_eq!(
        fault("goto +1\nr0 = 0 ll\nexit").kind,
        FaultKind::JumpIntoImm64 { target: 2 }
    );
    assert_eq!(
        fault("r0 = 0"),
        Fault {
            pc: 1,
            kind: FaultKind::FellOffEnd
        }
    );
    assert_eq!(
        fault("call kfunc 3\nexit").kind,
        FaultKind::UnsupportedCall {
            kind: CallKind::Kfunc,
            imm: 3
        }
    );
    assert_eq!(
        fault("f:\ncall f\nexit").kind,
        FaultKind::CallDepthExceeded { limit: 8 }
    );
    let f = fault("l: goto l");
    assert_eq!(
        f.kind,
        FaultKind::OutOfFuel {
            budget: Config::DEFAULT_FUEL
        }
    );
}

#[test]
fn fuel_is_an_instruction_budget() {
    let program = assemble("r0 += 1\nr0 += 1\nr0 += 1\nexit", None)
        .unwrap()
        .program;
    let config = Config {
        fuel: Some(4),
        ..Config::default()
    };
    let mut vm = Vm::new(program.clone(), config).unwrap();
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 3 }
    );
    assert_eq!(vm.executed(), 4);
    let config = Config {
        fuel: Some(3),
        ..Config::default()
    };
    let mut vm = Vm::new(program.clone(), config).unwrap();
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Faulted(Fault {
            pc: 3,
            kind: FaultKind::OutOfFuel { budget: 3 }
        })
    );
    let mut vm = Vm::new(
        program,
        Config {
            fuel: None,
            ..Config::default()
        },
    )
    .unwrap();
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 3 }
    );
}

#[test]
fn linux_4_4_aborts_on_division_by_zero_and_rfc9669_does_not() {
    let text = "r0 = 7\nr1 = 0\nr0 %= r1\nr0 += 1\nexit";
    let mut old = vm_with(text, Profile::Linux44);
    assert_eq!(
        old.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 0 }
    );
    assert_eq!(
        old.state(),
        &State::Exited {
            r0: 0,
            early: Some(EarlyExit::DivisionByZero)
        }
    );
    assert_eq!(run(text), RunStop::Exited { r0: 8 });
    assert_eq!(
        run("r0 = 7\nw1 = 0\nw0 /= w1\nexit"),
        RunStop::Exited { r0: 0 }
    );
}

#[test]
fn linux_4_4_has_one_512_byte_frame() {
    let vm = vm_with("exit", Profile::Linux44);
    assert_eq!(
        vm.memory().region(RegionKind::Stack).unwrap().data.len(),
        512
    );
    let RunStop::Faulted(f) =
        vm_with("r0 = *(u8 *)(r10 -513)\nexit", Profile::Linux44).run(&mut ConformanceHelpers, &[])
    else {
        panic!()
    };
    assert_eq!(
        f.to_string(),
        "fault at instruction 0: out-of-bounds read of 1 byte(s) at 0x17fffffff: stack offset -1 but the region is 512 bytes"
    );
}

#[test]
fn packet_loads_are_big_endian_and_end_the_program_out_of_bounds() {
    let mut vm = vm_with(
        "r0 = *(u16 *)skb[12]\nr6 = 2\nr0 = *(u32 *)skb[r6 + 10]\nexit",
        Profile::Linux44,
    );
    vm.memory_mut()
        .map(RegionKind::Packet, (0..16).collect(), false);
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 0x0c0d0e0f }
    );
    let mut vm = vm_with("r0 = 5\nr0 = *(u32 *)skb[14]\nexit", Profile::Linux44);
    vm.memory_mut().map(RegionKind::Packet, vec![0; 16], false);
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 0 }
    );
    assert_eq!(
        vm.state(),
        &State::Exited {
            r0: 0,
            early: Some(EarlyExit::PacketOutOfBounds)
        }
    );
}

#[test]
fn local_calls_get_a_frame_and_restore_callee_saved_registers() {
    let text = "r6 = 1\n*(u64 *)(r10 -8) = r6\ncall f\nr1 = *(u64 *)(r10 -8)\nr0 += r6\nr0 += r1\nexit\nf:\nr6 = 100\n*(u64 *)(r10 -8) = r6\nr0 = r6\nexit";
    assert_eq!(run(text), RunStop::Exited { r0: 102 });
}

#[test]
fn unwind_helper_stops_on_zero() {
    assert_eq!(run("r1 = 3\ncall 5\nexit"), RunStop::Exited { r0: 3 });
    let mut vm = vm_with("r1 = 0\ncall 5\nr0 = 9\nexit", Profile::Rfc9669);
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 0 }
    );
    assert_eq!(
        vm.state(),
        &State::Exited {
            r0: 0,
            early: Some(EarlyExit::HelperStop { id: 5 })
        }
    );
}

#[test]
fn step_reports_changes_and_undo_restores_everything() {
    let text = "r1 = 0x1122334455667788 ll\n*(u64 *)(r10 -8) = r1\nr2 = 1\nlock *(u64 *)(r10 -8) += r2\nr0 = *(u32 *)(r10 -8)\ncall f\nexit\nf:\nr6 = 5\nexit";
    let mut vm = vm_with(text, Profile::Rfc9669);
    let initial_regs = *vm.regs();
    let initial_memory = vm.memory().clone();
    let mut steps = Vec::new();
    while let Some(step) = vm.step(&mut ConformanceHelpers) {
        steps.push(step);
    }
    assert_eq!(
        vm.state(),
        &State::Exited {
            r0: 0x55667789,
            early: None
        }
    );
    assert_eq!(
        steps[0].regs,
        vec![RegChange {
            reg: Reg::R1,
            old: 0,
            new: 0x1122334455667788
        }]
    );
    assert_eq!(
        steps[1].memory,
        vec![MemChange {
            addr: STACK_TOP - 8,
            old: vec![0; 8],
            new: 0x1122334455667788u64.to_le_bytes().to_vec()
        }]
    );
    assert_eq!(
        steps[3].memory[0].new,
        0x1122334455667789u64.to_le_bytes().to_vec()
    );
    assert_eq!(steps[5].frame, Some(FrameChange::Pushed));
    assert_eq!(
        steps[5].regs,
        vec![RegChange {
            reg: Reg::R10,
            old: STACK_TOP,
            new: STACK_TOP - 512
        }]
    );
    assert!(matches!(steps[7].frame, Some(FrameChange::Popped(_))));
    assert!(vm.step(&mut ConformanceHelpers).is_none());
    let after = (*vm.regs(), vm.memory().clone());
    for step in steps.iter().rev() {
        vm.undo(step);
    }
    assert_eq!(
        (vm.regs(), vm.memory(), vm.pc(), vm.executed()),
        (&initial_regs, &initial_memory, 0, 0)
    );
    assert_eq!(vm.state(), &State::Running);
    assert!(vm.frames().is_empty());
    // Replaying after undo reaches the same end.
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[]),
        RunStop::Exited { r0: 0x55667789 }
    );
    assert_eq!((*vm.regs(), vm.memory().clone()), after);
}

#[test]
fn undo_of_a_faulting_step_resumes_before_it() {
    let mut vm = vm_with("r0 = 1\nr0 = *(u8 *)(r0 +0)\nexit", Profile::Rfc9669);
    vm.step(&mut ConformanceHelpers).unwrap();
    let bad = vm.step(&mut ConformanceHelpers).unwrap();
    assert!(matches!(bad.state, State::Faulted(Fault { pc: 1, .. })));
    vm.undo(&bad);
    assert_eq!(
        (vm.pc(), vm.executed(), vm.state()),
        (1, 1, &State::Running)
    );
}

#[test]
fn run_stops_at_breakpoints_and_continues_past_them() {
    let mut vm = vm_with("r0 = 1\nr0 += 1\nr0 += 1\nexit", Profile::Rfc9669);
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[2]),
        RunStop::Breakpoint { pc: 2 }
    );
    assert_eq!(vm.regs()[0], 2);
    assert_eq!(
        vm.run(&mut ConformanceHelpers, &[2]),
        RunStop::Exited { r0: 3 }
    );
}

/// The profile check is one comparison when the profile allows the newest instruction,
/// and still names the first instruction it does not allow.
#[test]
fn new_refuses_instructions_the_profile_lacks() {
    let program = assemble("r0 = 1\nw0 s>>= 1\nr0 = bswap16 r0\nexit", None)
        .unwrap()
        .program;
    let err = Vm::new(program.clone(), Config::for_profile(Profile::Linux44)).unwrap_err();
    assert!(matches!(
        err,
        ProfileError {
            pc: 1,
            since: crate::isa::Release::V5_0,
            profile: Profile::Linux44,
            ..
        }
    ));
    assert!(Vm::new(program, Config::for_profile(Profile::Rfc9669)).is_ok());
    let old = assemble("r0 = *(u16 *)skb[12]\nexit", None)
        .unwrap()
        .program;
    assert!(Vm::new(old, Config::for_profile(Profile::Linux44)).is_ok());
}
