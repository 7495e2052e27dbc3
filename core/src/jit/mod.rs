//! An eBPF → WebAssembly JIT: [`compile`] turns a [`Program`] into a WebAssembly module
//! (binary) with the interpreter's semantics, and [`host::JitRun`] is what any engine
//! that runs such a module needs on its side: the memory image, helper calls through
//! the same [`crate::vm::Helpers`] as the interpreter (the emulated kernel's included),
//! tail calls, and the run's end as the interpreter's [`crate::vm::State`].
//!
//! The interpreter ([`crate::vm`]) stays the engine for stepping, undo, fuel and
//! breakpoints; the JIT has no fuel, so a program that loops forever runs forever (the
//! host must bound it, e.g. with its engine's own fuel, or run only programs the
//! interpreter saw end, as the playground does).
//!
//! # The module's interface
//!
//! | import / export | signature | meaning |
//! |---|---|---|
//! | import `env.memory` | memory, ≥ 1 page | the image [`host::JitRun`] lays out: header, registers, region table, region bytes |
//! | import `env.helper` | `(pc: i32, id: i32, r1..r5: i64) -> i64` | a helper call; the host writes a [`HelperStatus`] at [`STATUS_ADDR`] |
//! | import `env.fault` | `(pc: i32, kind: i32, detail: i64)` | the program faulted ([`FaultCode`]; `detail` is the guest address, the jump target or the helper id); the module then traps (`unreachable`) |
//! | import `env.early_exit` | `(pc: i32, kind: i32)` | Linux 4.4 ends the program with r0 = 0 ([`EarlyExitCode`]); `run` then returns 0 |
//! | export `run` | `() -> i64` | runs the program from the registers at [`REGS_ADDR`] and returns r0 |
//!
//! A helper that fails should record its fault and trap (return an error / throw).
//!
//! # Guest memory
//!
//! Guest addresses are the interpreter's ([`crate::vm::memory`]): region `i` starts at
//! `((i + 1) << 32) + 0x8000_0000`. Every load, store and atomic translates its address
//! against the region table in linear memory and calls `env.fault` when the access is
//! unmapped, out of bounds or a write to a read-only region, exactly where the
//! interpreter faults.
//!
//! A register the program never writes (r10 without local calls, and often r1) points
//! at the same place for the whole run, so `run` checks all the accesses through it
//! once at entry, as one span of offsets; if they are all in bounds, those accesses are
//! plain loads and stores with no check, and otherwise `run` hands over to a second,
//! fully checked body of the same program. Keeping checks and calls off that path is
//! what lets the engine keep the eBPF registers in machine registers (alu_mem: 0.22 →
//! 0.15 ns per instruction in V8, machine code 15.9 → 3.5 KB; see BENCHMARKS.md).
//!
//! Every other check is inline, with no call on the common path. At entry `run` caches the
//! stack region (the one the initial r10 points into): its first guest address, its
//! linear base and, per access size and direction, a limit, so that an r10-relative
//! access is one subtraction and one unsigned compare. The region the initial r1 points
//! into (the input or context) is cached the same way and tried first for every other
//! base register; failing that, the access looks its region up in the table inline
//! (index compare, two offset compares, the writable flag for writes). An access that
//! fails an inline check calls the internal `translate` function, which repeats the
//! checks in the interpreter's order and calls `env.fault`; the inline checks never
//! admit an access `translate` would refuse. The region count and every other table
//! entry are read from linear memory at each access, so a helper may append regions (a
//! map value) or resize one (the packet, by a VLAN push); the two cached regions' entries
//! must not change during a run.
//!
//! Local (bpf-to-bpf) calls save the caller's r6..r10 and return block in a frame area
//! of linear memory ([`FRAMES_ADDR`]), with the interpreter's frame limit. A tail call
//! returns from `run` (saving the registers), so the host can run the next program's
//! module; Linux 4.4 has no local calls, and a tail call from inside one continues in
//! the next program's entry frame.

pub mod host;

use crate::isa::{
    AluOp, AtomicOp, ByteOrder, CallKind, Cond, Insn, Profile, ProfileError, Program, Reg, Size,
    Slot, Source, Width,
};
use crate::prelude::*;
use core::fmt;
use wasm_encoder::{
    BlockType, CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
    ImportSection, InstructionSink, MemArg, MemArgTarget, MemoryType, Module, TypeSection, ValType,
};

