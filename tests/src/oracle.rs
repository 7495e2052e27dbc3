//! A deliberately plain interpreter of the subset of RFC 9669 that the differential
//! programs use ([`crate::progen`]): 64- and 32-bit ALU (§4.1), byte swaps (§4.2),
//! jumps (§4.3), `LDX`/`ST`/`STX` in MEM mode (§5.1) and the 64-bit immediate load
//! (§5.4). Written from the RFC alone, sharing no code with `bpfplay-core`, so that a
//! difference between the project's interpreter and rbpf can be settled by a third
//! opinion. Slow and simple on purpose: one `match` per instruction class.
//!
//! [`Quirks`] switches on rbpf 0.4.1's known departures from the RFC, each named with
//! the section it departs from, so that a difference with rbpf is explained only by a
//! named bug.

/// Where the oracle places its two regions (any addresses do: programs never mix
/// pointers into results).
const INPUT_BASE: u64 = 0x1_0000_0000;
const STACK_BASE: u64 = 0x2_0000_0000;
pub const STACK_SIZE: usize = 512;

/// Known departures of rbpf 0.4.1 from RFC 9669, reproduced on demand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quirks {
    /// RFC 9669 §4.3 (with §2.2): a 64-bit (`BPF_JMP`) comparison with an immediate
    /// sign-extends it to 64 bits. rbpf compares `jeq`, `jne`, `jgt`, `jge`, `jlt` and
    /// `jle` against the zero-extended immediate (`imm as u32 as u64`).
    pub jmp_imm_zero_extended: bool,
    /// RFC 9669 §4.1: a 32-bit (`BPF_ALU`) modulo by zero leaves the low 32 bits and
    /// zeroes the upper 32 bits of the destination. rbpf leaves all 64 bits unchanged.
    pub mod32_by_zero_keeps_upper_bits: bool,
    /// RFC 9669 §4.1: `neg` is two's-complement negation, so `-i64::MIN` wraps to
    /// itself. rbpf negates with `-(x as i64)`, which panics on overflow in builds with
    /// overflow checks (this one): the run ends as a fault.
    pub neg64_of_min_panics: bool,
}

impl Quirks {
    const NONE: Quirks = Quirks {
        jmp_imm_zero_extended: false,
        mod32_by_zero_keeps_upper_bits: false,
        neg64_of_min_panics: false,
    };

    /// Every known rbpf 0.4.1 bug, with its RFC section, one quirk switched on each.
    pub const RBPF_0_4_1: [(&'static str, Quirks); 3] = [
        (
            "rbpf 0.4.1 compares 64-bit jump immediates zero-extended (RFC 9669 §4.3, §2.2: sign-extended)",
            Quirks {
                jmp_imm_zero_extended: true,
                ..Quirks::NONE
            },
        ),
        (
            "rbpf 0.4.1 keeps the upper 32 bits on a 32-bit modulo by zero (RFC 9669 §4.1: zeroed)",
            Quirks {
                mod32_by_zero_keeps_upper_bits: true,
                ..Quirks::NONE
            },
        ),
        (
            "rbpf 0.4.1 panics on the 64-bit neg of i64::MIN (RFC 9669 §4.1: it wraps)",
            Quirks {
                neg64_of_min_panics: true,
                ..Quirks::NONE
            },
        ),
    ];

    /// All of rbpf 0.4.1's known bugs at once.
    pub const ALL_RBPF_0_4_1: Quirks = Quirks {
        jmp_imm_zero_extended: true,
        mod32_by_zero_keeps_upper_bits: true,
        neg64_of_min_panics: true,
    };
}

/// How a run ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    Exit(u64),
    /// A memory access outside both regions, an instruction outside the subset, or a
    /// jump outside the program.
    Fault(String),
}

/// The end of a run and the input memory afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub end: End,
    pub input: Vec<u8>,
}

struct Machine {
    reg: [u64; 11],
    input: Vec<u8>,
    stack: Vec<u8>,
}

impl Machine {
    /// The byte range an access of `len` bytes at `addr` covers, and which region.
    fn locate(&mut self, addr: u64, len: usize) -> Result<&mut [u8], String> {
        let within = |base: u64, size: usize| {
            addr.checked_sub(base)
                .filter(|off| {
                    off.checked_add(len as u64)
                        .is_some_and(|end| end <= size as u64)
                })
                .map(|off| off as usize)
        };
        if let Some(off) = within(INPUT_BASE, self.input.len()) {
            return Ok(&mut self.input[off..off + len]);
        }
        if let Some(off) = within(STACK_BASE, STACK_SIZE) {
            return Ok(&mut self.stack[off..off + len]);
        }
        Err(format!("access of {len} bytes at {addr:#x} outside memory"))
    }

