//! Step-back after a run reproduces exactly the state single-stepping went through
//! (registers, pc, frames, every memory region with the stack and the packet, the
//! invocation, and the whole kernel with its maps), on random programs with map and
//! environment helpers, packet writes and tail calls (fixed seeds).

use super::*;
use crate::asm::assemble;
use crate::kernel::{Fd, MapCreate, Pid, ProgLoad, RunInput, Settings};
use crate::linux::{MapType, ProgType};
use crate::vm::{Config, Frame};
use alloc::rc::Rc;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Registers a random body may use: r6 holds the context and r9 the loop counter.
const FREE: [u8; 7] = [0, 2, 3, 4, 5, 7, 8];

/// A loop of `iterations` over a random body; with `kernel`, the body calls helpers on
/// the hash map `hash` and writes the packet.
fn random_loop(rng: &mut Rng, iterations: u64, kernel: Option<Fd>) -> String {
    let mut text = String::from("r6 = r1\nr9 = 0\nloop:\n");
    let reg = |rng: &mut Rng| FREE[rng.below(FREE.len() as u64) as usize];
    for n in 0..4 + rng.below(12) {
        let (d, s) = (reg(rng), reg(rng));
        let slot = 8 * (1 + rng.below(6));
        let op = ["+=", "-=", "*=", "^=", "|=", "&=", "<<=", ">>="][rng.below(8) as usize];
        let imm = rng.below(70);
        let line = match (rng.below(if kernel.is_some() { 11 } else { 6 }), kernel) {
            (0, _) => format!("r{d} {op} {imm}"),
            (1, _) => format!("r{d} {op} r{s}"),
            (2, _) => format!("w{d} {op} w{s}"),
            (3, _) => format!("*(u64 *)(r10 -{slot}) = r{s}"),
            (4, _) => format!("r{d} = *(u64 *)(r10 -{slot})"),
            (5, _) => format!("if r{d} > r{s} goto skip{n}\nr{d} += 1\nskip{n}:"),
            (6, Some(map)) => format!(
                "r1 = r9\nr1 &= 3\n*(u32 *)(r10 -68) = r1\nr2 = r10\nr2 += -68\n\
                 r1 = map_fd({map}) ll\ncall map_lookup_elem\nif r0 == 0 goto miss{n}\n\
                 r1 = *(u64 *)(r0 +0)\nr1 += r{s}\n*(u64 *)(r0 +0) = r1\nmiss{n}:"
            ),
            (7, Some(map)) => format!(
                "r1 = r9\nr1 &= 7\n*(u32 *)(r10 -68) = r1\n*(u64 *)(r10 -80) = r{s}\n\
                 r2 = r10\nr2 += -68\nr3 = r10\nr3 += -80\nr4 = 0\n\
                 r1 = map_fd({map}) ll\ncall map_update_elem"
            ),
            (8, Some(map)) => format!(
                "r1 = r9\nr1 &= 7\n*(u32 *)(r10 -68) = r1\nr2 = r10\nr2 += -68\n\
                 r1 = map_fd({map}) ll\ncall map_delete_elem"
            ),
            (9, Some(_)) => format!(
                "call {}\nr{d} ^= r0",
                ["ktime_get_ns", "get_prandom_u32"][rng.below(2) as usize]
            ),
            (_, _) => format!(
                "*(u64 *)(r10 -8) = r{s}\nr1 = r6\nr2 = {}\nr3 = r10\nr3 += -8\nr4 = 4\nr5 = 0\n\
                 call skb_store_bytes",
                rng.below(56)
            ),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!("r9 += 1\nif r9 != {iterations} goto loop\n"));
    text
}

/// Everything a step can change.
#[derive(Clone, Debug, PartialEq)]
struct Fingerprint {
    regs: [u64; 11],
    pc: usize,
    executed: u64,
    state: State,
    frames: Vec<Frame>,
    /// Each region's kind, base, bytes (copied: a shared region changes later) and
    /// whether it is writable.
    memory: Vec<(crate::vm::RegionKind, u64, Vec<u8>, bool)>,
    program: Rc<crate::vm::Prepared>,
    invocation: Option<String>,
    kernel: Option<crate::kernel::snapshot::KernelSnapshot>,
}

fn fingerprint(vm: &Vm, kernel: Option<(&Kernel, &Invocation)>) -> Fingerprint {
    Fingerprint {
        regs: *vm.regs(),
        pc: vm.pc(),
        executed: vm.executed(),
        state: vm.state().clone(),
        frames: vm.frames().to_vec(),
        memory: vm
            .memory()
            .regions()
            .iter()
            .map(|r| (r.kind, r.base, r.data.to_vec(), r.writable))
            .collect(),
        program: vm.prepared().clone(),
        invocation: kernel.map(|(_, inv)| format!("{:?}", inv.state)),
        kernel: kernel.map(|(k, _)| k.snapshot()),
    }
}

/// Steps the machine to its end, then goes back one step at a time to the start, then
/// forward a little and back again, checking every state and step against `reference`
/// (the fingerprints single-stepping went through, and its steps).
fn check_against<M: Machine>(
    machine: &mut M,
    print: impl Fn(&M) -> Fingerprint,
    reference: &[Fingerprint],
    steps: &[Step],
    interval: u64,
) {
    let mut timeline = Timeline::new(machine, interval);
    assert!(timeline.run(machine, &[], u64::MAX, true).is_some());
    let end = reference.len() - 1;
    assert_eq!(
        print(machine),
        reference[end],
        "the run ends where stepping ends"
    );
    for position in (0..end).rev() {
        let step = timeline.step_back(machine);
        assert_eq!(
            print(machine),
            reference[position],
            "back at step {position}"
        );
        assert_eq!(step.as_ref(), position.checked_sub(1).map(|p| &steps[p]));
    }
    assert!(
        timeline.step_back(machine).is_none(),
        "nothing before the start"
    );
    // Forward by steps and by a run to a breakpoint-free pause, then back again.
    let middle = end / 2;
    for position in 1..=middle {
        let step = timeline.step(machine);
        assert_eq!(step.as_ref(), Some(&steps[position - 1]));
        assert_eq!(print(machine), reference[position]);
    }
    let until = reference[end - 1].executed;
    timeline.run(machine, &[], until, true);
    assert_eq!(machine.vm().executed(), until);
    timeline.step_back(machine);
    assert_eq!(print(machine).executed, until - 1);
    assert!(timeline.checkpoints() as u64 >= until / interval);
}

fn stepped<M: Machine>(
    machine: &mut M,
    print: impl Fn(&M) -> Fingerprint,
) -> (Vec<Fingerprint>, Vec<Step>) {
    let mut log = EnvLog::default();
    let mut reference = vec![print(machine)];
    let mut steps = Vec::new();
    while let Some(step) = machine.step_forward(&mut log) {
        steps.push(step);
        reference.push(print(machine));
    }
    (reference, steps)
}

fn kernel_with_programs(rng: &mut Rng) -> (Kernel, Pid, Fd) {
    let mut kernel = Kernel::new(Settings {
        memlock_pages: None,
        verifier: false,
        ..Settings::default()
    });
    let pid = kernel.spawn("test", 0);
    let create = |kernel: &mut Kernel, map_type: MapType, value_size: u32| {
        let create = MapCreate {
            map_type: map_type as u32,
            key_size: 4,
            value_size,
            max_entries: 8,
        };
        kernel.map_create(pid, create, "m").unwrap()
    };
    let hash = create(&mut kernel, MapType::Hash, 8);
    let jumps = create(&mut kernel, MapType::ProgArray, 4);
    let load = |kernel: &mut Kernel, text: &str| {
        let program = assemble(text, None)
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .program;
        let attr = ProgLoad {
            log_level: 1,
            log_size: 1 << 20,
            log_buf: true,
            ..ProgLoad::new(ProgType::SchedCls, &program)
        };
        let result = kernel.prog_load(pid, &attr);
        result.fd.unwrap_or_else(|e| panic!("{e}: {}", result.log))
    };
    // The target tail-calls itself (slot 1) until 4.4's limit; the entry calls slot 0
    // or the empty slot 2.
    let target = format!(
        "{}r1 = r6\nr2 = map_fd({jumps}) ll\nr3 = 1\ncall tail_call\nr0 = r7\nexit",
        random_loop(rng, 2, Some(hash))
    );
    let target = load(&mut kernel, &target);
    for slot in [0u32, 1] {
        kernel
            .map_update(pid, jumps, &slot.to_le_bytes(), &target.to_le_bytes(), 0)
            .unwrap();
    }
    let iterations = 3 + rng.below(10);
    let entry = format!(
        "{}r1 = r6\nr2 = map_fd({jumps}) ll\nr3 = {}\ncall tail_call\nr0 = r8\nexit",
        random_loop(rng, iterations, Some(hash)),
        [0, 2][rng.below(2) as usize]
    );
    let entry = load(&mut kernel, &entry);
    (kernel, pid, entry)
}

#[test]
fn step_back_after_a_kernel_run_reproduces_every_state() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let (mut tail_calls, mut environment_calls) = (0, 0);
    for case in 0..12 {
        let (kernel, pid, entry) = kernel_with_programs(&mut rng);
        let mut packet = vec![0u8; 60];
        packet[12] = 0x08;
        let inv = kernel.invoke(pid, entry, RunInput::packet(packet)).unwrap();
        let print = |m: &KernelRun<'_>| fingerprint(&m.inv.vm, Some((m.kernel, m.inv)));
        let (mut k, mut i) = kernel.fork(&inv);
        let (reference, steps) = stepped(
            &mut KernelRun {
                kernel: &mut k,
                inv: &mut i,
            },
            print,
        );
        assert!(
            reference.len() > 100,
            "case {case} ran {} steps",
            reference.len()
        );
        tail_calls += i.state.tail_calls;
        environment_calls += steps
            .iter()
            .filter(|s| {
                matches!(s.insn, Some(crate::isa::Insn::Call { imm, .. }) if reads_environment(imm))
            })
            .count();
        let (mut k, mut i) = kernel.fork(&inv);
        let mut machine = KernelRun {
            kernel: &mut k,
            inv: &mut i,
        };
        check_against(&mut machine, print, &reference, &steps, 7 + rng.below(60));
    }
    assert!(
        tail_calls > 100 && environment_calls > 100,
        "{tail_calls} tail calls, {environment_calls} environment calls"
    );
}

