//! Memory: which accesses a body may take as in bounds (checked once at entry), the
//! regions cached at entry, the inline checks of every other access, loads, stores,
//! atomics and the packet loads of `LD_ABS`/`LD_IND`.

use super::{Emitter, L_A, L_ADDR, L_B, L_ENT, L_LIN, L_OFF, local, mem};
use crate::isa::{AtomicOp, CallKind, Insn, Program, Reg, Size};
use crate::jit::abi::{
    EarlyExitCode, PACKET_REGION_ADDR, REGION_COUNT_ADDR, REGION_ENTRY_SIZE, REGION_START,
    REGION_TABLE_ADDR,
};
use crate::jit::build::F_TRANSLATE;
use crate::linux::ctx::{MAC_HEADER, NETWORK_HEADER, SKF_LL_OFF, SKF_NET_OFF};
use wasm_encoder::{BlockType, InstructionSink, ValType};

/// A region cached at entry: its first guest address (i64 local `start`), its linear base
/// (i32 local `lin`) and, per access size (1, 2, 4, 8 bytes) and then per write, the
/// i64 locals `limit..limit + 8` holding `len - size + 1`, or 0 when no access of that
/// kind fits (or the region is read-only, for writes): an access at offset `d` from the
/// region's start is in bounds exactly when `d <u limit`.
///
/// When the register that points into it never changes during the run (see [`Span`]),
/// the i32 local `all_in` says whether every access through it is in bounds, and `base`
/// holds the linear address of the lowest byte those accesses touch.
#[derive(Clone, Copy)]
pub(in crate::jit) struct Cached {
    reg: Reg,
    start: u32,
    lin: u32,
    limit: u32,
    pub(in crate::jit) all_in: u32,
    base: u32,
}

/// The stack region, the one the initial r10 points into.
pub(in crate::jit) const STACK: Cached = Cached {
    reg: Reg::R10,
    start: 19,
    lin: 20,
    limit: 21,
    all_in: 39,
    base: 40,
};
/// The region the initial r1 points into (the input or context), if any.
pub(in crate::jit) const CTX: Cached = Cached {
    reg: Reg::R1,
    start: 29,
    lin: 30,
    limit: 31,
    all_in: 41,
    base: 42,
};

/// The byte offsets that every access through a register the program never changes
/// touches, relative to that register: checked once at entry instead of at each access.
#[derive(Clone, Copy, Debug)]
pub(in crate::jit) struct Span {
    /// The lowest offset accessed.
    low: i64,
    /// One past the highest byte accessed.
    end: i64,
    writes: bool,
}

impl Span {
    /// The accesses through `reg`, if the program never writes it (r10 only changes
    /// with local calls) and accesses memory through it at all.
    pub(in crate::jit) fn of(program: &Program, reg: Reg) -> Option<Span> {
        let local_call = |i: &Insn| {
            matches!(
                i,
                Insn::Call {
                    kind: CallKind::Local,
                    ..
                }
            )
        };
        if program
            .insns()
            .any(|(_, i)| i.writes(reg) || (reg == Reg::R10 && local_call(i)))
        {
            return None;
        }
        let mut span: Option<Span> = None;
        for (_, insn) in program.insns() {
            let (size, off, write) = match *insn {
                Insn::Load { size, src, off, .. } if src == reg => (size, off, false),
                Insn::Store { size, dst, off, .. }
                | Insn::StoreReg { size, dst, off, .. }
                | Insn::Atomic { size, dst, off, .. }
                    if dst == reg =>
                {
                    (size, off, true)
                }
                _ => continue,
            };
            let (low, end) = (i64::from(off), i64::from(off) + size.bytes() as i64);
            span = Some(match span {
                None => Span {
                    low,
                    end,
                    writes: write,
                },
                Some(s) => Span {
                    low: s.low.min(low),
                    end: s.end.max(end),
                    writes: s.writes || write,
                },
            });
        }
        span
    }
}

/// The spans of accesses a body of `run` takes as in bounds once checked at entry.
#[derive(Clone, Copy)]
pub(in crate::jit) struct Assumed {
    pub(in crate::jit) stack: Option<Span>,
    pub(in crate::jit) ctx: Option<Span>,
}

impl Assumed {
    pub(in crate::jit) const NOTHING: Assumed = Assumed {
        stack: None,
        ctx: None,
    };
}

