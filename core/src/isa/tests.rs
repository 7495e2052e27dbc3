use super::*;

fn raw(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> [u8; 8] {
    RawInsn {
        opcode,
        dst,
        src,
        off,
        imm,
    }
    .to_bytes()
}

fn decode_err(slots: &[[u8; 8]]) -> DecodeError {
    Program::decode(&slots.concat()).expect_err("must not decode")
}

#[track_caller]
fn assert_kind(slots: &[[u8; 8]], pc: usize, kind: DecodeErrorKind) {
    let e = decode_err(slots);
    assert_eq!((e.pc, e.kind), (pc, kind), "{e}");
}

const EXIT: [u8; 8] = [0x95, 0, 0, 0, 0, 0, 0, 0];

#[test]
fn decode_errors_name_the_instruction_and_reason() {
    use DecodeErrorKind::*;
    assert_kind(&[EXIT, raw(0x8f, 0, 0, 0, 0)], 1, UnknownOpcode); // neg with X bit
    assert_kind(&[raw(0xe7, 0, 0, 0, 0)], 0, UnknownOpcode); // ALU op 0xe0
    assert_kind(&[raw(0xf5, 0, 0, 0, 0)], 0, UnknownOpcode); // JMP op 0xf0
    assert_kind(&[raw(0x00, 0, 0, 0, 0)], 0, UnknownOpcode); // LD IMM of size W
    assert_kind(&[raw(0x38, 0, 0, 0, 0)], 0, UnknownOpcode); // LD_ABS DW
    assert_kind(&[raw(0x99, 0, 1, 0, 0)], 0, UnknownOpcode); // LDX MEMSX DW
    assert_kind(&[raw(0xd3, 0, 1, 0, 0)], 0, UnknownOpcode); // atomic on bytes
    assert_kind(&[raw(0xdf, 0, 0, 0, 16)], 0, UnknownOpcode); // ALU64 END with X
    assert_kind(&[raw(0x96, 0, 0, 0, 0)], 0, UnknownOpcode); // exit in JMP32
    assert_kind(
        &[raw(0xb7, 11, 0, 0, 0)],
        0,
        BadRegister {
            field: Field::Dst,
            value: 11,
        },
    );
    assert_kind(
        &[raw(0xbf, 1, 15, 0, 0)],
        0,
        BadRegister {
            field: Field::Src,
            value: 15,
        },
    );
    assert_kind(
        &[raw(0x07, 0, 1, 0, 1)],
        0,
        ReservedField {
            field: Field::Src,
            value: 1,
        },
    );
    assert_kind(
        &[raw(0x95, 0, 0, 0, 7)],
        0,
        ReservedField {
            field: Field::Imm,
            value: 7,
        },
    );
    assert_kind(
        &[raw(0x05, 0, 0, 1, 3)],
        0,
        ReservedField {
            field: Field::Imm,
            value: 3,
        },
    );
    assert_kind(
        &[raw(0x06, 0, 0, 2, 0)],
        0,
        ReservedField {
            field: Field::Off,
            value: 2,
        },
    );
    assert_kind(&[raw(0xdc, 1, 0, 0, 8)], 0, BadEndWidth { imm: 8 });
    assert_kind(&[raw(0xdb, 1, 2, 0, 0x10)], 0, BadAtomicOp { imm: 0x10 });
    assert_kind(&[raw(0x3f, 1, 2, 2, 0)], 0, BadAluOffset { off: 2 }); // div with off 2
    assert_kind(&[raw(0xb7, 1, 0, 8, 1)], 0, BadAluOffset { off: 8 }); // movsx needs a register
    assert_kind(&[raw(0xbc, 1, 2, 32, 0)], 0, BadAluOffset { off: 32 }); // movsx32 in ALU32
    assert_kind(&[raw(0x85, 0, 3, 0, 1)], 0, BadPseudoSrc { src: 3 });
    assert_kind(&[raw(0x18, 1, 7, 0, 1), [0; 8]], 0, BadPseudoSrc { src: 7 });
    assert_kind(&[EXIT, raw(0x18, 1, 0, 0, 1)], 1, MissingImm64Tail);
    assert_kind(
        &[raw(0x18, 1, 0, 0, 1), raw(0x95, 0, 0, 0, 0)],
        0,
        BadImm64Tail {
            field: Field::Opcode,
            value: 0x95,
        },
    );
    assert_kind(
        &[raw(0x18, 1, 0, 0, 1), raw(0, 0, 0, 4, 0)],
        0,
        BadImm64Tail {
            field: Field::Off,
            value: 4,
        },
    );
    let e = Program::decode(&[0x95, 0, 0, 0, 0, 0, 0, 0, 0xb7]).unwrap_err();
    assert_eq!(e.kind, TrailingBytes { len: 1 });
    assert_eq!(
        e.to_string(),
        "program is not a whole number of 8-byte instructions: 1 byte(s) left after instruction 1"
    );
    assert_eq!(
        decode_err(&[raw(0x07, 0, 1, 0, 1)]).to_string(),
        "instruction 0 (opcode 0x07): src field is unused by this instruction and must be 0, found 1"
    );
}

/// A deterministic xorshift generator, so the property tests need no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn decoding_never_panics_and_valid_encodings_are_canonical() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut valid = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 6) as usize;
        let mut bytes = Vec::new();
        for _ in 0..len {
            let word = rng.next();
            // Bias towards plausible instructions: small registers and offsets.
            let mut slot = word.to_le_bytes();
            if word & 0x300 != 0 {
                slot[1] &= 0x77;
                slot[2] &= 0x0f;
                slot[3] = 0;
            }
            bytes.extend_from_slice(&slot);
        }
        if rng.next().is_multiple_of(7) {
            bytes.push(rng.next() as u8);
        }
        if let Ok(program) = Program::decode(&bytes) {
            valid += 1;
            assert_eq!(
                program.encode(),
                bytes,
                "decode then encode changed the bytes"
            );
        }
    }
    assert!(valid > 1_000, "only {valid} random programs decoded");
}

