//! No program the verifier accepts may fault at run time: random programs of all four
//! program types, built from instruction shapes real programs use, and mutations of the
//! accepted ones, are loaded through BPF_PROG_LOAD; every accepted one is run on random
//! packets, metadata and kprobe registers and must end without a fault (a memory fault
//! or running out of fuel is a verifier bug). A fixed seed runs 30,000 programs in
//! `make test`; the long run, `BPFPLAY_SOUNDNESS_PROGRAMS=1000000 cargo test -p
//! bpfplay-tests --test verifier_soundness`, takes about 25 s (README, "Long
//! runs", has its figures).

use bpfplay_core::disasm::disassemble;
use bpfplay_core::isa::{AluOp, Cond, Imm64Kind, Insn, Program, Reg, Size, Source, Width};
use bpfplay_core::kernel::ctx::{PtRegs, SkbMeta};
use bpfplay_core::kernel::{Kernel, MapCreate, ProgLoad, RunInput, Settings};
use bpfplay_core::linux::ProgType;
use bpfplay_core::syntax::Syntax;
use bpfplay_tests::Rng;
use std::collections::BTreeMap;

fn reg(n: u64) -> Reg {
    Reg::new(n as u8).unwrap()
}

/// One random instruction (or short idiom) at position `at` of a program of `len`.
fn piece(rng: &mut Rng, at: usize, len: usize, maps: &[u32]) -> Vec<Insn> {
    let r = |rng: &mut Rng| reg(rng.below(10));
    let sizes = [Size::B, Size::H, Size::W, Size::DW];
    match rng.below(12) {
        0..=2 => {
            let op = rng.pick(&[
                AluOp::Add,
                AluOp::Sub,
                AluOp::Mul,
                AluOp::Div,
                AluOp::Or,
                AluOp::And,
                AluOp::Lsh,
                AluOp::Rsh,
                AluOp::Mod,
                AluOp::Xor,
                AluOp::Mov,
                AluOp::Arsh,
            ]);
            let width = if op == AluOp::Arsh {
                Width::W64
            } else {
                rng.pick(&[Width::W32, Width::W64])
            };
            let src = if rng.below(2) == 0 {
                Source::Reg(reg(rng.below(11)))
            } else {
                Source::Imm(rng.below(70) as i32 - 5)
            };
            vec![Insn::Alu {
                width,
                op,
                dst: r(rng),
                src,
            }]
        }
        3 => {
            let size = rng.pick(&sizes);
            let n = size_of(size);
            let off = -(n * (1 + rng.below(8) as i16));
            vec![Insn::Store {
                size,
                dst: Reg::R10,
                off,
                imm: rng.below(100) as i32,
            }]
        }
        4 => {
            let size = rng.pick(&sizes);
            let n = size_of(size);
            let off = -(n * (1 + rng.below(8) as i16));
            vec![Insn::Load {
                size,
                signed: false,
                dst: r(rng),
                src: Reg::R10,
                off,
            }]
        }
        5 => vec![Insn::StoreReg {
            size: Size::DW,
            dst: Reg::R10,
            src: r(rng),
            off: -8 * (1 + rng.below(8) as i16),
        }],
        6 => vec![Insn::Load {
            size: Size::W,
            signed: false,
            dst: r(rng),
            src: Reg::R1,
            off: 4 * rng.below(20) as i16,
        }],
        7 if at + 2 < len => {
            let off = rng.below((len - at - 2) as u64) as i16;
            let cond = rng.pick(&[
                Cond::Eq,
                Cond::Ne,
                Cond::Gt,
                Cond::Ge,
                Cond::Set,
                Cond::Sgt,
                Cond::Sge,
            ]);
            vec![Insn::Branch {
                width: Width::W64,
                cond,
                dst: r(rng),
                src: Source::Imm(rng.below(8) as i32),
                off,
            }]
        }
        8 if !maps.is_empty() => {
            // A map lookup with its NULL check and an access into the value.
            let map = rng.pick(maps);
            let size = rng.pick(&sizes);
            vec![
                Insn::Store {
                    size: Size::DW,
                    dst: Reg::R10,
                    off: -8,
                    imm: rng.below(4) as i32,
                },
                Insn::Alu {
                    width: Width::W64,
                    op: AluOp::Mov,
                    dst: Reg::R2,
                    src: Source::Reg(Reg::R10),
                },
                Insn::Alu {
                    width: Width::W64,
                    op: AluOp::Add,
                    dst: Reg::R2,
                    src: Source::Imm(-8),
                },
                Insn::LoadImm64 {
                    dst: Reg::R1,
                    kind: Imm64Kind::MapFd,
                    imm: map.into(),
                },
                Insn::Call {
                    kind: bpfplay_core::isa::CallKind::Helper,
                    imm: 1,
                },
                Insn::Branch {
                    width: Width::W64,
                    cond: rng.pick(&[Cond::Eq, Cond::Ne]),
                    dst: Reg::R0,
                    src: Source::Imm(0),
                    off: 1,
                },
                Insn::Load {
                    size,
                    signed: false,
                    dst: reg(3),
                    src: Reg::R0,
                    off: size_of(size) * rng.below(3) as i16,
                },
            ]
        }
        9 => vec![
            Insn::Alu {
                width: Width::W64,
                op: AluOp::Mov,
                dst: Reg::R6,
                src: Source::Reg(Reg::R1),
            },
            Insn::LoadPacket {
                size: rng.pick(&[Size::B, Size::H, Size::W]),
                index: None,
                imm: rng.below(80) as i32,
            },
        ],
        10 => vec![Insn::Call {
            kind: bpfplay_core::isa::CallKind::Helper,
            imm: rng.pick(&[5, 7, 8]),
        }],
        _ => vec![Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: r(rng),
            src: Source::Imm(rng.below(10) as i32),
        }],
    }
}

