//! The function builders: [`compile`] assembles the module (types, imports, the
//! out-of-line `translate` and one or two bodies of `run`), and `run_function` lays
//! out a body's dispatch loop over basic blocks, leaving each instruction to
//! [`super::emit`].

use super::abi::{
    EXPORT_RUN, FaultCode, IMPORT_EARLY_EXIT, IMPORT_FAULT, IMPORT_HELPER, IMPORT_MEMORY,
    IMPORT_MODULE, MAX_FRAMES, REGION_COUNT_ADDR, REGION_ENTRY_SIZE, REGION_START,
    REGION_TABLE_ADDR, REGS_ADDR,
};
use super::emit::{Assumed, CTX, Emitter, L_NEXT, STACK, Span, mem, register_local};
use crate::isa::{CallKind, Insn, Profile, ProfileError, Program, Reg, Slot};
use crate::prelude::*;
use core::fmt;
use wasm_encoder::{
    BlockType, CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection,
    ImportSection, InstructionSink, MemoryType, Module, TypeSection, ValType,
};

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
pub(super) const F_HELPER: u32 = 0;
pub(super) const F_FAULT: u32 = 1;
pub(super) const F_EARLY_EXIT: u32 = 2;
pub(super) const F_TRANSLATE: u32 = 3;
pub(super) const F_RUN: u32 = 4;
/// `run` with every access checked, which `run` calls when the checks it made once at
/// entry fail (present only when `run` makes such checks).
pub(super) const F_CHECKED: u32 = 5;

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
    imports.import(IMPORT_MODULE, IMPORT_MEMORY, EntityType::Memory(memory));
    imports.import(IMPORT_MODULE, IMPORT_HELPER, EntityType::Function(0));
    imports.import(IMPORT_MODULE, IMPORT_FAULT, EntityType::Function(4));
    imports.import(IMPORT_MODULE, IMPORT_EARLY_EXIT, EntityType::Function(1));

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
    exports.export(EXPORT_RUN, ExportKind::Func, F_RUN);

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

pub(super) fn valid_target(program: &Program, pc: usize, off: i64) -> Option<usize> {
    let t = usize::try_from(pc as i64 + 1 + off).ok()?;
    matches!(program.slots().get(t), Some(Slot::Insn(_))).then_some(t)
}
