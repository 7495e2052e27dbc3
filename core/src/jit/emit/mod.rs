//! The emitters: one [`Emitter`] writes the body of `run` instruction by instruction;
//! the instruction classes live beside this file (`alu`: arithmetic, byte swaps;
//! `memory`: region checks, loads, stores, atomics, packet loads; `control`: jumps,
//! branches, calls and exit).

mod alu;
mod control;
mod memory;

pub(super) use memory::{Assumed, CTX, STACK, Span};

use super::abi::{EarlyExitCode, FaultCode};
use super::build::{F_EARLY_EXIT, F_FAULT};
use crate::isa::{ByteOrder, CallKind, Insn, Program, Reg, Slot, Source, Width};
use crate::prelude::*;
use wasm_encoder::{BlockType, InstructionSink, MemArg, MemArgTarget};

// Locals of `run`: params r1, r2; then r0, r3..r10; then scratch.
pub(super) const L_A: u32 = 11;
pub(super) const L_B: u32 = 12;
pub(super) const L_NEXT: u32 = 13;
pub(super) const L_LIN: u32 = 14;
/// Local-call depth (0 in the entry frame).
pub(super) const L_DEPTH: u32 = 15;
/// The guest address of the access being translated (i64).
pub(super) const L_ADDR: u32 = 16;
/// The region-table entry's offset from [`REGION_TABLE_ADDR`] (i32).
pub(super) const L_ENT: u32 = 17;
/// The access's offset inside its region (i32).
pub(super) const L_OFF: u32 = 18;

pub(super) fn local(reg: Reg) -> u32 {
    register_local(reg.number())
}

/// The local of register `n` (r1 and r2 come first, as they were `run`'s parameters).
pub(super) fn register_local(n: u8) -> u32 {
    match n {
        0 => 2,
        1 => 0,
        2 => 1,
        n => u32::from(n),
    }
}