/// From the guest address on the stack, leaves its region index `(addr >> 32) - 1`
/// (also in `L_ENT`) and the region count, to compare.
fn region_index_and_count(s: &mut InstructionSink<'_>) {
    s.i64_const(32)
        .i64_shr_u()
        .i32_wrap_i64()
        .i32_const(1)
        .i32_sub()
        .local_tee(L_ENT);
    s.i32_const(0).i32_load(mem(u64::from(REGION_COUNT_ADDR)));
}

impl Emitter<'_> {
    /// At entry: caches the region the i64 local `reg` points into in `c`'s locals. When
    /// it is in no region the limits stay 0 and accesses take the general path.
    pub(in crate::jit) fn cache_region(&mut self, c: Cached) {
        let span = if c.reg == Reg::R10 {
            self.assumed.stack
        } else {
            self.assumed.ctx
        };
        let reg = local(c.reg);
        let s = &mut self.s;
        s.local_get(reg);
        region_index_and_count(s);
        s.i32_lt_u();
        s.if_(BlockType::Empty);
        s.local_get(L_ENT).i32_const(4).i32_shl().local_set(L_ENT);
        s.local_get(reg)
            .i64_const(!0xffff_ffff)
            .i64_and()
            .i64_const(REGION_START)
            .i64_or();
        s.local_set(c.start);
        s.local_get(L_ENT)
            .i32_load(mem(u64::from(REGION_TABLE_ADDR)))
            .local_set(c.lin);
        // len, capped below 2^31 so that every offset the limits admit lies in the
        // region's own 4 GiB window (a longer region's far bytes take the general path).
        s.local_get(L_ENT)
            .i32_load(mem(u64::from(REGION_TABLE_ADDR + 4)))
            .i64_extend_i32_u()
            .local_tee(L_ADDR);
        s.i64_const(0x7fff_ffff)
            .local_get(L_ADDR)
            .i64_const(0x7fff_ffff)
            .i64_lt_u()
            .select()
            .local_set(L_ADDR);
        s.local_get(L_ENT)
            .i32_load(mem(u64::from(REGION_TABLE_ADDR + 8)))
            .local_set(L_OFF);
        for (k, n) in [1i64, 2, 4, 8].into_iter().enumerate() {
            let k = k as u32;
            // limit = len >= n ? len - n + 1 : 0; for writes, 0 unless writable.
            s.local_get(L_ADDR).i64_const(1 - n).i64_add().i64_const(0);
            s.local_get(L_ADDR)
                .i64_const(n)
                .i64_ge_u()
                .select()
                .local_tee(c.limit + k);
            s.i64_const(0)
                .local_get(L_OFF)
                .select()
                .local_set(c.limit + 4 + k);
        }
        if let Some(span) = span {
            // d = reg - start; all in iff 0 <= d + low, d + end <= len, and writable
            // if anything writes.
            s.local_get(reg).local_get(c.start).i64_sub().local_set(L_A);
            s.local_get(L_A)
                .i64_const(span.low)
                .i64_add()
                .i64_const(0)
                .i64_ge_s();
            s.local_get(L_A)
                .i64_const(span.end)
                .i64_add()
                .local_get(L_ADDR)
                .i64_le_s();
            s.i32_and();
            if span.writes {
                s.local_get(L_OFF).i32_const(0).i32_ne().i32_and();
            }
            s.local_set(c.all_in);
            s.local_get(c.lin)
                .local_get(L_A)
                .i64_const(span.low)
                .i64_add()
                .i32_wrap_i64()
                .i32_add();
            s.local_set(c.base);
        }
        s.end();
    }

    /// Leaves the linear address of a guest access in `L_LIN`, or faults exactly as the
    /// interpreter does.
    ///
    /// The checks are inline: r10-relative accesses compare against the stack region
    /// cached at entry, others look their region up in the table. Anything that fails a
    /// check goes to the out-of-line `translate`, which repeats the checks in the
    /// interpreter's order and reports the fault (or, for the rare access the inline
    /// checks are too strict for, returns the address).
    pub(super) fn translate(&mut self, pc: usize, base: Reg, off: i16, size: Size, write: bool) {
        let n = size.bytes() as u32;
        let fixed = match base {
            Reg::R10 => self.assumed.stack.map(|span| (STACK, span)),
            Reg::R1 => self.assumed.ctx.map(|span| (CTX, span)),
            _ => None,
        };
        let s = &mut self.s;
        // Every access through an unchanging r10 or r1 was checked at entry.
        if let Some((c, span)) = fixed {
            s.local_get(c.base)
                .i32_const((i64::from(off) - span.low) as i32)
                .i32_add()
                .local_set(L_LIN);
            return;
        }
        s.block(BlockType::Result(ValType::I32)); // $done
        s.block(BlockType::Empty); // $slow
        let cached = |s: &mut InstructionSink<'_>, c: Cached, fail: u32, done: u32| {
            // d = base + off - start; in bounds iff d <u limit.
            let limit = c.limit + n.trailing_zeros() + if write { 4 } else { 0 };
            s.local_get(local(base))
                .local_get(c.start)
                .i64_sub()
                .i64_const(i64::from(off))
                .i64_add();
            s.local_tee(L_ADDR).local_get(limit).i64_ge_u().br_if(fail);
            s.local_get(c.lin)
                .local_get(L_ADDR)
                .i32_wrap_i64()
                .i32_add()
                .br(done);
        };
        if base == Reg::R10 {
            cached(s, STACK, 0, 1);
        } else {
            // First the region r1 pointed into at entry, then the table.
            s.block(BlockType::Empty);
            cached(s, CTX, 0, 2);
            s.end();
            s.local_get(local(base))
                .i64_const(i64::from(off))
                .i64_add()
                .local_tee(L_ADDR);
            region_index_and_count(s);
            s.i32_ge_u().br_if(0);
            s.local_get(L_ENT).i32_const(4).i32_shl().local_set(L_ENT);
            // off = low 32 bits - 0x8000_0000: 0 <= off and off + n <= len.
            s.local_get(L_ADDR)
                .i32_wrap_i64()
                .i32_const(i32::MIN)
                .i32_xor()
                .local_tee(L_OFF);
            s.i32_const(0).i32_lt_s().br_if(0);
            s.local_get(L_OFF).i32_const(n as i32).i32_add();
            s.local_get(L_ENT)
                .i32_load(mem(u64::from(REGION_TABLE_ADDR + 4)))
                .i32_gt_u()
                .br_if(0);
            if write {
                s.local_get(L_ENT)
                    .i32_load(mem(u64::from(REGION_TABLE_ADDR + 8)))
                    .i32_eqz()
                    .br_if(0);
            }
            s.local_get(L_ENT)
                .i32_load(mem(u64::from(REGION_TABLE_ADDR)))
                .local_get(L_OFF)
                .i32_add()
                .br(1);
        }
        s.end();
        self.get(base);
        let s = &mut self.s;
        s.i64_const(i64::from(off)).i64_add();
        s.i32_const(n as i32)
            .i32_const(i32::from(write))
            .i32_const(pc as i32);
        s.call(F_TRANSLATE);
        s.end();
        s.local_set(L_LIN);
    }

    pub(super) fn load(&mut self, size: Size, signed: bool) {
        self.s.local_get(L_LIN);
        match (size, signed) {
            (Size::B, false) => self.s.i64_load8_u(mem(0)),
            (Size::B, true) => self.s.i64_load8_s(mem(0)),
            (Size::H, false) => self.s.i64_load16_u(mem(0)),
            (Size::H, true) => self.s.i64_load16_s(mem(0)),
            (Size::W, false) => self.s.i64_load32_u(mem(0)),
            (Size::W, true) => self.s.i64_load32_s(mem(0)),
            (Size::DW, _) => self.s.i64_load(mem(0)),
        };
    }

    /// Stores the i64 in `L_A` at `L_LIN`.
    pub(super) fn store(&mut self, size: Size) {
        self.s.local_get(L_LIN).local_get(L_A);
        match size {
            Size::B => self.s.i64_store8(mem(0)),
            Size::H => self.s.i64_store16(mem(0)),
            Size::W => self.s.i64_store32(mem(0)),
            Size::DW => self.s.i64_store(mem(0)),
        };
    }

    /// `LD_ABS` / `LD_IND`: big-endian from the packet region into r0; out of bounds
    /// (or no packet) ends the program with r0 = 0.
    pub(super) fn load_packet(&mut self, pc: usize, size: Size, index: Option<Reg>, imm: i32) {
        let n = size.bytes() as i64;
        // off = (imm as u32 + index as u32) as i32, sign-extended into L_A.
        self.s.i32_const(imm);
        if let Some(r) = index {
            self.get(r);
            self.s.i32_wrap_i64().i32_add();
        }
        self.s.i64_extend_i32_s().local_set(L_A);
        self.packet_load_start();
        // L_LIN = packet region index + 1 (0: none).
        self.s
            .i32_const(0)
            .i32_load(mem(u64::from(PACKET_REGION_ADDR)))
            .local_set(L_LIN);
        // Out: below SKF_LL_OFF, no packet, or start + n > len.
        self.s.local_get(L_A).i64_const(0).i64_lt_s();
        self.s.local_get(L_LIN).i32_eqz().i32_or();
        self.s.if_(BlockType::Result(ValType::I32));
        self.s.i32_const(1);
        self.s.else_();
        self.s.local_get(L_A).i64_const(n).i64_add();
        self.packet_entry();
        self.s.i32_load(mem(4)).i64_extend_i32_u().i64_gt_u();
        self.s.end();
        self.open_if();
        self.early_exit(pc, EarlyExitCode::PacketOutOfBounds);
        self.close();
        self.packet_entry();
        self.s
            .i32_load(mem(0))
            .local_get(L_A)
            .i32_wrap_i64()
            .i32_add()
            .local_set(L_LIN);
        self.load(size, false);
        if n > 1 {
            self.bswap();
            self.s.i64_const(64 - 8 * n).i64_shr_u();
        }
        self.s.local_set(local(Reg::R0));
    }

    /// Maps the offset in `L_A` to the packet byte it starts at, as
    /// [`crate::linux::ctx::packet_load_start`] does (negative offsets reach the network and MAC headers),
    /// or to -1 below `SKF_LL_OFF`.
    fn packet_load_start(&mut self) {
        self.s.local_get(L_A).i64_const(0).i64_lt_s();
        self.s.if_(BlockType::Empty);
        self.s
            .local_get(L_A)
            .i64_const(SKF_NET_OFF.into())
            .i64_ge_s();
        self.s.if_(BlockType::Result(ValType::I64));
        self.s
            .local_get(L_A)
            .i64_const(i64::from(NETWORK_HEADER) - i64::from(SKF_NET_OFF))
            .i64_add();
        self.s.else_();
        self.s
            .local_get(L_A)
            .i64_const(SKF_LL_OFF.into())
            .i64_ge_s();
        self.s.if_(BlockType::Result(ValType::I64));
        self.s
            .local_get(L_A)
            .i64_const(i64::from(MAC_HEADER) - i64::from(SKF_LL_OFF))
            .i64_add();
        self.s.else_();
        self.s.i64_const(-1);
        self.s.end();
        self.s.end();
        self.s.local_set(L_A);
        self.s.end();
    }

    /// Pushes the linear address of the packet's region-table entry (L_LIN = index + 1).
    pub(super) fn packet_entry(&mut self) {
        self.s.local_get(L_LIN).i32_const(1).i32_sub();
        self.s
            .i32_const(REGION_ENTRY_SIZE as i32)
            .i32_mul()
            .i32_const(REGION_TABLE_ADDR as i32)
            .i32_add();
    }

    pub(super) fn atomic(
        &mut self,
        pc: usize,
        size: Size,
        op: AtomicOp,
        dst: Reg,
        src: Reg,
        off: i16,
    ) {
        use AtomicOp as A;
        self.translate(pc, dst, off, size, true);
        let mask: i64 = if size == Size::W { 0xffff_ffff } else { -1 };
        // L_B = old value (zero-extended), L_A = new value.
        self.load(size, false);
        self.s.local_set(L_B);
        let fetch = op.fetches();
        match op {
            A::Add | A::FetchAdd => {
                self.s.local_get(L_B);
                self.get(src);
                self.s.i64_add();
            }
            A::Or | A::FetchOr => {
                self.s.local_get(L_B);
                self.get(src);
                self.s.i64_or();
            }
            A::And | A::FetchAnd => {
                self.s.local_get(L_B);
                self.get(src);
                self.s.i64_and();
            }
            A::Xor | A::FetchXor => {
                self.s.local_get(L_B);
                self.get(src);
                self.s.i64_xor();
            }
            A::Xchg => self.get(src),
            A::CmpXchg => {
                self.get(src);
                self.s.local_get(L_B);
                self.s.local_get(L_B);
                self.get(Reg::R0);
                self.s.i64_const(mask).i64_and().i64_eq().select();
            }
        }
        self.s.local_set(L_A);
        self.store(size);
        if fetch {
            self.s.local_get(L_B);
            self.set(pc, if op == A::CmpXchg { Reg::R0 } else { src });
        }
    }
}