fn size_of(size: Size) -> i16 {
    match size {
        Size::B => 1,
        Size::H => 2,
        Size::W => 4,
        Size::DW => 8,
    }
}

/// What the generator feeds the verifier: new random programs, and mutations (one
/// field of one slot changed, a slot dropped or doubled) of programs it accepted.
fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let slots = out.len() / 8;
    let at = 8 * rng.below(slots as u64) as usize;
    match rng.below(6) {
        0 => out[at] = rng.next_u64() as u8,
        1 => out[at + 1] = rng.next_u64() as u8,
        2 => {
            let off = (rng.below(64) as i16 - 32).to_le_bytes();
            out[at + 2..at + 4].copy_from_slice(&off);
        }
        3 => {
            let imm = (rng.next_u64() as i32 >> rng.below(32)).to_le_bytes();
            out[at + 4..at + 8].copy_from_slice(&imm);
        }
        4 if slots > 2 => {
            out.drain(at..at + 8);
        }
        _ => {
            let slot: Vec<u8> = out[at..at + 8].to_vec();
            out.splice(at..at, slot);
        }
    }
    out
}

/// A random run input for a program type: packets of any length from empty to a full
/// frame with random bytes and metadata, or random kprobe registers.
fn random_input(rng: &mut Rng, prog_type: ProgType) -> RunInput {
    if prog_type == ProgType::Kprobe {
        let mut regs = PtRegs::default();
        for r in regs.0.iter_mut() {
            *r = rng.next_u64();
        }
        return RunInput::Kprobe { regs };
    }
    let len = match rng.below(4) {
        0 => rng.below(14),
        1 => 14 + rng.below(40),
        _ => rng.below(1515),
    } as usize;
    let packet: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
    let mut meta = SkbMeta::for_frame(&packet);
    meta.mark = rng.next_u64() as u32;
    meta.priority = rng.next_u64() as u32;
    meta.cb = [0; 5].map(|_: u32| rng.next_u64() as u32);
    RunInput::Packet { packet, meta }
}