/// Linear address of the helper status word (i32, written by the host's `env.helper`).
pub const STATUS_ADDR: u32 = 0;
/// Linear address of the number of regions (i32).
pub const REGION_COUNT_ADDR: u32 = 4;
/// Linear address of the index + 1 of the packet region, 0 when there is none (i32).
pub const PACKET_REGION_ADDR: u32 = 8;
/// Linear address of r0..r10 (eleven i64): `run` starts from them, and a tail call
/// leaves the registers there for the next program's `run`.
pub const REGS_ADDR: u32 = 16;
/// Linear address of the region table: per region, linear base, length and writable
/// (three little-endian u32) and 4 bytes of padding.
pub const REGION_TABLE_ADDR: u32 = 128;
/// Bytes per region-table entry.
pub const REGION_ENTRY_SIZE: u32 = 16;
/// Regions the table has room for.
pub const MAX_REGIONS: u32 = 64;
/// Linear address of the saved frames of local calls (written and read only by the
/// module): per frame, the return block, r6..r9 and r10 (six i64).
pub const FRAMES_ADDR: u32 = REGION_TABLE_ADDR + REGION_ENTRY_SIZE * MAX_REGIONS;
/// Bytes per saved frame.
pub const FRAME_SIZE: u32 = 48;
/// Frames (including the entry frame) the JIT supports; the profiles' limit is at most this.
pub const MAX_FRAMES: u32 = 8;
/// Where region bytes start in linear memory.
pub const DATA_ADDR: u32 = FRAMES_ADDR + FRAME_SIZE * MAX_FRAMES;

/// Guest offset of a region's first byte inside its 4 GiB window (the interpreter's).
const REGION_START: i64 = crate::vm::memory::REGION_START as i64;

/// What the host's `env.helper` writes at [`STATUS_ADDR`] before returning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum HelperStatus {
    /// r0 = the returned value; go on.
    Value = 0,
    /// r0 unchanged (a void helper); go on.
    Void = 1,
    /// End the program with r0 = the returned value (the conformance unwind helper).
    Stop = 2,
    /// A successful tail call: `run` saves r0..r10 at [`REGS_ADDR`] and returns, and the
    /// host runs the next program's module on the same linear memory.
    TailCall = 3,
}

/// Fault kinds passed to `env.fault`, mirroring [`crate::vm::FaultKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum FaultCode {
    /// Access to an address in no region (includes NULL).
    Unmapped = 1,
    /// Access past either end of its region.
    OutOfBounds = 2,
    /// Write to a read-only region.
    ReadOnly = 3,
    /// `callx` with a register that does not hold an i32 helper id.
    UnknownHelper = 4,
    /// r10 is read-only.
    WriteToR10 = 5,
    /// A jump outside the program.
    JumpOutOfRange = 6,
    /// A jump to the second slot of an `lddw`.
    JumpIntoImm64 = 7,
    /// Ran past the last instruction (reported at pc = program length).
    FellOffEnd = 8,
    /// A kfunc call, which this emulator does not implement.
    UnsupportedCall = 9,
    /// Local calls nested deeper than the profile's frame limit.
    CallDepthExceeded = 10,
}

impl FaultCode {
    pub const ALL: [FaultCode; 10] = [
        FaultCode::Unmapped,
        FaultCode::OutOfBounds,
        FaultCode::ReadOnly,
        FaultCode::UnknownHelper,
        FaultCode::WriteToR10,
        FaultCode::JumpOutOfRange,
        FaultCode::JumpIntoImm64,
        FaultCode::FellOffEnd,
        FaultCode::UnsupportedCall,
        FaultCode::CallDepthExceeded,
    ];

    pub fn from_i32(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| *c as i32 == code)
    }
}

/// Early-exit kinds passed to `env.early_exit`, mirroring [`crate::vm::EarlyExit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum EarlyExitCode {
    DivisionByZero = 1,
    PacketOutOfBounds = 2,
}

/// Why a program could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JitError {
    /// The program uses an instruction the profile does not include.
    Profile(ProfileError),
    /// The profile allows more nested local calls than the JIT's frame area holds.
    TooManyFrames { frames: usize },
}

impl fmt::Display for JitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JitError::Profile(e) => write!(f, "{e}"),
            JitError::TooManyFrames { frames } => {
                write!(
                    f,
                    "the profile allows {frames} frames but the JIT holds {MAX_FRAMES}"
                )
            }
        }
    }
}