pub(super) fn mem(offset: u64) -> MemArg {
    MemArg {
        offset,
        align: 0,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

pub(super) struct Emitter<'a> {
    pub(super) s: InstructionSink<'a>,
    /// Structured constructs open inside the current block's code.
    pub(super) nest: u32,
    pub(super) blocks: u32,
    /// The basic block being emitted.
    pub(super) block: u32,
    pub(super) block_of: Vec<u32>,
    pub(super) program: &'a Program,
    pub(super) config: crate::vm::Config,
    /// Whether the program has local calls (so `exit` may return to a caller).
    pub(super) has_calls: bool,
    /// The accesses through r10 and r1 this body takes as in bounds.
    pub(super) assumed: Assumed,
}

impl Emitter<'_> {
    /// Reports a fault and traps; `detail` is what the host needs to rebuild the
    /// interpreter's fault (see [`host`]): a jump's target, or 0.
    pub(super) fn fault(&mut self, pc: usize, code: FaultCode, detail: i64) {
        self.s
            .i32_const(pc as i32)
            .i32_const(code as i32)
            .i64_const(detail)
            .call(F_FAULT)
            .unreachable();
    }

    fn early_exit(&mut self, pc: usize, code: EarlyExitCode) {
        self.s
            .i32_const(pc as i32)
            .i32_const(code as i32)
            .call(F_EARLY_EXIT)
            .i64_const(0)
            .return_();
    }

    fn open_if(&mut self) {
        self.s.if_(BlockType::Empty);
        self.nest += 1;
    }

    fn open_if_else(&mut self) {
        self.s.else_();
    }

    fn close(&mut self) {
        self.s.end();
        self.nest -= 1;
    }

    /// Transfers control to slot `pc + 1 + off`, or faults as the interpreter does.
    fn jump(&mut self, pc: usize, off: i64) {
        let target = pc as i64 + 1 + off;
        let t = match usize::try_from(target) {
            Ok(t) if t < self.program.len() => t,
            _ => return self.fault(pc, FaultCode::JumpOutOfRange, target),
        };
        if matches!(self.program.slots()[t], Slot::Imm64Tail) {
            return self.fault(pc, FaultCode::JumpIntoImm64, target);
        }
        let j = self.block_of[t];
        if j > self.block {
            self.s.br(j - 1 - self.block + self.nest);
        } else {
            self.s.i32_const(j as i32).local_set(L_NEXT);
            self.s.br(self.blocks - 1 - self.block + self.nest);
        }
    }

    /// Pops the i64 on the stack into `reg`, faulting on r10 as the interpreter does.
    fn set(&mut self, pc: usize, reg: Reg) {
        if reg == Reg::R10 {
            self.s.drop();
            self.fault(pc, FaultCode::WriteToR10, 0);
        } else {
            self.s.local_set(local(reg));
        }
    }

    fn get(&mut self, reg: Reg) {
        self.s.local_get(local(reg));
    }

    fn operand(&mut self, src: Source) {
        match src {
            Source::Reg(r) => self.get(r),
            Source::Imm(i) => {
                self.s.i64_const(i64::from(i));
            }
        }
    }

    pub(super) fn insn(&mut self, pc: usize, insn: &Insn) {
        match *insn {
            Insn::Alu {
                width,
                op,
                dst,
                src,
            } => {
                self.get(dst);
                self.s.local_set(L_A);
                self.operand(src);
                self.s.local_set(L_B);
                match width {
                    Width::W64 => self.alu64(pc, op),
                    Width::W32 => self.alu32(pc, op),
                }
                self.set(pc, dst);
            }
            Insn::Neg { width, dst } => {
                match width {
                    Width::W64 => {
                        self.s.i64_const(0);
                        self.get(dst);
                        self.s.i64_sub();
                    }
                    Width::W32 => {
                        self.s.i32_const(0);
                        self.get(dst);
                        self.s.i32_wrap_i64().i32_sub().i64_extend_i32_u();
                    }
                }
                self.set(pc, dst);
            }
            Insn::Endian { order, bits, dst } => {
                self.get(dst);
                let swap = order != ByteOrder::Le;
                match (bits, swap) {
                    (16, false) => {
                        self.s.i64_const(0xffff).i64_and();
                    }
                    (32, false) => {
                        self.s.i64_const(0xffff_ffff).i64_and();
                    }
                    (16, true) => {
                        self.bswap();
                        self.s.i64_const(48).i64_shr_u();
                    }
                    (32, true) => {
                        self.bswap();
                        self.s.i64_const(32).i64_shr_u();
                    }
                    (_, false) => {}
                    (_, true) => self.bswap(),
                }
                self.set(pc, dst);
            }
            Insn::LoadImm64 { dst, imm, .. } => {
                self.s.i64_const(imm as i64);
                self.set(pc, dst);
            }
            Insn::LoadPacket { size, index, imm } => self.load_packet(pc, size, index, imm),
            Insn::Load {
                size,
                signed,
                dst,
                src,
                off,
            } => {
                self.translate(pc, src, off, size, false);
                self.load(size, signed);
                self.set(pc, dst);
            }
            Insn::Store {
                size,
                dst,
                off,
                imm,
            } => {
                self.translate(pc, dst, off, size, true);
                self.s.i64_const(i64::from(imm)).local_set(L_A);
                self.store(size);
            }
            Insn::StoreReg {
                size,
                dst,
                src,
                off,
            } => {
                self.translate(pc, dst, off, size, true);
                self.get(src);
                self.s.local_set(L_A);
                self.store(size);
            }
            Insn::Atomic {
                size,
                op,
                dst,
                src,
                off,
            } => self.atomic(pc, size, op, dst, src, off),
            Insn::Ja { off } => self.jump(pc, off.into()),
            Insn::JaLong { off } => self.jump(pc, off.into()),
            Insn::Branch {
                width,
                cond,
                dst,
                src,
                off,
            } => {
                self.get(dst);
                if width == Width::W32 {
                    self.s.i32_wrap_i64();
                }
                self.operand(src);
                if width == Width::W32 {
                    self.s.i32_wrap_i64();
                }
                self.cond(width, cond);
                self.open_if();
                self.jump(pc, off.into());
                self.close();
            }
            Insn::Call {
                kind: CallKind::Helper,
                imm,
            } => {
                self.s.i32_const(pc as i32).i32_const(imm);
                self.call_helper();
            }
            Insn::Call {
                kind: CallKind::Local,
                imm,
            } => self.local_call(pc, imm),
            Insn::Call {
                kind: CallKind::Kfunc,
                ..
            } => self.fault(pc, FaultCode::UnsupportedCall, 0),
            Insn::CallReg { reg } => {
                // The id must fit an i32, as the interpreter's `i32::try_from` requires.
                self.get(reg);
                self.get(reg);
                self.s.i32_wrap_i64().i64_extend_i32_s().i64_ne();
                self.open_if();
                self.s
                    .i32_const(pc as i32)
                    .i32_const(FaultCode::UnknownHelper as i32);
                self.get(reg);
                self.s.call(F_FAULT).unreachable();
                self.close();
                self.s.i32_const(pc as i32);
                self.get(reg);
                self.s.i32_wrap_i64();
                self.call_helper();
            }
            Insn::Exit => self.exit(),
        }
    }
}
