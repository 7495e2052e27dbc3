//! The interpreter's fast loop: [`Vm::run`] runs the flat form of the program
//! ([`super::flat`]) here, over local registers, and hands every instruction it does
//! not execute itself (and every one at a breakpoint) to `advance`.

use super::exec::{big_endian, packet_address, sign_extend};
use super::{RegionKind, Vm, alu, flat};
use crate::isa::{Reg, Size};

impl Vm {
    /// Executes instructions that cannot fault, call out or end the program, from the
    /// current pc, until the next one needs [`Vm::advance`] (a [`flat::Kind::Slow`] op
    /// of `ops`, the current program's flat form), the fuel is spent or
    /// [`Vm::executed`] reaches `until`. An instruction that would fault or exit early
    /// is left unexecuted, so `advance` redoes it in full.
    pub(super) fn run_fast(&mut self, until: u64, ops: &[flat::Op]) {
        use crate::isa::{AluOp, Cond};
        use flat::Kind as K;
        // 16 registers so that `reg & 15` indexes without a bounds check; 11..16 stay
        // zero (r15 is the register operand of every immediate operand, see `flat`).
        let mut regs = [0u64; 16];
        regs[..Reg::COUNT].copy_from_slice(&self.regs);
        let mut pc = self.pc;
        // Counting down keeps the budget out of the loop's registers.
        let fuel = self
            .config
            .fuel
            .map_or(until, |budget| budget.min(until))
            .saturating_sub(self.executed);
        let mut remaining = fuel;
        let profile = self.config.profile;
        let packet = self.memory.region(RegionKind::Packet).map(|r| r.base);
        self.memory.with_view(|memory| {
            loop {
                if remaining == 0 {
                    break;
                }
                let Some(op) = ops.get(pc) else { break };
                let dst = op.dst as usize & 15;
                let src = op.src as usize & 15;
                let imm = op.imm;
                macro_rules! alu64 {
                    ($op:ident) => {{
                        let Some(v) = alu::alu64(AluOp::$op, regs[dst], regs[src] | imm, profile)
                        else {
                            break;
                        };
                        regs[dst] = v;
                        pc += 1;
                    }};
                }
                macro_rules! alu32 {
                    ($op:ident) => {{
                        let Some(v) = alu::alu32(
                            AluOp::$op,
                            regs[dst] as u32,
                            (regs[src] | imm) as u32,
                            profile,
                        ) else {
                            break;
                        };
                        regs[dst] = u64::from(v);
                        pc += 1;
                    }};
                }
                macro_rules! jmp64 {
                    ($cond:ident) => {{
                        pc = if alu::cond64(Cond::$cond, regs[dst], regs[src] | imm) {
                            op.aux as usize
                        } else {
                            pc + 1
                        };
                    }};
                }
                macro_rules! jmp32 {
                    ($cond:ident) => {{
                        let taken =
                            alu::cond32(Cond::$cond, regs[dst] as u32, (regs[src] | imm) as u32);
                        pc = if taken { op.aux as usize } else { pc + 1 };
                    }};
                }
                macro_rules! load {
                    ($size:ident, $signed:expr) => {{
                        let addr = regs[src].wrapping_add(op.aux as i32 as i64 as u64);
                        let Some(raw) = memory.load(addr, Size::$size.bytes()) else {
                            break;
                        };
                        regs[dst] = if $signed {
                            sign_extend(raw, Size::$size)
                        } else {
                            raw
                        };
                        pc += 1;
                    }};
                }
                macro_rules! store {
                    ($size:ident) => {{
                        let addr = regs[dst].wrapping_add(op.aux as i32 as i64 as u64);
                        if !memory.store(addr, Size::$size.bytes(), regs[src] | imm) {
                            break;
                        }
                        pc += 1;
                    }};
                }
                macro_rules! packet {
                    ($size:ident) => {{
                        let off = (imm as u32).wrapping_add(regs[src] as u32) as i32;
                        let Some(addr) = packet.and_then(|base| packet_address(base, off)) else {
                            break;
                        };
                        let Some(raw) = memory.load(addr, Size::$size.bytes()) else {
                            break;
                        };
                        regs[0] = big_endian(raw, Size::$size);
                        pc += 1;
                    }};
                }
                match op.kind {
                    K::Alu => {
                        let (a, b) = (regs[dst], regs[src] | imm);
                        regs[dst] = alu::select(op.select, a, b, op.aux, op.mask);
                        pc += 1;
                    }
                    K::Div64 => alu64!(Div),
                    K::SDiv64 => alu64!(SDiv),
                    K::Mod64 => alu64!(Mod),
                    K::SMod64 => alu64!(SMod),
                    K::Div32 => alu32!(Div),
                    K::SDiv32 => alu32!(SDiv),
                    K::Mod32 => alu32!(Mod),
                    K::SMod32 => alu32!(SMod),
                    K::Lddw => {
                        regs[dst] = imm;
                        pc += 2;
                    }
                    K::LdxB => load!(B, false),
                    K::LdxH => load!(H, false),
                    K::LdxW => load!(W, false),
                    K::LdxDW => load!(DW, false),
                    K::LdxSB => load!(B, true),
                    K::LdxSH => load!(H, true),
                    K::LdxSW => load!(W, true),
                    K::StB => store!(B),
                    K::StH => store!(H),
                    K::StW => store!(W),
                    K::StDW => store!(DW),
                    K::PktB => packet!(B),
                    K::PktH => packet!(H),
                    K::PktW => packet!(W),
                    K::PktDW => packet!(DW),
                    K::Ja => pc = op.aux as usize,
                    K::Jeq64 => jmp64!(Eq),
                    K::Jgt64 => jmp64!(Gt),
                    K::Jge64 => jmp64!(Ge),
                    K::Jset64 => jmp64!(Set),
                    K::Jne64 => jmp64!(Ne),
                    K::Jsgt64 => jmp64!(Sgt),
                    K::Jsge64 => jmp64!(Sge),
                    K::Jlt64 => jmp64!(Lt),
                    K::Jle64 => jmp64!(Le),
                    K::Jslt64 => jmp64!(Slt),
                    K::Jsle64 => jmp64!(Sle),
                    K::Jeq32 => jmp32!(Eq),
                    K::Jgt32 => jmp32!(Gt),
                    K::Jge32 => jmp32!(Ge),
                    K::Jset32 => jmp32!(Set),
                    K::Jne32 => jmp32!(Ne),
                    K::Jsgt32 => jmp32!(Sgt),
                    K::Jsge32 => jmp32!(Sge),
                    K::Jlt32 => jmp32!(Lt),
                    K::Jle32 => jmp32!(Le),
                    K::Jslt32 => jmp32!(Slt),
                    K::Jsle32 => jmp32!(Sle),
                    K::Slow => break,
                }
                remaining -= 1;
            }
        });
        self.regs.copy_from_slice(&regs[..Reg::COUNT]);
        self.pc = pc;
        self.executed += fuel - remaining;
    }
}