    fn load(&mut self, addr: u64, len: usize) -> Result<u64, String> {
        let bytes = self.locate(addr, len)?;
        let mut value = 0u64;
        for (i, b) in bytes.iter().enumerate() {
            value |= u64::from(*b) << (8 * i);
        }
        Ok(value)
    }

    fn store(&mut self, addr: u64, len: usize, value: u64) -> Result<(), String> {
        let bytes = self.locate(addr, len)?;
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (value >> (8 * i)) as u8;
        }
        Ok(())
    }
}

/// Bytes of a `BPF_SIZE` field (§5.1): W, H, B, DW.
fn size_bytes(opcode: u8) -> usize {
    match opcode & 0x18 {
        0x00 => 4,
        0x08 => 2,
        0x10 => 1,
        _ => 8,
    }
}

/// Runs `program` (little-endian slots) with r1 = the input and r10 = the stack's top.
pub fn run(program: &[u8], input: &[u8], quirks: Quirks) -> Outcome {
    let mut m = Machine {
        reg: [0; 11],
        input: input.to_vec(),
        stack: vec![0; STACK_SIZE],
    };
    m.reg[1] = INPUT_BASE;
    m.reg[10] = STACK_BASE + STACK_SIZE as u64;
    let end = execute(&mut m, program, quirks).unwrap_or_else(End::Fault);
    Outcome {
        end,
        input: m.input,
    }
}

fn execute(m: &mut Machine, program: &[u8], quirks: Quirks) -> Result<End, String> {
    let slots: Vec<[u8; 8]> = program
        .chunks(8)
        .map(|c| c.try_into().map_err(|_| String::from("a partial slot")))
        .collect::<Result<_, _>>()?;
    let mut pc: usize = 0;
    // Loop-free programs end within one pass; the bound only stops a wrong jump.
    for _ in 0..1_000_000 {
        let slot = slots
            .get(pc)
            .ok_or(format!("pc {pc} outside the program"))?;
        let opcode = slot[0];
        let dst = usize::from(slot[1] & 0x0f);
        let src = usize::from(slot[1] >> 4);
        let off = i16::from_le_bytes([slot[2], slot[3]]);
        let imm = i32::from_le_bytes([slot[4], slot[5], slot[6], slot[7]]);
        if dst > 10 || src > 10 {
            return Err(format!("register out of range at {pc}"));
        }
        let class = opcode & 0x07;
        let uses_reg = opcode & 0x08 != 0;
        pc += 1;
        match class {
            // ALU (32-bit) and ALU64 (§4.1, §4.2).
            0x04 | 0x07 => {
                let wide = class == 0x07;
                let op = opcode & 0xf0;
                if op == 0xd0 {
                    // Byte swaps: BPF_ALU's source bit picks little (0) or big (1) endian.
                    let v = m.reg[dst];
                    m.reg[dst] = match (uses_reg, imm) {
                        (false, 16) => u64::from(v as u16),
                        (false, 32) => u64::from(v as u32),
                        (false, 64) => v,
                        (true, 16) => u64::from((v as u16).swap_bytes()),
                        (true, 32) => u64::from((v as u32).swap_bytes()),
                        (true, 64) => v.swap_bytes(),
                        _ => return Err(format!("bad byte swap at {}", pc - 1)),
                    };
                    continue;
                }
                // The operand: a register, or the immediate sign-extended to 64 bits
                // (§2.2) and, for 32-bit operations, truncated to 32.
                let operand = if uses_reg {
                    m.reg[src]
                } else {
                    imm as i64 as u64
                };
                let result = if wide {
                    if quirks.neg64_of_min_panics && op == 0x80 && m.reg[dst] == 1 << 63 {
                        return Err(String::from("rbpf's neg overflow panic"));
                    }
                    alu64(op, m.reg[dst], operand)?
                } else {
                    let d = m.reg[dst] as u32;
                    let s = operand as u32;
                    match alu32(op, d, s)? {
                        Some(v) => u64::from(v),
                        // Modulo by zero: §4.1 keeps the low half and zeroes the rest.
                        None if quirks.mod32_by_zero_keeps_upper_bits => m.reg[dst],
                        None => u64::from(d),
                    }
                };
                m.reg[dst] = result;
            }
            // JMP and JMP32 (§4.3).
            0x05 | 0x06 => {
                let op = opcode & 0xf0;
                if op == 0x90 {
                    return Ok(End::Exit(m.reg[0]));
                }
                if op == 0x80 {
                    return Err(format!("call at {}: outside the subset", pc - 1));
                }
                let taken = if op == 0x00 {
                    true
                } else if class == 0x05 {
                    let right = if uses_reg {
                        m.reg[src]
                    } else if quirks.jmp_imm_zero_extended
                        && matches!(op, 0x10 | 0x20 | 0x30 | 0x50 | 0xa0 | 0xb0)
                    {
                        u64::from(imm as u32)
                    } else {
                        imm as i64 as u64
                    };
                    compare(op, m.reg[dst], right, |v| v as i64)?
                } else {
                    let right = if uses_reg {
                        m.reg[src] as u32
                    } else {
                        imm as u32
                    };
                    compare(op, u64::from(m.reg[dst] as u32), u64::from(right), |v| {
                        i64::from(v as u32 as i32)
                    })?
                };
                if taken {
                    pc = (pc as i64 + i64::from(off))
                        .try_into()
                        .map_err(|_| format!("jump before the program at {}", pc - 1))?;
                }
            }
            // LDX MEM (§5.1).
            0x01 if opcode & 0xe0 == 0x60 => {
                let addr = m.reg[src].wrapping_add(off as i64 as u64);
                m.reg[dst] = m.load(addr, size_bytes(opcode))?;
            }
            // ST MEM and STX MEM (§5.1).
            0x02 | 0x03 if opcode & 0xe0 == 0x60 => {
                let addr = m.reg[dst].wrapping_add(off as i64 as u64);
                let value = if class == 0x03 {
                    m.reg[src]
                } else {
                    imm as i64 as u64
                };
                m.store(addr, size_bytes(opcode), value)?;
            }
            // The 64-bit immediate load (§5.4): imm of the next slot is the upper half.
            0x00 if opcode == 0x18 && src == 0 => {
                let next = slots.get(pc).ok_or("lddw without its second slot")?;
                let high = u32::from_le_bytes([next[4], next[5], next[6], next[7]]);
                m.reg[dst] = u64::from(imm as u32) | u64::from(high) << 32;
                pc += 1;
            }
            _ => {
                return Err(format!(
                    "opcode {opcode:#04x} at {}: outside the subset",
                    pc - 1
                ));
            }
        }
    }
    Err(String::from("did not end"))
}

