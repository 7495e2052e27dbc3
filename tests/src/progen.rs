//! Generated programs for the differential tests: random mixes of ALU, jump and memory
//! instructions whose every run has a meaning under RFC 9669 (every register written
//! before it is read, the stack slots used stored first, forward jumps only, divisors in
//! registers only, in-range shift immediates), built as raw slots so that each engine
//! decodes them itself. Pointers (r1 = the input, r10 = the stack's top) are only used
//! as bases of memory accesses, so results do not depend on where an engine maps memory.
//! Out-of-bounds accesses are generated on purpose: every engine must fault on them.
//!
//! A program that two engines disagree on is shrunk ([`Generated::shrink`]) to a
//! minimal reproducer.

use crate::Rng;

/// Size of the input the programs read and write through r1.
pub const INPUT_LEN: usize = 32;
/// Bytes below r10 that the prologue stores, and that accesses through r10 stay in.
const STACK_USED: i16 = 64;
/// The registers that hold data (never r1 and r10, the pointers).
const DATA_REGS: [u8; 9] = [0, 2, 3, 4, 5, 6, 7, 8, 9];

/// One instruction of a program's body: its slots, and for a jump the number of body
/// instructions it skips (its offset is computed when the program is built, so that
/// removing instructions keeps every jump inside the program).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub slot: [u8; 8],
    pub skip: Option<usize>,
}

/// A generated program: a fixed prologue (registers and stack initialised), a body, and
/// an epilogue that folds every data register into r0 and exits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    prologue: Vec<[u8; 8]>,
    pub body: Vec<Op>,
}

fn slot(opcode: u8, dst: u8, src: u8, off: i16, imm: i32) -> [u8; 8] {
    let mut s = [0u8; 8];
    s[0] = opcode;
    s[1] = dst | src << 4;
    s[2..4].copy_from_slice(&off.to_le_bytes());
    s[4..8].copy_from_slice(&imm.to_le_bytes());
    s
}

/// Immediates that reach the edges of 32- and 64-bit arithmetic.
fn interesting_imm(rng: &mut Rng) -> i32 {
    match rng.below(4) {
        0 => rng.pick(&[
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
            0x7fff,
            -0x8000,
        ]),
        1 => rng.below(16) as i32 - 8,
        _ => rng.next_u64() as i32,
    }
}

fn data_reg(rng: &mut Rng) -> u8 {
    rng.pick(&DATA_REGS)
}

/// A memory operand: (base register, offset) for an access of `size` bytes, in bounds
/// most of the time and just outside them sometimes.
fn address(rng: &mut Rng, size: i16) -> (u8, i16) {
    let out_of_bounds = rng.below(40) == 0;
    if rng.below(2) == 0 {
        let off = if out_of_bounds {
            rng.pick(&[-size, INPUT_LEN as i16 - size + 1, 4096])
        } else {
            rng.below((INPUT_LEN as i16 - size + 1) as u64) as i16
        };
        (1, off)
    } else {
        let off = if out_of_bounds {
            rng.pick(&[-512 - size, 1 - size, 0])
        } else {
            -(size + rng.below((STACK_USED - size + 1) as u64) as i16)
        };
        (10, off)
    }
}

const SIZES: [(u8, i16); 4] = [(0x00, 4), (0x08, 2), (0x10, 1), (0x18, 8)];