#[test]
fn lddw_occupies_two_slots_and_keeps_both_halves() {
    let program = Program::decode(
        &[
            raw(0x18, 3, 0, 0, 0x5566_7788),
            raw(0, 0, 0, 0, 0x1122_3344),
            EXIT,
        ]
        .concat(),
    )
    .unwrap();
    assert_eq!(program.len(), 3);
    assert_eq!(program.slots()[1], Slot::Imm64Tail);
    assert_eq!(
        program.get(0),
        Some(&Insn::LoadImm64 {
            dst: Reg::new(3).unwrap(),
            kind: Imm64Kind::Imm,
            imm: 0x1122_3344_5566_7788
        })
    );
    assert_eq!(program.get(1), None);
}

#[test]
fn hex_text_is_read_leniently_and_errors_name_line_and_column() {
    assert_eq!(
        parse_hex_bytes("b7 00\n0x0102 ab").unwrap(),
        vec![0xb7, 0, 1, 2, 0xab]
    );
    assert_eq!(
        parse_hex_bytes("b70").unwrap_err(),
        HexError {
            line: 1,
            col: 1,
            word: String::from("b70"),
            kind: HexErrorKind::OddLength
        }
    );
    assert_eq!(
        parse_hex_bytes("00 0g").unwrap_err().to_string(),
        "line 1, column 5: `g` (in `0g`) is not a hex digit"
    );
    assert_eq!(
        hex_lines(&[0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95]),
        "b700000001000000\n95\n"
    );
    assert_eq!(spaced_hex(&[0xb7, 0, 0x0a]), "b7 00 0a");
    assert_eq!(spaced_hex(&[]), "");
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(parse_hex_bytes(&spaced_hex(&bytes)).unwrap(), bytes);
}

#[test]
fn c_arrays_and_comma_lists_are_bytes() {
    assert_eq!(
        parse_hex_bytes("0x02, 0x00, 0xff,\n0x7").unwrap(),
        vec![2, 0, 0xff, 7]
    );
    assert_eq!(
        parse_hex_bytes("unsigned char pkt[] = {\n  0x45, 0x0,\n  0x01 };").unwrap(),
        vec![0x45, 0, 1]
    );
    assert_eq!(
        parse_hex_bytes("0x02, 0x0z").unwrap_err().to_string(),
        "line 1, column 10: `z` (in `0x0z`) is not a hex digit"
    );
}

#[test]
fn hex_dumps_skip_their_offset_and_ascii_columns() {
    // Wireshark's "Copy as Hex Dump": the ASCII column reads like hex (`ab` is 0x61 0x62).
    let wireshark = "0000   61 62 63 64 65 66 00 01 02 03 04 05 06 07 08 09   abcdef..........\n\
                     0010   61 62                                             ab\n";
    let mut expected: Vec<u8> = vec![0x61, 0x62, 0x63, 0x64, 0x65, 0x66];
    expected.extend(0..10);
    expected.extend([0x61, 0x62]);
    assert_eq!(parse_hex_bytes(wireshark).unwrap(), expected);
    // hexdump -C and od -Ax -tx1 (its last line is the length alone).
    let hexdump = "00000000  45 00 00 3c 1c 46 40 00  40 06 b1 e6 ac 10 00 01  |E..<.F@.@.......|\n\
                   00000010  0a                                                |.|\n\
                   00000011\n";
    assert_eq!(parse_hex_bytes(hexdump).unwrap().len(), 17);
    let od = "# od -Ax -tx1\n000000 de ad\n000002 be ef\n000004\n";
    assert_eq!(parse_hex_bytes(od).unwrap(), vec![0xde, 0xad, 0xbe, 0xef]);
    // xxd: `offset:` and two-byte groups.
    let xxd = "00000000: 4500 003c 1c46 4000 4006 b1e6 ac10 0001  E..<.F@.@.......\n00000010: 0a0b                                     ..\n";
    let bytes = parse_hex_bytes(xxd).unwrap();
    assert_eq!((bytes.len(), bytes[0], bytes[17]), (18, 0x45, 0x0b));
    // A line with too few bytes for the next offset, and an offset out of step.
    assert_eq!(
        parse_hex_bytes("0000 01 02\n0004 03\n")
            .unwrap_err()
            .to_string(),
        "line 1, column 9: this dump line has 2 byte(s) before `02`, but the next line's offset says 4"
    );
    assert_eq!(
        parse_hex_bytes("0000 01 02 zz\n0004 03\n")
            .unwrap_err()
            .to_string(),
        "line 1, column 12: this dump line has 2 byte(s) before `zz`, but the next line's offset says 4"
    );
    assert_eq!(
        parse_hex_bytes("0000 01 02\n03 04\n")
            .unwrap_err()
            .to_string(),
        "line 2, column 1: `03` is not an offset, but the first line starts with one (a hex dump)"
    );
}