/// Programs each run generates, 30,000 unless `BPFPLAY_SOUNDNESS_PROGRAMS` says
/// otherwise (the long run of the docs: 1,000,000).
fn program_count() -> u64 {
    std::env::var("BPFPLAY_SOUNDNESS_PROGRAMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30_000)
}

/// Runs the accepted programs this many times each, on fresh random inputs.
const RUNS_PER_ACCEPTED: usize = 3;

#[test]
fn accepted_programs_never_fault() {
    let mut rng = Rng(0x853c_49e6_748f_ea9b);
    let mut kernel = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let pid = kernel.spawn("fuzz", 0);
    let hash = kernel
        .map_create(
            pid,
            MapCreate {
                map_type: 1,
                key_size: 8,
                value_size: 16,
                max_entries: 8,
            },
            "",
        )
        .unwrap();
    let array = kernel
        .map_create(
            pid,
            MapCreate {
                map_type: 2,
                key_size: 4,
                value_size: 8,
                max_entries: 4,
            },
            "",
        )
        .unwrap();
    let maps = [hash, array];
    let count = program_count();
    let mut accepted_by_type: BTreeMap<&str, u64> = BTreeMap::new();
    let (mut accepted, mut mutated) = (0u64, 0u64);
    // Accepted programs, the seeds of the mutations (a bounded window of recent ones).
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for n in 0..count {
        let prog_type = ProgType::ALL[n as usize % ProgType::ALL.len()];
        let bytes = if !seeds.is_empty() && rng.below(3) == 0 {
            mutated += 1;
            let seed = &seeds[rng.below(seeds.len() as u64) as usize];
            mutate(&mut rng, seed)
        } else {
            let len = 2 + rng.below(14) as usize;
            let mut insns = Vec::new();
            for at in 0..len {
                insns.extend(piece(&mut rng, at, len, &maps));
            }
            insns.push(Insn::Alu {
                width: Width::W64,
                op: AluOp::Mov,
                dst: Reg::R0,
                src: Source::Imm(0),
            });
            insns.push(Insn::Exit);
            Program::from_insns(insns).encode()
        };
        let load = ProgLoad {
            insns: bytes.clone(),
            ..ProgLoad::new(prog_type, &Program::from_insns(Vec::new()))
        };
        let Ok(fd) = kernel.prog_load(pid, &load).fd else {
            continue;
        };
        accepted += 1;
        *accepted_by_type.entry(prog_type.name()).or_insert(0) += 1;
        for _ in 0..RUNS_PER_ACCEPTED {
            let input = random_input(&mut rng, prog_type);
            let report = kernel.run_prog(pid, fd, input.clone()).unwrap();
            if let Some(fault) = report.fault {
                let shown = Program::decode(&bytes)
                    .map(|p| disassemble(&p, Syntax::Llvm))
                    .unwrap_or_else(|e| e.to_string());
                panic!(
                    "program {n}, accepted as {}, faulted (a verifier bug): {fault:?}\n\
                     input: {input:?}\n{shown}",
                    prog_type.name()
                );
            }
        }
        kernel.close(pid, fd).unwrap();
        if seeds.len() < 256 {
            seeds.push(bytes);
        } else {
            seeds[rng.below(256) as usize] = bytes;
        }
    }
    eprintln!(
        "{count} programs ({mutated} mutated), {accepted} accepted ({accepted_by_type:?}), \
         each run {RUNS_PER_ACCEPTED} times on random inputs: 0 faults, 0 out of fuel"
    );
    for prog_type in ProgType::ALL {
        let n = accepted_by_type.get(prog_type.name()).copied().unwrap_or(0);
        assert!(
            n > count / 100,
            "only {n} {} programs accepted: the generator no longer exercises the verifier",
            prog_type.name()
        );
    }
}
