//! Control flow: jumps and branches between basic blocks, local calls and their frames,
//! helper calls and `exit`.

use super::{Emitter, L_A, L_DEPTH, L_LIN, L_NEXT, local, mem, register_local};
use crate::isa::{Cond, Reg, Width};
use crate::jit::abi::{FRAME_SIZE, FRAMES_ADDR, FaultCode, HelperStatus, REGS_ADDR, STATUS_ADDR};
use crate::jit::build::{F_HELPER, valid_target};

impl Emitter<'_> {
    /// A local call: checks the target and the depth as the interpreter does, saves
    /// r6..r9, r10 and the return block, gives the callee its own stack frame, and jumps.
    pub(super) fn local_call(&mut self, pc: usize, imm: i32) {
        if valid_target(self.program, pc, imm.into()).is_none() {
            return self.jump(pc, imm.into());
        }
        // The interpreter's check: frames.len() + 1 >= max_frames.
        self.s
            .local_get(L_DEPTH)
            .i32_const(1)
            .i32_add()
            .i32_const(self.config.max_frames as i32)
            .i32_ge_u();
        self.open_if();
        self.fault(pc, FaultCode::CallDepthExceeded, 0);
        self.close();
        self.frame_addr();
        self.s
            .i64_const(i64::from(self.block_of[pc + 1]))
            .i64_store(mem(0));
        for (i, r) in [6u8, 7, 8, 9, 10].into_iter().enumerate() {
            self.frame_addr();
            self.s.local_get(r.into()).i64_store(mem(8 + 8 * i as u64));
        }
        self.s
            .local_get(L_DEPTH)
            .i32_const(1)
            .i32_add()
            .local_set(L_DEPTH);
        self.get(Reg::R10);
        self.s
            .i64_const(self.config.stack_size as i64)
            .i64_sub()
            .local_set(local(Reg::R10));
        self.jump(pc, imm.into());
    }

    /// Pushes the linear address of the frame at the current depth.
    pub(super) fn frame_addr(&mut self) {
        self.s
            .local_get(L_DEPTH)
            .i32_const(FRAME_SIZE as i32)
            .i32_mul()
            .i32_const(FRAMES_ADDR as i32)
            .i32_add();
    }

    /// `exit`: return r0 from the entry frame, otherwise restore the caller and go back.
    pub(super) fn exit(&mut self) {
        if self.has_calls {
            self.s.local_get(L_DEPTH).i32_eqz();
            self.open_if();
            self.get(Reg::R0);
            self.s.return_();
            self.close();
            self.s
                .local_get(L_DEPTH)
                .i32_const(1)
                .i32_sub()
                .local_set(L_DEPTH);
            for (i, r) in [6u8, 7, 8, 9, 10].into_iter().enumerate() {
                self.frame_addr();
                self.s.i64_load(mem(8 + 8 * i as u64)).local_set(r.into());
            }
            self.frame_addr();
            self.s.i64_load(mem(0)).i32_wrap_i64().local_set(L_NEXT);
            self.s.br(self.blocks - 1 - self.block + self.nest);
        } else {
            self.get(Reg::R0);
            self.s.return_();
        }
    }

    /// Calls `env.helper` with the pc and id on the stack and r1..r5, then applies the
    /// status.
    pub(super) fn call_helper(&mut self) {
        self.s
            .i32_const(STATUS_ADDR as i32)
            .i32_const(HelperStatus::Value as i32)
            .i32_store(mem(0));
        for r in 1..=5 {
            self.s.local_get(local(Reg::new(r).unwrap_or(Reg::R0)));
        }
        self.s.call(F_HELPER).local_set(L_A);
        self.s
            .i32_const(STATUS_ADDR as i32)
            .i32_load(mem(0))
            .local_set(L_LIN);
        // Value: r0 = result. Stop: return result. Void: nothing.
        self.s
            .local_get(L_LIN)
            .i32_const(HelperStatus::Stop as i32)
            .i32_eq();
        self.open_if();
        self.s.local_get(L_A).return_();
        self.close();
        self.s
            .local_get(L_LIN)
            .i32_const(HelperStatus::TailCall as i32)
            .i32_eq();
        self.open_if();
        for r in 0..Reg::COUNT as u8 {
            self.s.i32_const(0).local_get(register_local(r));
            self.s
                .i64_store(mem(u64::from(REGS_ADDR + 8 * u32::from(r))));
        }
        self.get(Reg::R0);
        self.s.return_();
        self.close();
        self.s
            .local_get(L_LIN)
            .i32_const(HelperStatus::Value as i32)
            .i32_eq();
        self.open_if();
        self.s.local_get(L_A).local_set(local(Reg::R0));
        self.close();
    }

    /// Leaves the i32 condition of comparing the two operands on the stack.
    pub(super) fn cond(&mut self, width: Width, cond: Cond) {
        let s = &mut self.s;
        match width {
            Width::W64 => match cond {
                Cond::Eq => s.i64_eq(),
                Cond::Ne => s.i64_ne(),
                Cond::Gt => s.i64_gt_u(),
                Cond::Ge => s.i64_ge_u(),
                Cond::Lt => s.i64_lt_u(),
                Cond::Le => s.i64_le_u(),
                Cond::Set => s.i64_and().i64_const(0).i64_ne(),
                Cond::Sgt => s.i64_gt_s(),
                Cond::Sge => s.i64_ge_s(),
                Cond::Slt => s.i64_lt_s(),
                Cond::Sle => s.i64_le_s(),
            },
            Width::W32 => match cond {
                Cond::Eq => s.i32_eq(),
                Cond::Ne => s.i32_ne(),
                Cond::Gt => s.i32_gt_u(),
                Cond::Ge => s.i32_ge_u(),
                Cond::Lt => s.i32_lt_u(),
                Cond::Le => s.i32_le_u(),
                Cond::Set => s.i32_and().i32_const(0).i32_ne(),
                Cond::Sgt => s.i32_gt_s(),
                Cond::Sge => s.i32_ge_s(),
                Cond::Slt => s.i32_lt_s(),
                Cond::Sle => s.i32_le_s(),
            },
        };
    }
}