impl core::error::Error for JitError {}

// Function indices: imports first, then the module's own functions.
const F_HELPER: u32 = 0;
const F_FAULT: u32 = 1;
const F_EARLY_EXIT: u32 = 2;
const F_TRANSLATE: u32 = 3;
const F_RUN: u32 = 4;
/// `run` with every access checked, which `run` calls when the checks it made once at
/// entry fail (present only when `run` makes such checks).
const F_CHECKED: u32 = 5;

// Locals of `run`: params r1, r2; then r0, r3..r10; then scratch.
const L_A: u32 = 11;
const L_B: u32 = 12;
const L_NEXT: u32 = 13;
const L_LIN: u32 = 14;
/// Local-call depth (0 in the entry frame).
const L_DEPTH: u32 = 15;
/// The guest address of the access being translated (i64).
const L_ADDR: u32 = 16;
/// The region-table entry's offset from [`REGION_TABLE_ADDR`] (i32).
const L_ENT: u32 = 17;
/// The access's offset inside its region (i32).
const L_OFF: u32 = 18;
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
struct Cached {
    reg: Reg,
    start: u32,
    lin: u32,
    limit: u32,
    all_in: u32,
    base: u32,
}

/// The stack region, the one the initial r10 points into.
const STACK: Cached = Cached {
    reg: Reg::R10,
    start: 19,
    lin: 20,
    limit: 21,
    all_in: 39,
    base: 40,
};
/// The region the initial r1 points into (the input or context), if any.
const CTX: Cached = Cached {
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
struct Span {
    /// The lowest offset accessed.
    low: i64,
    /// One past the highest byte accessed.
    end: i64,
    writes: bool,
}

impl Span {
    /// The accesses through `reg`, if the program never writes it (r10 only changes
    /// with local calls) and accesses memory through it at all.
    fn of(program: &Program, reg: Reg) -> Option<Span> {
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

fn local(reg: Reg) -> u32 {
    register_local(reg.number())
}

/// The local of register `n` (r1 and r2 come first, as they were `run`'s parameters).
fn register_local(n: u8) -> u32 {
    match n {
        0 => 2,
        1 => 0,
        2 => 1,
        n => u32::from(n),
    }
}

fn mem(offset: u64) -> MemArg {
    MemArg {
        offset,
        align: 0,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// Compiles a program into a WebAssembly module (see the module documentation).
///
/// # Errors
/// The program uses an instruction outside `profile`, or a local call.
pub fn compile(program: &Program, profile: Profile) -> Result<Vec<u8>, JitError> {
    program.check_profile(profile).map_err(JitError::Profile)?;
    let config = crate::vm::Config::for_profile(profile);
    if config.max_frames > MAX_FRAMES as usize {
        return Err(JitError::TooManyFrames {
            frames: config.max_frames,
        });
    }

    let mut types = TypeSection::new();
    let helper_params = [
        ValType::I32,
        ValType::I32,
        ValType::I64,
        ValType::I64,
        ValType::I64,
        ValType::I64,
        ValType::I64,
    ];
    types.ty().function(helper_params, [ValType::I64]); // 0 helper
    types.ty().function([ValType::I32, ValType::I32], []); // 1 early_exit
    types.ty().function(
        [ValType::I64, ValType::I32, ValType::I32, ValType::I32],
        [ValType::I32],
    ); // 2 translate
    types.ty().function([], [ValType::I64]); // 3 run
    types
        .ty()
        .function([ValType::I32, ValType::I32, ValType::I64], []); // 4 fault

    let mut imports = ImportSection::new();
    let memory = MemoryType {
        minimum: 1,
        maximum: None,
        memory64: false,
        shared: false,
        page_size_log2: None,
    };
    imports.import("env", "memory", EntityType::Memory(memory));
    imports.import("env", "helper", EntityType::Function(0));
    imports.import("env", "fault", EntityType::Function(4));
    imports.import("env", "early_exit", EntityType::Function(1));

    let assumed = Assumed {
        stack: Span::of(program, Reg::R10),
        ctx: Span::of(program, Reg::R1),
    };
    let two_bodies = assumed.stack.is_some() || assumed.ctx.is_some();
    let mut functions = FunctionSection::new();
    functions.function(2).function(3);
    if two_bodies {
        functions.function(3);
    }

    let mut exports = ExportSection::new();
    exports.export("run", ExportKind::Func, F_RUN);

    let mut code = CodeSection::new();
    code.function(&translate_function());
    code.function(&run_function(program, config, assumed));
    if two_bodies {
        code.function(&run_function(program, config, Assumed::NOTHING));
    }

    let mut module = Module::new();
    module
        .section(&types)
        .section(&imports)
        .section(&functions)
        .section(&exports)
        .section(&code);
    Ok(module.finish())
}

/// `translate(addr: i64, size: i32, write: i32, pc: i32) -> i32`: the linear address of
/// a guest access, or `env.fault` and a trap.
fn translate_function() -> Function {
    // Locals: 0 addr, 1 size, 2 write, 3 pc; 4 entry (i32), 5 off (i64).
    let mut f = Function::new([(1, ValType::I32), (1, ValType::I64)]);
    let mut s = f.instructions();
    let fail = |s: &mut InstructionSink<'_>, code: FaultCode| {
        s.local_get(3)
            .i32_const(code as i32)
            .local_get(0)
            .call(F_FAULT)
            .unreachable();
    };
    // index = (addr >> 32) - 1, unsigned-compared with the region count.
    s.local_get(0)
        .i64_const(32)
        .i64_shr_u()
        .i64_const(1)
        .i64_sub();
    s.i32_const(0)
        .i32_load(mem(u64::from(REGION_COUNT_ADDR)))
        .i64_extend_i32_u();
    s.i64_ge_u().if_(BlockType::Empty);
    fail(&mut s, FaultCode::Unmapped);
    s.end();
    s.local_get(0)
        .i64_const(32)
        .i64_shr_u()
        .i32_wrap_i64()
        .i32_const(1)
        .i32_sub();
    s.i32_const(REGION_ENTRY_SIZE as i32)
        .i32_mul()
        .i32_const(REGION_TABLE_ADDR as i32)
        .i32_add()
        .local_set(4);
    // off = (addr & 0xffff_ffff) - 0x8000_0000, signed.
    s.local_get(0)
        .i64_const(0xffff_ffff)
        .i64_and()
        .i64_const(REGION_START)
        .i64_sub()
        .local_tee(5);
    s.i64_const(0).i64_lt_s().if_(BlockType::Empty);
    fail(&mut s, FaultCode::OutOfBounds);
    s.end();
    s.local_get(5).local_get(1).i64_extend_i32_u().i64_add();
    s.local_get(4)
        .i32_load(mem(4))
        .i64_extend_i32_u()
        .i64_gt_u()
        .if_(BlockType::Empty);
    fail(&mut s, FaultCode::OutOfBounds);
    s.end();
    s.local_get(2)
        .local_get(4)
        .i32_load(mem(8))
        .i32_eqz()
        .i32_and()
        .if_(BlockType::Empty);
    fail(&mut s, FaultCode::ReadOnly);
    s.end();
    s.local_get(4)
        .i32_load(mem(0))
        .local_get(5)
        .i32_wrap_i64()
        .i32_add();
    s.end();
    f
}

/// The body of `run`: a dispatch loop over basic blocks.
///
/// ```text
/// loop $L
///   block $B(n-2) ... block $B0
///     block $S  (local.get next) br_table 0..n-1  end
///     code of block 0
///   end $B0
///   code of block 1 ...
/// end $L
/// fault FellOffEnd
/// ```
/// Falling through from block k to k+1 is free, a forward jump is a `br` to the end of
/// the block before its target, and a backward jump sets `next` and branches to `$L`.
///
/// With spans `assumed`, the body checks them once at entry, calls the fully checked
/// body ([`F_CHECKED`]) if they do not hold, and otherwise takes every access through
/// those registers as in bounds: no check and no call on that path, so the engine can
/// keep the eBPF registers in machine registers.
fn run_function(program: &Program, config: crate::vm::Config, assumed: Assumed) -> Function {
    let len = program.len();
    // Block leaders: instruction 0, jump and call targets, return points of local calls,
    // and a last block at slot `len` that reports falling off the end.
    let mut leader = vec![false; len + 1];
    leader[0] = true;
    leader[len] = true;
    for (pc, insn) in program.insns() {
        if let Some(off) = insn.jump_offset()
            && let Some(t) = valid_target(program, pc, off.into())
        {
            leader[t] = true;
        }
        if matches!(
            insn,
            Insn::Call {
                kind: CallKind::Local,
                ..
            }
        ) {
            leader[pc + 1] = true;
        }
    }
    let mut block_of = vec![0u32; len + 1];
    let mut blocks = 0u32;
    for (pc, is_leader) in leader.iter().enumerate() {
        if *is_leader {
            blocks += 1;
        }
        block_of[pc] = blocks - 1;
    }
    let has_calls = program.insns().any(|(_, i)| {
        matches!(
            i,
            Insn::Call {
                kind: CallKind::Local,
                ..
            }
        )
    });

    let mut f = Function::new([
        (11, ValType::I64),
        (2, ValType::I64),
        (3, ValType::I32),
        (1, ValType::I64),
        (2, ValType::I32),
        (1, ValType::I64),
        (1, ValType::I32),
        (8, ValType::I64),
        (1, ValType::I64),
        (1, ValType::I32),
        (8, ValType::I64),
        (4, ValType::I32),
    ]);
    let mut e = Emitter {
        s: f.instructions(),
        nest: 0,
        blocks,
        block: 0,
        block_of,
        program,
        config,
        has_calls,
        assumed,
    };
    for r in 0..Reg::COUNT as u8 {
        e.s.i32_const(0)
            .i64_load(mem(u64::from(REGS_ADDR + 8 * u32::from(r))))
            .local_set(register_local(r));
    }
    e.cache_region(STACK);
    e.cache_region(CTX);
    if assumed.stack.is_some() || assumed.ctx.is_some() {
        e.s.i32_const(1);
        for (span, c) in [(assumed.stack, STACK), (assumed.ctx, CTX)] {
            if span.is_some() {
                e.s.local_get(c.all_in).i32_and();
            }
        }
        e.s.i32_eqz().if_(BlockType::Empty);
        e.s.call(F_CHECKED).return_();
        e.s.end();
    }
    e.s.loop_(BlockType::Empty);
    for _ in 0..blocks {
        e.s.block(BlockType::Empty);
    }
    e.s.local_get(L_NEXT).br_table(0..blocks - 1, blocks - 1);
    e.s.end();
    for (pc, insn) in program.insns() {
        if pc > 0 && leader[pc] {
            e.s.end();
            e.block += 1;
        }
        e.insn(pc, insn);
    }
    if len > 0 {
        e.s.end();
        e.block += 1;
    }
    e.fault(len, FaultCode::FellOffEnd, 0);
    e.s.end();
    e.s.unreachable();
    e.s.end();
    f
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

fn valid_target(program: &Program, pc: usize, off: i64) -> Option<usize> {
    let t = usize::try_from(pc as i64 + 1 + off).ok()?;
    matches!(program.slots().get(t), Some(Slot::Insn(_))).then_some(t)
}

struct Emitter<'a> {
    s: InstructionSink<'a>,
    /// Structured constructs open inside the current block's code.
    nest: u32,
    blocks: u32,
    /// The basic block being emitted.
    block: u32,
    block_of: Vec<u32>,
    program: &'a Program,
    config: crate::vm::Config,
    /// Whether the program has local calls (so `exit` may return to a caller).
    has_calls: bool,
    /// The accesses through r10 and r1 this body takes as in bounds.
    assumed: Assumed,
}

/// The spans of accesses a body of `run` takes as in bounds once checked at entry.
#[derive(Clone, Copy)]
struct Assumed {
    stack: Option<Span>,
    ctx: Option<Span>,
}

impl Assumed {
    const NOTHING: Assumed = Assumed {
        stack: None,
        ctx: None,
    };
}

impl Emitter<'_> {
    /// Reports a fault and traps; `detail` is what the host needs to rebuild the
    /// interpreter's fault (see [`host`]): a jump's target, or 0.
    fn fault(&mut self, pc: usize, code: FaultCode, detail: i64) {
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

    /// At entry: caches the region the i64 local `reg` points into in `c`'s locals. When
    /// it is in no region the limits stay 0 and accesses take the general path.
    fn cache_region(&mut self, c: Cached) {
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
    fn translate(&mut self, pc: usize, base: Reg, off: i16, size: Size, write: bool) {
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

    fn load(&mut self, size: Size, signed: bool) {
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
    fn store(&mut self, size: Size) {
        self.s.local_get(L_LIN).local_get(L_A);
        match size {
            Size::B => self.s.i64_store8(mem(0)),
            Size::H => self.s.i64_store16(mem(0)),
            Size::W => self.s.i64_store32(mem(0)),
            Size::DW => self.s.i64_store(mem(0)),
        };
    }

    fn insn(&mut self, pc: usize, insn: &Insn) {
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

    /// A local call: checks the target and the depth as the interpreter does, saves
    /// r6..r9, r10 and the return block, gives the callee its own stack frame, and jumps.
    fn local_call(&mut self, pc: usize, imm: i32) {
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
    fn frame_addr(&mut self) {
        self.s
            .local_get(L_DEPTH)
            .i32_const(FRAME_SIZE as i32)
            .i32_mul()
            .i32_const(FRAMES_ADDR as i32)
            .i32_add();
    }

    /// `exit`: return r0 from the entry frame, otherwise restore the caller and go back.
    fn exit(&mut self) {
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
    fn call_helper(&mut self) {
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
    fn cond(&mut self, width: Width, cond: Cond) {
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

    /// `L_A op L_B` in 64 bits, leaving the i64 result on the stack.
    fn alu64(&mut self, pc: usize, op: AluOp) {
        let rfc = self.config.profile == Profile::Rfc9669;
        // Division and modulo by zero: RFC 9669 defines a result, Linux 4.4 ends the program.
        if matches!(op, AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod) {
            let by_zero_result = match op {
                AluOp::Div | AluOp::SDiv => Some(0),
                _ => None, // dst unchanged
            };
            let signed = matches!(op, AluOp::SDiv | AluOp::SMod);
            self.s.local_get(L_B).i64_eqz();
            self.s.if_(BlockType::Result(ValType::I64));
            self.nest += 1;
            if rfc || signed {
                match by_zero_result {
                    Some(v) => self.s.i64_const(v),
                    None => self.s.local_get(L_A),
                };
            } else {
                self.early_exit(pc, EarlyExitCode::DivisionByZero);
            }
            self.open_if_else();
            match op {
                AluOp::Div => {
                    self.s.local_get(L_A).local_get(L_B).i64_div_u();
                }
                AluOp::Mod => {
                    self.s.local_get(L_A).local_get(L_B).i64_rem_u();
                }
                AluOp::SMod => {
                    // wasm's rem_s of i64::MIN by -1 is 0, as wrapping_rem.
                    self.s.local_get(L_A).local_get(L_B).i64_rem_s();
                }
                _ => {
                    // div_s traps on i64::MIN / -1; wrapping_div gives i64::MIN = -dst.
                    self.s.local_get(L_B).i64_const(-1).i64_eq();
                    self.s.if_(BlockType::Result(ValType::I64));
                    self.s.i64_const(0).local_get(L_A).i64_sub();
                    self.s.else_();
                    self.s.local_get(L_A).local_get(L_B).i64_div_s();
                    self.s.end();
                }
            }
            self.close();
            return;
        }
        let s = &mut self.s;
        match op {
            AluOp::Mov => {
                s.local_get(L_B);
            }
            AluOp::MovSx8 => {
                s.local_get(L_B).i64_extend8_s();
            }
            AluOp::MovSx16 => {
                s.local_get(L_B).i64_extend16_s();
            }
            AluOp::MovSx32 => {
                s.local_get(L_B).i64_extend32_s();
            }
            _ => {
                s.local_get(L_A).local_get(L_B);
                match op {
                    AluOp::Add => s.i64_add(),
                    AluOp::Sub => s.i64_sub(),
                    AluOp::Mul => s.i64_mul(),
                    AluOp::Or => s.i64_or(),
                    AluOp::And => s.i64_and(),
                    AluOp::Lsh => s.i64_shl(),
                    AluOp::Rsh => s.i64_shr_u(),
                    AluOp::Arsh => s.i64_shr_s(),
                    AluOp::Xor => s.i64_xor(),
                    _ => unreachable!("handled above"),
                };
            }
        }
    }

    /// `L_A op L_B` on the low 32 bits, leaving the zero-extended i64 result.
    fn alu32(&mut self, pc: usize, op: AluOp) {
        let rfc = self.config.profile == Profile::Rfc9669;
        if matches!(op, AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod) {
            let signed = matches!(op, AluOp::SDiv | AluOp::SMod);
            self.s.local_get(L_B).i32_wrap_i64().i32_eqz();
            self.s.if_(BlockType::Result(ValType::I64));
            self.nest += 1;
            if rfc || signed {
                match op {
                    AluOp::Div | AluOp::SDiv => self.s.i64_const(0),
                    _ => self.s.local_get(L_A).i64_const(0xffff_ffff).i64_and(),
                };
            } else {
                self.early_exit(pc, EarlyExitCode::DivisionByZero);
            }
            self.open_if_else();
            let s = &mut self.s;
            match op {
                AluOp::Div => {
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_div_u();
                }
                AluOp::Mod => {
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_rem_u();
                }
                AluOp::SMod => {
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_rem_s();
                }
                _ => {
                    s.local_get(L_B).i32_wrap_i64().i32_const(-1).i32_eq();
                    s.if_(BlockType::Result(ValType::I32));
                    s.i32_const(0).local_get(L_A).i32_wrap_i64().i32_sub();
                    s.else_();
                    s.local_get(L_A)
                        .i32_wrap_i64()
                        .local_get(L_B)
                        .i32_wrap_i64()
                        .i32_div_s();
                    s.end();
                }
            }
            s.i64_extend_i32_u();
            self.close();
            return;
        }
        let s = &mut self.s;
        match op {
            AluOp::Mov | AluOp::MovSx32 => {
                s.local_get(L_B).i32_wrap_i64();
            }
            AluOp::MovSx8 => {
                s.local_get(L_B).i32_wrap_i64().i32_extend8_s();
            }
            AluOp::MovSx16 => {
                s.local_get(L_B).i32_wrap_i64().i32_extend16_s();
            }
            _ => {
                s.local_get(L_A)
                    .i32_wrap_i64()
                    .local_get(L_B)
                    .i32_wrap_i64();
                match op {
                    AluOp::Add => s.i32_add(),
                    AluOp::Sub => s.i32_sub(),
                    AluOp::Mul => s.i32_mul(),
                    AluOp::Or => s.i32_or(),
                    AluOp::And => s.i32_and(),
                    AluOp::Lsh => s.i32_shl(),
                    AluOp::Rsh => s.i32_shr_u(),
                    AluOp::Arsh => s.i32_shr_s(),
                    AluOp::Xor => s.i32_xor(),
                    _ => unreachable!("handled above"),
                };
            }
        }
        s.i64_extend_i32_u();
    }

    /// `LD_ABS` / `LD_IND`: big-endian from the packet region into r0; out of bounds
    /// (or no packet) ends the program with r0 = 0.
    fn load_packet(&mut self, pc: usize, size: Size, index: Option<Reg>, imm: i32) {
        let n = size.bytes() as i64;
        // off = (imm as u32 + index as u32) as i32, sign-extended into L_A.
        self.s.i32_const(imm);
        if let Some(r) = index {
            self.get(r);
            self.s.i32_wrap_i64().i32_add();
        }
        self.s.i64_extend_i32_s().local_set(L_A);
        // L_LIN = packet region index + 1 (0: none).
        self.s
            .i32_const(0)
            .i32_load(mem(u64::from(PACKET_REGION_ADDR)))
            .local_set(L_LIN);
        // Out: off < 0, no packet, or off + n > len.
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

    /// Reverses the 8 bytes of the i64 on the stack (inline, using `L_ADDR`: a call
    /// would make the engine spill registers around it).
    fn bswap(&mut self) {
        const M8: i64 = 0x00ff_00ff_00ff_00ff;
        const M16: i64 = 0x0000_ffff_0000_ffff;
        let s = &mut self.s;
        s.local_tee(L_ADDR)
            .i64_const(M8)
            .i64_and()
            .i64_const(8)
            .i64_shl();
        s.local_get(L_ADDR)
            .i64_const(8)
            .i64_shr_u()
            .i64_const(M8)
            .i64_and()
            .i64_or();
        s.local_tee(L_ADDR)
            .i64_const(M16)
            .i64_and()
            .i64_const(16)
            .i64_shl();
        s.local_get(L_ADDR)
            .i64_const(16)
            .i64_shr_u()
            .i64_const(M16)
            .i64_and()
            .i64_or();
        s.i64_const(32).i64_rotl();
    }

    /// Pushes the linear address of the packet's region-table entry (L_LIN = index + 1).
    fn packet_entry(&mut self) {
        self.s.local_get(L_LIN).i32_const(1).i32_sub();
        self.s
            .i32_const(REGION_ENTRY_SIZE as i32)
            .i32_mul()
            .i32_const(REGION_TABLE_ADDR as i32)
            .i32_add();
    }

    fn atomic(&mut self, pc: usize, size: Size, op: AtomicOp, dst: Reg, src: Reg, off: i16) {
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