#[test]
fn step_back_after_a_plain_run_reproduces_every_state() {
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    for fuel in [None, Some(1_000)] {
        for _ in 0..8 {
            let text = format!("{}r0 = r7\nexit", random_loop(&mut rng, 50, None));
            let program = assemble(&text, None).unwrap().program;
            let config = Config {
                fuel,
                ..Config::default()
            };
            let vm = Vm::new(program, config).unwrap().with_input(vec![7; 16]);
            let print = |vm: &Vm| fingerprint(vm, None);
            let (reference, steps) = stepped(&mut vm.save(), print);
            check_against(
                &mut vm.save(),
                print,
                &reference,
                &steps,
                1 + rng.below(100),
            );
        }
    }
}

#[test]
fn a_run_in_slices_stops_at_breakpoints_met_after_a_pause() {
    let program = assemble("r0 = 0\nloop:\nr0 += 1\nif r0 < 100 goto loop\nexit", None)
        .unwrap()
        .program;
    let mut vm = Vm::new(program, Config::default()).unwrap();
    let mut timeline = Timeline::new(&vm, 10);
    // Slices of 3 instructions, as a page runs a long program; a continue leaves the
    // breakpoint it starts on, a resumed slice does not.
    let (mut stops, mut leave) = (0, true);
    loop {
        let until = vm.executed() + 3;
        match timeline.run(&mut vm, &[1], until, leave) {
            None => leave = false,
            Some(RunStop::Breakpoint { pc: 1 }) => {
                stops += 1;
                leave = true;
            }
            Some(RunStop::Exited { r0: 100 }) => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(stops, 100, "one stop per iteration");
}

/// A kernel run with breakpoints (the fast loop on a copy of the program whose ops at
/// breakpoints leave it, made again for each tail-called program) stops at every
/// breakpoint stepping meets, in the same state, tail-called programs included.
#[test]
fn a_kernel_run_stops_at_every_breakpoint_stepping_meets() {
    let mut rng = Rng(0x5eed_1234_abcd_0004);
    let mut in_tail_calls = 0;
    for case in 0..6 {
        let (kernel, pid, entry) = kernel_with_programs(&mut rng);
        let inv = kernel
            .invoke(pid, entry, RunInput::packet(vec![0; 60]))
            .unwrap();
        let print = |m: &KernelRun<'_>| fingerprint(&m.inv.vm, Some((m.kernel, m.inv)));
        let (mut k, mut i) = kernel.fork(&inv);
        let (reference, _) = stepped(
            &mut KernelRun {
                kernel: &mut k,
                inv: &mut i,
            },
            print,
        );
        let breakpoints = [1 + rng.below(6) as usize, 6 + rng.below(12) as usize];
        // The start does not count: a run leaves the breakpoint it starts on.
        let expected: Vec<&Fingerprint> = reference[1..]
            .iter()
            .filter(|f| f.state == State::Running && breakpoints.contains(&f.pc))
            .collect();
        let (mut k, mut i) = kernel.fork(&inv);
        let mut machine = KernelRun {
            kernel: &mut k,
            inv: &mut i,
        };
        let mut timeline = Timeline::new(&machine, 64);
        let mut stops = Vec::new();
        while let Some(RunStop::Breakpoint { .. }) =
            timeline.run(&mut machine, &breakpoints, u64::MAX, true)
        {
            stops.push(print(&machine));
        }
        assert_eq!(
            stops.iter().collect::<Vec<_>>(),
            expected,
            "case {case}, breakpoints {breakpoints:?}"
        );
        assert_eq!(reference.last(), Some(&print(&machine)), "case {case}");
        in_tail_calls += stops
            .iter()
            .filter(|f| !Rc::ptr_eq(&f.program, &reference[0].program))
            .count();
    }
    assert!(in_tail_calls > 10, "{in_tail_calls} stops in tail calls");
}

#[test]
fn a_run_keeps_its_helper_calls_and_a_step_back_none() {
    let mut rng = Rng(0x5eed_1234_abcd_0003);
    let (kernel, pid, entry) = kernel_with_programs(&mut rng);
    let inv = kernel
        .invoke(pid, entry, RunInput::packet(vec![0; 60]))
        .unwrap();
    let (mut k, mut i) = kernel.fork(&inv);
    let mut machine = KernelRun {
        kernel: &mut k,
        inv: &mut i,
    };
    let (mut k2, mut i2) = kernel.fork(&inv);
    let reference = &mut KernelRun {
        kernel: &mut k2,
        inv: &mut i2,
    };
    let (_, steps) = stepped(reference, |m| fingerprint(&m.inv.vm, None));
    let called: Vec<i32> = steps
        .iter()
        .filter_map(|s| match s.insn {
            Some(crate::isa::Insn::Call { imm, .. }) => Some(imm),
            _ => None,
        })
        .collect();
    let mut timeline = Timeline::new(&machine, 64);
    timeline.run(&mut machine, &[], u64::MAX, true);
    let (calls, dropped) = timeline.take_calls();
    let ids: Vec<i32> = calls.iter().map(|c| c.id).collect();
    assert_eq!((ids, dropped), (called.clone(), 0));
    assert!(called.len() > 10, "{} calls", called.len());
    timeline.step_back(&mut machine);
    assert_eq!(
        timeline.take_calls(),
        (Vec::new(), 0),
        "replays keep no calls"
    );
}
