//! Bytes to [`Insn`]: every field is checked, every invalid encoding is an error.

use super::table::{LDDW, class, mode, op};
use super::*;

pub(super) fn decode(bytes: &[u8]) -> core::result::Result<Program, DecodeError> {
    let whole = bytes.len() / INSN_SIZE;
    if !bytes.len().is_multiple_of(INSN_SIZE) {
        return Err(DecodeError {
            pc: whole,
            opcode: 0,
            kind: DecodeErrorKind::TrailingBytes {
                len: bytes.len() % INSN_SIZE,
            },
        });
    }
    let raws: Vec<RawInsn> = bytes
        .chunks_exact(INSN_SIZE)
        .map(|c| RawInsn::from_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect();
    let mut slots = Vec::with_capacity(raws.len());
    let mut pc = 0;
    while let Some(&raw) = raws.get(pc) {
        let insn = decode_one(raw, raws.get(pc + 1).copied()).map_err(|kind| DecodeError {
            pc,
            opcode: raw.opcode,
            kind,
        })?;
        slots.push(Slot::Insn(insn));
        if insn.slots() == 2 {
            slots.push(Slot::Imm64Tail);
        }
        pc += insn.slots();
    }
    Ok(Program::from_slots(slots))
}

type Result<T> = core::result::Result<T, DecodeErrorKind>;

fn zero(field: Field, value: i64) -> Result<()> {
    if value == 0 {
        Ok(())
    } else {
        Err(DecodeErrorKind::ReservedField { field, value })
    }
}

fn reg(field: Field, value: u8) -> Result<Reg> {
    Reg::new(value).ok_or(DecodeErrorKind::BadRegister { field, value })
}

/// The second operand: a register (X bit set, imm unused) or an immediate (src unused).
fn source(raw: RawInsn) -> Result<Source> {
    if raw.opcode & op::X != 0 {
        zero(Field::Imm, raw.imm.into())?;
        Ok(Source::Reg(reg(Field::Src, raw.src)?))
    } else {
        zero(Field::Src, raw.src.into())?;
        Ok(Source::Imm(raw.imm))
    }
}

fn decode_one(raw: RawInsn, next: Option<RawInsn>) -> Result<Insn> {
    match raw.opcode & 0x07 {
        class::ALU => alu(raw, Width::W32),
        class::ALU64 => alu(raw, Width::W64),
        class::JMP => jmp(raw, Width::W64),
        class::JMP32 => jmp(raw, Width::W32),
        class::LD => ld(raw, next),
        class::LDX => ldx(raw),
        class::ST => st(raw),
        _ => stx(raw),
    }
}

fn alu(raw: RawInsn, width: Width) -> Result<Insn> {
    let bits = raw.opcode & 0xf0;
    let dst = reg(Field::Dst, raw.dst)?;
    match bits {
        op::NEG => {
            if raw.opcode & op::X != 0 {
                return Err(DecodeErrorKind::UnknownOpcode);
            }
            zero(Field::Src, raw.src.into())?;
            zero(Field::Off, raw.off.into())?;
            zero(Field::Imm, raw.imm.into())?;
            Ok(Insn::Neg { width, dst })
        }
        op::END => {
            let order = ByteOrder::from_code(raw.opcode).ok_or(DecodeErrorKind::UnknownOpcode)?;
            zero(Field::Src, raw.src.into())?;
            zero(Field::Off, raw.off.into())?;
            match raw.imm {
                16 | 32 | 64 => Ok(Insn::Endian {
                    order,
                    bits: raw.imm as u8,
                    dst,
                }),
                imm => Err(DecodeErrorKind::BadEndWidth { imm }),
            }
        }
        _ => {
            let op = AluOp::from_code((bits, raw.off)).ok_or_else(|| {
                if AluOp::ALL.iter().any(|o| o.code().0 == bits) {
                    DecodeErrorKind::BadAluOffset { off: raw.off }
                } else {
                    DecodeErrorKind::UnknownOpcode
                }
            })?;
            let src = source(raw)?;
            let sign_extending_move = matches!(op, AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32);
            if sign_extending_move && matches!(src, Source::Imm(_))
                || (op == AluOp::MovSx32 && width == Width::W32)
            {
                return Err(DecodeErrorKind::BadAluOffset { off: raw.off });
            }
            Ok(Insn::Alu {
                width,
                op,
                dst,
                src,
            })
        }
    }
}

fn jmp(raw: RawInsn, width: Width) -> Result<Insn> {
    let bits = raw.opcode & 0xf0;
    let x = raw.opcode & op::X != 0;
    match (bits, width) {
        (op::JA, _) if x => Err(DecodeErrorKind::UnknownOpcode),
        (op::JA, Width::W64) => {
            zero(Field::Dst, raw.dst.into())?;
            zero(Field::Src, raw.src.into())?;
            zero(Field::Imm, raw.imm.into())?;
            Ok(Insn::Ja { off: raw.off })
        }
        (op::JA, Width::W32) => {
            zero(Field::Dst, raw.dst.into())?;
            zero(Field::Src, raw.src.into())?;
            zero(Field::Off, raw.off.into())?;
            Ok(Insn::JaLong { off: raw.imm })
        }
        (op::CALL | op::EXIT, Width::W32) => Err(DecodeErrorKind::UnknownOpcode),
        (op::CALL, Width::W64) if x => {
            zero(Field::Src, raw.src.into())?;
            zero(Field::Off, raw.off.into())?;
            zero(Field::Imm, raw.imm.into())?;
            Ok(Insn::CallReg {
                reg: reg(Field::Dst, raw.dst)?,
            })
        }
        (op::CALL, Width::W64) => {
            zero(Field::Dst, raw.dst.into())?;
            zero(Field::Off, raw.off.into())?;
            let kind = CallKind::from_code(raw.src)
                .ok_or(DecodeErrorKind::BadPseudoSrc { src: raw.src })?;
            Ok(Insn::Call { kind, imm: raw.imm })
        }
        (op::EXIT, Width::W64) => {
            if x {
                return Err(DecodeErrorKind::UnknownOpcode);
            }
            zero(Field::Dst, raw.dst.into())?;
            zero(Field::Src, raw.src.into())?;
            zero(Field::Off, raw.off.into())?;
            zero(Field::Imm, raw.imm.into())?;
            Ok(Insn::Exit)
        }
        _ => {
            let cond = Cond::from_code(bits).ok_or(DecodeErrorKind::UnknownOpcode)?;
            let dst = reg(Field::Dst, raw.dst)?;
            let src = source(raw)?;
            Ok(Insn::Branch {
                width,
                cond,
                dst,
                src,
                off: raw.off,
            })
        }
    }
}

fn ld(raw: RawInsn, next: Option<RawInsn>) -> Result<Insn> {
    let size = Size::from_code(raw.opcode & 0x18).ok_or(DecodeErrorKind::UnknownOpcode)?;
    match raw.opcode & 0xe0 {
        mode::IMM if raw.opcode == LDDW => {
            zero(Field::Off, raw.off.into())?;
            let dst = reg(Field::Dst, raw.dst)?;
            let kind = Imm64Kind::from_code(raw.src)
                .ok_or(DecodeErrorKind::BadPseudoSrc { src: raw.src })?;
            let tail = next.ok_or(DecodeErrorKind::MissingImm64Tail)?;
            let tail_field = |field, value: i64| {
                if value == 0 {
                    Ok(())
                } else {
                    Err(DecodeErrorKind::BadImm64Tail { field, value })
                }
            };
            tail_field(Field::Opcode, tail.opcode.into())?;
            tail_field(Field::Dst, tail.dst.into())?;
            tail_field(Field::Src, tail.src.into())?;
            tail_field(Field::Off, tail.off.into())?;
            let imm = u64::from(raw.imm as u32) | (u64::from(tail.imm as u32) << 32);
            Ok(Insn::LoadImm64 { dst, kind, imm })
        }
        mode::ABS | mode::IND if size != Size::DW => {
            zero(Field::Dst, raw.dst.into())?;
            zero(Field::Off, raw.off.into())?;
            let index = if raw.opcode & 0xe0 == mode::IND {
                Some(reg(Field::Src, raw.src)?)
            } else {
                zero(Field::Src, raw.src.into())?;
                None
            };
            Ok(Insn::LoadPacket {
                size,
                index,
                imm: raw.imm,
            })
        }
        _ => Err(DecodeErrorKind::UnknownOpcode),
    }
}

fn size_of(raw: RawInsn) -> Size {
    // Two bits always name one of the four sizes.
    Size::from_code(raw.opcode & 0x18).unwrap_or(Size::W)
}

fn ldx(raw: RawInsn) -> Result<Insn> {
    let size = size_of(raw);
    let signed = match raw.opcode & 0xe0 {
        mode::MEM => false,
        mode::MEMSX if size != Size::DW => true,
        _ => return Err(DecodeErrorKind::UnknownOpcode),
    };
    zero(Field::Imm, raw.imm.into())?;
    Ok(Insn::Load {
        size,
        signed,
        dst: reg(Field::Dst, raw.dst)?,
        src: reg(Field::Src, raw.src)?,
        off: raw.off,
    })
}

fn st(raw: RawInsn) -> Result<Insn> {
    if raw.opcode & 0xe0 != mode::MEM {
        return Err(DecodeErrorKind::UnknownOpcode);
    }
    zero(Field::Src, raw.src.into())?;
    Ok(Insn::Store {
        size: size_of(raw),
        dst: reg(Field::Dst, raw.dst)?,
        off: raw.off,
        imm: raw.imm,
    })
}

fn stx(raw: RawInsn) -> Result<Insn> {
    let size = size_of(raw);
    let dst = reg(Field::Dst, raw.dst)?;
    let src = reg(Field::Src, raw.src)?;
    match raw.opcode & 0xe0 {
        mode::MEM => {
            zero(Field::Imm, raw.imm.into())?;
            Ok(Insn::StoreReg {
                size,
                dst,
                src,
                off: raw.off,
            })
        }
        mode::ATOMIC if matches!(size, Size::W | Size::DW) => {
            let op = AtomicOp::from_code(raw.imm)
                .ok_or(DecodeErrorKind::BadAtomicOp { imm: raw.imm })?;
            Ok(Insn::Atomic {
                size,
                op,
                dst,
                src,
                off: raw.off,
            })
        }
        _ => Err(DecodeErrorKind::UnknownOpcode),
    }
}
