//! No program the verifier accepts may fault at run time: random programs, built from
//! instruction shapes real programs use, are loaded through BPF_PROG_LOAD; every
//! accepted one is run and must end without a fault.

use bpfplay_core::isa::{AluOp, Cond, Imm64Kind, Insn, Program, Reg, Size, Source, Width};
use bpfplay_core::kernel::{Kernel, MapCreate, ProgLoad, RunInput, Settings};
use bpfplay_core::linux::ProgType;
use bpfplay_tests::Rng;

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
    let (mut accepted, mut tried) = (0, 0);
    for _ in 0..30_000 {
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
        let program = Program::from_insns(insns);
        tried += 1;
        let Ok(fd) = kernel
            .prog_load(pid, &ProgLoad::new(ProgType::SocketFilter, &program))
            .fd
        else {
            continue;
        };
        accepted += 1;
        let report = kernel
            .run_prog(pid, fd, RunInput::packet((0..60).collect()))
            .unwrap();
        assert!(
            report.fault.is_none(),
            "accepted program faulted: {:?}\n{}",
            report.fault,
            bpfplay_core::disasm::disassemble(&program, bpfplay_core::syntax::Syntax::Llvm)
        );
        kernel.close(pid, fd).unwrap();
    }
    eprintln!("{accepted} of {tried} random programs were accepted; none faulted");
    assert!(
        accepted > 600,
        "only {accepted} accepted: the generator no longer exercises the verifier"
    );
}
