use super::*;
use crate::isa::{AtomicOp, Cond, Profile, Reg, Release, Size, Width};

fn one(text: &str) -> Insn {
    let program = assemble(text, None)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .program;
    *program.get(0).unwrap()
}

fn r(n: u8) -> Reg {
    Reg::new(n).unwrap()
}

#[track_caller]
fn err(text: &str) -> (usize, usize, AsmErrorKind) {
    let e = assemble(text, None).expect_err(text);
    (e.line, e.col, e.kind)
}

#[test]
fn both_syntaxes_spell_the_same_instructions() {
    let pairs = [
        ("mov %r0, 1", "r0 = 1"),
        ("mov32 %r0, -1", "w0 = -1"),
        ("add %r1, %r2", "r1 += r2"),
        ("arsh32 %r1, 3", "w1 s>>= 3"),
        ("sdiv %r1, %r2", "r1 s/= r2"),
        ("smod32 %r1, 7", "w1 s%= 7"),
        ("movsx1664 %r1, %r2", "r1 = (s16)r2"),
        ("movsx832 %r1, %r2", "w1 = (s8)w2"),
        ("neg %r3", "r3 = -r3"),
        ("neg32 %r3", "w3 = -w3"),
        ("be16 %r3", "r3 = be16 r3"),
        ("le64 %r3", "r3 = le64 r3"),
        ("bswap32 %r3", "r3 = bswap32 r3"),
        ("swap32 %r3", "r3 = bswap32 r3"),
        ("lddw %r1, 0x1122334455667788", "r1 = 0x1122334455667788 ll"),
        ("lddw %r1, map_fd(3)", "r1 = map_fd(3) ll"),
        ("lddw %r1, map_fd(3)", "r1 = map[id:3]"),
        ("lddw %r1, map_value(3, 16)", "r1 = map_value(3, 16) ll"),
        ("ldabsh 12", "r0 = *(u16 *)skb[12]"),
        ("ldindw %r6, 14", "r0 = *(u32 *)skb[r6 + 14]"),
        ("ldxw %r0, [%r1+4]", "r0 = *(u32 *)(r1 +4)"),
        ("ldxw %r0, [%r1+4]", "r0 = *(u32 *)(r1 + 0x4)"),
        ("ldxdw %r0, [%r10-8]", "r0 = *(u64 *)(r10 -8)"),
        ("ldxdw %r0, [%r10-8]", "r0 = *(u64 *)(r10 - 0x8)"),
        ("ldxb %r0, [%r1]", "r0 = *(u8 *)(r1)"),
        ("ldxsb %r0, [%r1+2]", "r0 = *(s8 *)(r1 +2)"),
        ("stw [%r10-4], 7", "*(u32 *)(r10 -4) = 7"),
        ("stxh [%r1+2], %r3", "*(u16 *)(r1 +2) = r3"),
        ("lock add [%r10-8], %r1", "lock *(u64 *)(r10 -8) += r1"),
        ("lock add32 [%r10-8], %r1", "lock *(u32 *)(r10 -8) += w1"),
        ("lock or [%r1+0], %r2", "lock *(u64 *)(r1 +0) |= r2"),
        (
            "lock fetch add [%r1+0], %r2",
            "r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)",
        ),
        (
            "lock fetch add [%r1+0], %r2",
            "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)",
        ),
        (
            "lock fetch and32 [%r1+0], %r2",
            "w2 = atomic_fetch_and((u32 *)(r1 +0), w2)",
        ),
        ("lock xchg [%r1+8], %r2", "r2 = xchg_64(r1 + 8, r2)"),
        ("lock xchg32 [%r1+8], %r2", "w2 = xchg32_32(r1 + 8, w2)"),
        (
            "lock cmpxchg [%r1+0], %r2",
            "r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)",
        ),
        (
            "lock cmpxchg [%r1+0], %r2",
            "r0 = cmpxchg_64(r1 + 0, r0, r2)",
        ),
        (
            "lock cmpxchg32 [%r1+0], %r2",
            "w0 = cmpxchg32_32(r1 + 0, w0, w2)",
        ),
        ("ja +3", "goto +3"),
        ("ja +3", "goto pc+3"),
        ("ja32 -2", "gotol -2"),
        ("jeq %r1, 0x11, +2", "if r1 == 0x11 goto +2"),
        ("jsgt %r1, %r2, -1", "if r1 s> r2 goto -1"),
        ("jset32 %r1, 4, +0", "if w1 & 0x4 goto +0"),
        ("jle %r1, -1, +1", "if r1 <= -1 goto +1"),
        ("call 1", "call bpf_map_lookup_elem"),
        ("call 1", "call map_lookup_elem#1"),
        ("call 12", "call tail_call"),
        ("call local +4", "call pc+4"),
        ("call runtime 9", "call kfunc 9"),
        ("call %r2", "callx r2"),
        ("exit", "exit"),
    ];
    for (ubpf, llvm) in pairs {
        assert_eq!(one(ubpf), one(llvm), "{ubpf} vs {llvm}");
        let forced = assemble(ubpf, Some(Syntax::Ubpf)).unwrap().program;
        assert_eq!(forced.get(0), Some(&one(ubpf)), "{ubpf} forced");
    }
    assert_eq!(
        one("ldxw r0, [r1+4]"),
        one("ldxw %r0, [%r1+4]"),
        "plain registers in uBPF syntax"
    );
    assert_eq!(
        one("if w1 s< w2 goto +1"),
        Insn::Branch {
            width: Width::W32,
            cond: Cond::Slt,
            dst: r(1),
            src: Source::Reg(r(2)),
            off: 1
        }
    );
    assert_eq!(
        one("lock *(u32 *)(r1 -4) ^= r2"),
        Insn::Atomic {
            size: Size::W,
            op: AtomicOp::Xor,
            dst: r(1),
            src: r(2),
            off: -4
        }
    );
}