fn body_op(rng: &mut Rng) -> Op {
    let plain = |slot| Op { slot, skip: None };
    match rng.below(10) {
        // ALU and ALU64 (§4.1), register or immediate operand.
        0..=4 => {
            let wide = rng.below(2) == 0;
            let class = if wide { 0x07 } else { 0x04 };
            let op = rng.pick(&[
                0x00u8, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0,
            ]);
            let dst = data_reg(rng);
            if op == 0x80 {
                return plain(slot(class | op, dst, 0, 0, 0));
            }
            let by_reg = rng.below(2) == 0 || matches!(op, 0x30 | 0x90) && rng.below(4) != 0;
            if by_reg {
                return plain(slot(class | op | 0x08, dst, data_reg(rng), 0, 0));
            }
            let imm = match op {
                0x60 | 0x70 | 0xc0 => rng.below(if wide { 64 } else { 32 }) as i32,
                // A zero divisor is an immediate no verifier accepts; registers test it.
                0x30 | 0x90 => Some(interesting_imm(rng)).filter(|&i| i != 0).unwrap_or(3),
                _ => interesting_imm(rng),
            };
            plain(slot(class | op, dst, 0, 0, imm))
        }
        // Byte swaps (§4.2).
        5 => plain(slot(
            rng.pick(&[0xd4, 0xdc]),
            data_reg(rng),
            0,
            0,
            rng.pick(&[16, 32, 64]),
        )),
        // Conditional and unconditional forward jumps (§4.3).
        6 | 7 => {
            let class = rng.pick(&[0x05u8, 0x06]);
            let op = rng.pick(&[
                0x00u8, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0,
            ]);
            // `ja` is a JMP instruction; JMP32's `ja` has another meaning.
            let op = if class == 0x06 && op == 0x00 {
                0x10
            } else {
                op
            };
            let skip = Some(rng.below(6) as usize);
            if op == 0x00 {
                Op {
                    slot: slot(0x05, 0, 0, 0, 0),
                    skip,
                }
            } else if rng.below(2) == 0 {
                Op {
                    slot: slot(class | op | 0x08, data_reg(rng), data_reg(rng), 0, 0),
                    skip,
                }
            } else {
                Op {
                    slot: slot(class | op, data_reg(rng), 0, 0, interesting_imm(rng)),
                    skip,
                }
            }
        }
        // Loads (§5.1).
        8 => {
            let (size, n) = rng.pick(&SIZES);
            let (base, off) = address(rng, n);
            plain(slot(0x61 | size, data_reg(rng), base, off, 0))
        }
        // Stores of a register or an immediate (§5.1).
        _ => {
            let (size, n) = rng.pick(&SIZES);
            let (base, off) = address(rng, n);
            if rng.below(2) == 0 {
                plain(slot(0x63 | size, base, data_reg(rng), off, 0))
            } else {
                plain(slot(0x62 | size, base, 0, off, interesting_imm(rng)))
            }
        }
    }
}

impl Generated {
    /// A random program of up to `max_body` body instructions.
    pub fn random(rng: &mut Rng, max_body: u64) -> Generated {
        let mut prologue = Vec::new();
        for r in DATA_REGS {
            if rng.below(3) == 0 {
                let value = rng.next_u64();
                prologue.push(slot(0x18, r, 0, 0, value as i32));
                prologue.push(slot(0, 0, 0, 0, (value >> 32) as i32));
            } else {
                prologue.push(slot(0xb7, r, 0, 0, interesting_imm(rng)));
            }
        }
        for k in 1..=STACK_USED / 8 {
            prologue.push(slot(0x7a, 10, 0, -8 * k, interesting_imm(rng)));
        }
        let body = (0..1 + rng.below(max_body)).map(|_| body_op(rng)).collect();
        Generated { prologue, body }
    }

    /// The program's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.prologue.concat();
        for (i, op) in self.body.iter().enumerate() {
            let mut s = op.slot;
            if let Some(skip) = op.skip {
                // Body instructions are one slot each; the epilogue follows the last.
                let target = (i + 1 + skip).min(self.body.len());
                let off = (target - i - 1) as i16;
                s[2..4].copy_from_slice(&off.to_le_bytes());
            }
            out.extend_from_slice(&s);
        }
        for r in DATA_REGS.iter().skip(1) {
            out.extend_from_slice(&slot(0xaf, 0, *r, 0, 0));
        }
        out.extend_from_slice(&slot(0x95, 0, 0, 0, 0));
        out
    }

    /// A smallest program (removing any one body instruction, or shortening any jump,
    /// makes `fails` false) on which `fails` still holds.
    pub fn shrink(mut self, mut fails: impl FnMut(&Generated) -> bool) -> Generated {
        loop {
            let mut smaller = None;
            for i in 0..self.body.len() {
                let mut candidate = self.clone();
                candidate.body.remove(i);
                if fails(&candidate) {
                    smaller = Some(candidate);
                    break;
                }
                if let Some(skip) = self.body[i].skip.filter(|&s| s > 0) {
                    let mut candidate = self.clone();
                    candidate.body[i].skip = Some(skip - 1);
                    if fails(&candidate) {
                        smaller = Some(candidate);
                        break;
                    }
                }
            }
            match smaller {
                Some(s) => self = s,
                None => return self,
            }
        }
    }
}

/// The input memory every differential run starts from.
pub fn input() -> Vec<u8> {
    (0..INPUT_LEN as u8)
        .map(|b| b.wrapping_mul(73) ^ 0xa5)
        .collect()
}