/// A 64-bit ALU operation (§4.1): division by zero gives 0, modulo by zero leaves the
/// destination, shifts use the low 6 bits of the operand.
fn alu64(op: u8, d: u64, s: u64) -> Result<u64, String> {
    Ok(match op {
        0x00 => d.wrapping_add(s),
        0x10 => d.wrapping_sub(s),
        0x20 => d.wrapping_mul(s),
        0x30 => d.checked_div(s).unwrap_or(0),
        0x40 => d | s,
        0x50 => d & s,
        0x60 => d << (s & 63),
        0x70 => d >> (s & 63),
        0x80 => d.wrapping_neg(),
        0x90 => d.checked_rem(s).unwrap_or(d),
        0xa0 => d ^ s,
        0xb0 => s,
        0xc0 => ((d as i64) >> (s & 63)) as u64,
        _ => return Err(format!("ALU64 operation {op:#04x} outside the subset")),
    })
}

/// A 32-bit ALU operation (§4.1) on the low halves; `None` for a modulo by zero, whose
/// result the caller settles. Shifts use the low 5 bits.
fn alu32(op: u8, d: u32, s: u32) -> Result<Option<u32>, String> {
    Ok(Some(match op {
        0x00 => d.wrapping_add(s),
        0x10 => d.wrapping_sub(s),
        0x20 => d.wrapping_mul(s),
        0x30 => d.checked_div(s).unwrap_or(0),
        0x40 => d | s,
        0x50 => d & s,
        0x60 => d << (s & 31),
        0x70 => d >> (s & 31),
        0x80 => d.wrapping_neg(),
        0x90 => return Ok(d.checked_rem(s)),
        0xa0 => d ^ s,
        0xb0 => s,
        0xc0 => ((d as i32) >> (s & 31)) as u32,
        _ => return Err(format!("ALU operation {op:#04x} outside the subset")),
    }))
}

/// A jump condition (§4.3) on operands already cut to the operation's width; `signed`
/// reads one as a signed number of that width.
fn compare(op: u8, d: u64, s: u64, signed: impl Fn(u64) -> i64) -> Result<bool, String> {
    Ok(match op {
        0x10 => d == s,
        0x20 => d > s,
        0x30 => d >= s,
        0x40 => d & s != 0,
        0x50 => d != s,
        0x60 => signed(d) > signed(s),
        0x70 => signed(d) >= signed(s),
        0xa0 => d < s,
        0xb0 => d <= s,
        0xc0 => signed(d) < signed(s),
        0xd0 => signed(d) <= signed(s),
        _ => return Err(format!("jump operation {op:#04x} outside the subset")),
    })
}