#[test]
fn labels_resolve_forwards_and_backwards() {
    let text = "start:\n  r0 = 0\nloop:\n  r0 += 1\n  if r0 != 3 goto loop\n  lddw %r1, 5\n  ja done\n  exit\ndone:\n  call sub\n  exit\nsub:\n  exit";
    let a = assemble(text, None).unwrap();
    let offs: Vec<Option<i32>> = a.program.insns().map(|(_, i)| i.jump_offset()).collect();
    // lddw occupies two slots, so `ja done` skips the exit and lands after it.
    assert_eq!(
        offs,
        vec![
            None,
            None,
            Some(-2),
            None,
            Some(1),
            None,
            Some(1),
            None,
            None
        ]
    );
    assert_eq!(a.lines, vec![2, 4, 5, 6, 6, 7, 8, 10, 11, 13]);
    // uBPF's built-in `exit` label is the first exit instruction.
    let b = assemble("jne %r1, 0, exit\nmov %r0, 1\nexit", Some(Syntax::Ubpf))
        .unwrap()
        .program;
    assert_eq!(b.get(0).unwrap().jump_offset(), Some(1));
}

#[test]
fn errors_carry_line_column_and_what_was_expected() {
    use AsmErrorKind::*;
    assert_eq!(
        err("r0 = 1\nr0 +="),
        (
            2,
            6,
            Expected {
                expected: "an immediate",
                found: "end of line".into()
            }
        )
    );
    assert_eq!(
        err("mov %r0, 1\nor %r0, %r50"),
        (2, 9, InvalidRegister("%r50".into()))
    );
    assert_eq!(err("r11 = 1"), (1, 1, InvalidRegister("r11".into())));
    assert_eq!(err("ldxq %r0, %r1"), (1, 1, UnknownMnemonic("ldxq".into())));
    assert_eq!(
        err("mov32 %r0, 2147483648"),
        (
            1,
            12,
            OutOfRange {
                what: "32-bit immediate",
                value: "2147483648".into()
            }
        )
    );
    assert_eq!(
        err("mov32 %r0, 0x100000000"),
        (
            1,
            12,
            OutOfRange {
                what: "32-bit immediate",
                value: "0x100000000".into()
            }
        )
    );
    assert_eq!(
        err("ldxb %r0, [%r1+0x10000]"),
        (
            1,
            15,
            OutOfRange {
                what: "16-bit offset",
                value: "0x10000".into()
            }
        )
    );
    assert_eq!(
        err("ja NOT_A_LABEL\nexit"),
        (1, 4, UnknownLabel("NOT_A_LABEL".into()))
    );
    assert_eq!(err("a:\na:\nexit"), (2, 1, DuplicateLabel("a".into())));
    assert_eq!(
        err("w0 += r1"),
        (
            1,
            7,
            WidthMismatch {
                expected: "a 32-bit `w`",
                found: "r1".into()
            }
        )
    );
    assert_eq!(
        err("r0 = be16 r1"),
        (
            1,
            11,
            RegisterMismatch {
                expected: "r0".into(),
                found: "r1".into()
            }
        )
    );
    assert_eq!(
        err("call bpf_frobnicate"),
        (1, 6, UnknownHelper("bpf_frobnicate".into()))
    );
    assert_eq!(err("r0 = 1 $"), (1, 8, UnexpectedChar('$')));
    assert_eq!(
        err("lock"),
        (
            1,
            5,
            Expected {
                expected: "an atomic operation (add, or, and, xor, xchg, cmpxchg)",
                found: "end of line".into()
            }
        )
    );
    assert_eq!(
        err("jeq %r1, 0, 2"),
        (
            1,
            13,
            Expected {
                expected: "a jump target (`+N`, `-N` or a label)",
                found: "`2`".into()
            }
        )
    );
    assert_eq!(
        err("exit now"),
        (
            1,
            6,
            Expected {
                expected: "end of line",
                found: "`now`".into()
            }
        )
    );
    let far = format!("ja far\n{}far: exit", "r0 = 0\n".repeat(40_000));
    assert_eq!(
        err(&far),
        (
            1,
            4,
            JumpTooFar {
                label: "far".into(),
                distance: 40_000
            }
        )
    );
    let e = assemble("r0 = 1\n  w1 += r2", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 2, column 9: expected a 32-bit `w` register, found `r2`"
    );
}

#[test]
fn comments_and_blank_lines_are_ignored() {
    let text =
        "# header\n\n  r0 = 1 ; trailing\n  r0 += 2 // c++ style\n  mov %r1, 0 # uBPF style\nexit";
    let a = assemble(text, None).unwrap();
    assert_eq!(a.program.len(), 4);
    assert_eq!(a.lines, vec![3, 4, 5, 6]);
}

#[test]
fn pasted_llvm_objdump_output_assembles() {
    let text = "\
prog.o:\tfile format elf64-bpf

Disassembly of section socket1:

0000000000000000 <bpf_prog1>:
       0:\tbf 16 00 00 00 00 00 00\tr6 = r1
       1:\t30 00 00 00 17 00 00 00\tr0 = *(u8 *)skb[0x17]
       2:\t18 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00\tr1 = 0x0 ll
\t\t0000000000000010:  R_BPF_64_64\tmy_map
       4:\t15 00 01 00 00 00 00 00\tif r0 == 0x0 goto +0x1 <LBB0_2>
       5:\t07 00 00 00 ff ff ff ff\tr0 += -0x1

0000000000000030 <LBB0_2>:
       6:\t95 00 00 00 00 00 00 00\texit
";
    let program = assemble(text, None).unwrap().program;
    let expected = "bf16000000000000 3000000017000000 1801000000000000 0000000000000000 1500010000000000 07000000ffffffff 9500000000000000";
    let bytes = crate::isa::parse_hex_bytes(expected).unwrap();
    assert_eq!(program.encode(), bytes);
}

#[test]
fn pasted_verifier_log_and_bpftool_lines_assemble() {
    let text = "\
0: (7a) *(u64 *)(r10 -8) = 0
1: (bf) r2 = r10
2: (07) r2 += -8
3: (18) r1 = 0x3a6c1e00
5: (85) call 1
6: (15) if r0 == 0x0 goto pc+1
7: (b4) (u32) r0 = (u32) 0
8: (87) r0 neg 0
9: (95) exit
";
    let program = assemble(text, None).unwrap().program;
    assert_eq!(program.len(), 10);
    assert_eq!(
        program.get(3),
        Some(&Insn::LoadImm64 {
            dst: r(1),
            kind: Imm64Kind::Imm,
            imm: 0x3a6c_1e00
        })
    );
    assert_eq!(
        program.get(7),
        Some(&Insn::Alu {
            width: Width::W32,
            op: AluOp::Mov,
            dst: r(0),
            src: Source::Imm(0)
        })
    );
    assert_eq!(
        program.get(8),
        Some(&Insn::Neg {
            width: Width::W64,
            dst: r(0)
        })
    );
    assert_eq!(program.get(6).unwrap().jump_offset(), Some(1));
}

#[test]
/// The release an instruction needs (`isa`), and the profile check naming it by its
/// mnemonic (spelled by `disasm`).
fn each_instruction_names_the_release_that_introduced_it() {
    let cases = [
        ("r0 += 1", Release::V3_18),
        ("lock *(u32 *)(r10 -4) += r1", Release::V3_18),
        ("if r0 < 1 goto +0", Release::V4_14),
        ("call pc+0", Release::V4_16),
        ("w0 s>>= 1", Release::V5_0),
        ("r0 s>>= 1", Release::V3_18),
        ("if w0 == 1 goto +0", Release::V5_1),
        ("if w0 < 1 goto +0", Release::V5_1),
        ("r1 = map_value(3, 8) ll", Release::V5_2),
        (
            "r1 = atomic64_fetch_add((u64 *)(r10 -8), r1)",
            Release::V5_12,
        ),
        ("call kfunc 7", Release::V5_13),
        ("r0 s/= r1", Release::V6_6),
        ("r0 = (s8)r1", Release::V6_6),
        ("r0 = *(s16 *)(r1 +0)", Release::V6_6),
        ("r0 = bswap16 r0", Release::V6_6),
        ("gotol +0", Release::V6_6),
        ("callx r1", Release::Never),
    ];
    for (text, release) in cases {
        assert_eq!(one(text).since(), release, "{text}");
    }
    let program = assemble("r0 = 0\nif r0 < 1 goto +0\nexit", None)
        .unwrap()
        .program;
    let e = program.check_profile(Profile::Linux44).unwrap_err();
    assert_eq!(
        e.to_string(),
        "instruction 1: jlt needs Linux 4.14 (profile linux-4.4)"
    );
    assert!(program.check_profile(Profile::Rfc9669).is_ok());
    let callx = assemble("callx r1\nexit", None).unwrap().program;
    assert_eq!(
        callx
            .check_profile(Profile::Linux44)
            .unwrap_err()
            .to_string(),
        "instruction 0: callx is not accepted by any Linux release (profile linux-4.4)"
    );
}
