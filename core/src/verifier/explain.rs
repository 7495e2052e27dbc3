//! Plain-language explanations of the verifier's messages: what each means and the
//! usual fix. Shown under the log; not part of the kernel's output.

use super::error::{LeakTarget, Reason};

/// An explanation of one verifier message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub meaning: &'static str,
    pub fix: &'static str,
}

impl Reason {
    /// What the message means and the usual fix.
    pub const fn explanation(&self) -> Explanation {
        let (meaning, fix) = match self {
            Reason::LdxReserved => (
                "A load instruction (LDX) has a mode other than MEM or a non-zero imm field.",
                "Emit loads as `rD = *(size *)(rS +off)`; the imm field must be 0.",
            ),
            Reason::StxReserved => (
                "A register store (STX) has a mode other than MEM/XADD or a non-zero imm field.",
                "Emit stores as `*(size *)(rD +off) = rS` or `lock ... += rS`; imm must be 0.",
            ),
            Reason::InvalidLdImm64 => (
                "A 64-bit immediate load (lddw) is the last instruction, or its second slot is not blank.",
                "lddw takes two slots: the second must have opcode, registers and offset 0 and carries the upper 32 bits.",
            ),
            Reason::UnrecognizedLdImm64 => (
                "lddw has a src_reg other than 0 (plain constant) or 1 (map fd); later pseudo kinds do not exist in 4.4.",
                "Use `r1 = map_fd(N) ll` for maps and plain `ll` constants otherwise.",
            ),
            Reason::BadMapFd { .. } => (
                "A map load names a file descriptor that is not an open map of the loading process.",
                "Create the map first (or get it from its pin) and load that fd; with --maps, index i is the i-th map.",
            ),
            Reason::JumpOutOfRange { .. } => (
                "A jump (or falling off the last instruction) leads outside the program.",
                "Check jump offsets (they count slots after the jump; lddw is two slots) and end every path with exit.",
            ),
            Reason::BackEdge { .. } => (
                "The program contains a loop. Linux 4.4 accepts only loop-free programs (bounded loops came in 5.3).",
                "Unroll the loop, or move repeated work into tail calls.",
            ),
            Reason::Unreachable { .. } => (
                "No path from instruction 0 reaches this instruction; 4.4 refuses dead code.",
                "Delete the dead instructions or fix the jump that was meant to reach them.",
            ),
            Reason::TooLarge { .. } => (
                "The verifier walked more than 32768 instructions across all paths (the typo is the kernel's).",
                "Reduce branching: fewer independent conditions, or split the work with tail calls.",
            ),
            Reason::TooComplex => (
                "More than 1024 branches were pending exploration at once.",
                "Reduce the number of nested conditional jumps.",
            ),
            Reason::UnknownInsnClass { .. } => (
                "The opcode uses class 6 (classic BPF RET), which eBPF does not have.",
                "Use exit with the result in r0.",
            ),
            Reason::InvalidReg { .. } => (
                "An instruction names a register above r10.",
                "eBPF has registers r0 to r10 only.",
            ),
            Reason::RegNotReadable { .. } => (
                "The register is read before anything was written to it on this path. After a helper call or LD_ABS, r1-r5 are unreadable; at exit r0 must hold the result.",
                "Initialise the register first (on every path), e.g. `r0 = 0` before exit, and reload arguments after calls.",
            ),
            Reason::FramePointerReadOnly => (
                "An instruction writes r10, the read-only frame pointer.",
                "Copy it first: `r2 = r10; r2 += -8`.",
            ),
            Reason::NegReserved => (
                "A negation has a source register, offset, imm or the X bit set.",
                "Write `rN = -rN` with the other fields zero.",
            ),
            Reason::EndReserved => (
                "A byte-order instruction has a source register, offset, or a width other than 16, 32 or 64.",
                "Write `rN = be16 rN` (or le/32/64).",
            ),
            Reason::MovReserved => (
                "A move has a non-zero offset, or imm with a register source, or a source register with an immediate.",
                "Check the instruction's encoding; 4.4 has no movsx.",
            ),
            Reason::AluReserved => (
                "An ALU instruction uses a field its form does not have (offset; imm in the register form; src in the immediate form).",
                "Check the encoding; sdiv/smod (offset 1) do not exist in 4.4.",
            ),
            Reason::InvalidAluOpcode { .. } => (
                "The ALU operation code (0xe0 or 0xf0) does not exist.",
                "Use one of add sub mul div or and lsh rsh neg mod xor mov arsh end.",
            ),
            Reason::DivByZero => (
                "A division or modulo by the constant 0.",
                "Divide by a non-zero constant, or by a register you have checked.",
            ),
            Reason::InvalidShift { .. } => (
                "A shift by a constant below 0 or at least the operand width (32 or 64).",
                "Shift by 0..31 (32-bit) or 0..63 (64-bit).",
            ),
            Reason::PointerArithmetic { .. } => (
                "Unprivileged programs may not compute with pointers (other than r10 + constant), so they cannot leak addresses.",
                "Load as root, or do arithmetic only on scalars; use `rX = r10; rX += -N` for stack pointers.",
            ),
            Reason::PartialPointerCopy { .. } => (
                "A 32-bit move would copy half of a pointer; unprivileged programs may not.",
                "Use a 64-bit move (`rX = rY`) for pointers.",
            ),
            Reason::MisalignedAccess { .. } => (
                "The access offset is not a multiple of its size (4.4 requires natural alignment, counting the register's own stack offset).",
                "Align the offset: 8-byte accesses at multiples of 8, 4-byte at multiples of 4.",
            ),
            Reason::MapValueOutOfBounds { .. } => (
                "The access goes outside the map value: offsets must stay within [0, value_size).",
                "Check the offset against the map's value size.",
            ),
            Reason::InvalidCtxAccess { .. } => (
                "The context access is not allowed: for __sk_buff only aligned 4-byte accesses to fields the program type may read (or write); kprobe pt_regs is read-only.",
                "Use a 4-byte load of a valid field (see the __sk_buff table); only mark, priority, tc_index, cb[] and tc_classid are writable, and only by tc programs (cb[] also by socket filters).",
            ),
            Reason::InvalidStackOff { .. } => (
                "The stack access falls outside [r10-512, r10).",
                "Keep stack offsets between -512 and -1.",
            ),
            Reason::InvalidSpillSize => (
                "A pointer is stored to, or read back from, the stack with a size other than 8 bytes.",
                "Spill and fill pointers with 8-byte (u64) accesses.",
            ),
            Reason::CorruptedSpill => (
                "A spilled pointer was partly overwritten and then read back.",
                "Do not overwrite part of a slot that holds a pointer.",
            ),
            Reason::InvalidStackRead { .. } => (
                "The program reads stack bytes that were never written on this path.",
                "Write the stack slot first (e.g. `*(u64 *)(r10 -8) = 0`).",
            ),
            Reason::CorruptSpilledPointer => (
                "Unprivileged: a store of less than 8 bytes over a slot that holds a spilled pointer.",
                "Store over pointer slots with 8-byte writes, or use another slot.",
            ),
            Reason::LeaksAddr {
                into: LeakTarget::Map,
                ..
            } => (
                "Unprivileged programs may not store a pointer into a map value, where user space could read it.",
                "Store scalars only.",
            ),
            Reason::LeaksAddr {
                into: LeakTarget::Ctx,
                ..
            } => (
                "Unprivileged programs may not store a pointer into the context.",
                "Store scalars only.",
            ),
            Reason::LeaksAddr {
                into: LeakTarget::HelperFunction,
                ..
            } => (
                "Unprivileged: a pointer passed where the helper takes any value (flags, index), which could leak it.",
                "Pass scalars for these arguments.",
            ),
            Reason::LeaksReturnValue => (
                "Unprivileged programs may not return a pointer.",
                "Return a scalar, e.g. `r0 = 0`.",
            ),
            Reason::InvalidMemAccess { .. } => (
                "The base register of a load or store is not a pointer the program may dereference (a scalar, a map pointer, or a map value not yet checked for NULL).",
                "Dereference only ctx, the stack, or map values after `if rX == 0 goto ...`.",
            ),
            Reason::XaddReserved => (
                "An atomic add has a size other than 4 or 8 bytes or a non-zero imm (fetch/xchg/cmpxchg came in 5.12).",
                "Use `lock *(u32 *)` or `lock *(u64 *)` ... `+= rS`.",
            ),
            Reason::DifferentPointers => (
                "The same 4-byte load/store sees ctx on one path and another pointer on another; ctx accesses are rewritten, so this is refused.",
                "Use separate instructions for ctx and other memory.",
            ),
            Reason::StReserved => (
                "An immediate store has a mode other than MEM or a source register.",
                "Write `*(size *)(rD +off) = imm` with src 0.",
            ),
            Reason::CallReserved => (
                "A call has the X bit, an offset or registers set (bpf-to-bpf calls came in 4.16).",
                "Call helpers as `call N` with the other fields zero.",
            ),
            Reason::JaReserved => (
                "An unconditional jump has imm or registers set.",
                "Use `goto +N` only.",
            ),
            Reason::ExitReserved => ("exit has fields set.", "Use plain `exit`."),
            Reason::InvalidJmpOpcode { .. } => (
                "The jump code does not exist in 4.4 (jlt, jle, jslt, jsle came in 4.14; the JMP32 class in 5.1).",
                "Swap the operands and use jgt/jge/jsgt/jsge, or negate the condition.",
            ),
            Reason::JmpReserved => (
                "A conditional jump sets imm in its register form or src in its immediate form.",
                "Check the encoding.",
            ),
            Reason::PointerComparison { .. } => (
                "Unprivileged programs may not compare pointers (other than a map lookup result against 0).",
                "Compare scalars, or load as root.",
            ),
            Reason::InvalidFunc { .. } => (
                "The helper id is outside 0..25, the helpers Linux 4.4 has.",
                "Use a 4.4 helper id (1..25).",
            ),
            Reason::UnknownFunc { .. } => (
                "This helper is not available to the program type (e.g. skb helpers in a kprobe; trace_printk in an unprivileged socket filter).",
                "Use a helper the program type may call (see the helper table), or change the program type.",
            ),
            Reason::GplOnly => (
                "This helper is GPL-only and the program's license is not GPL-compatible.",
                "Load with a GPL-compatible license string such as \"GPL\".",
            ),
            Reason::ArgType { .. } => (
                "A helper argument has the wrong kind: a map pointer, a stack pointer (r10 plus a constant, not r10 itself), a constant size or the context.",
                "Pass what the helper's prototype asks, e.g. `r2 = r10; r2 += -8` for a key.",
            ),
            Reason::InvalidStackType { .. } => (
                "A helper's stack buffer lies outside the stack or has a size of zero or less.",
                "Pass a stack pointer and a positive constant size that fit below r10.",
            ),
            Reason::InvalidIndirectRead { .. } => (
                "A helper would read stack bytes that were never initialised (4.4 has no write-only buffers).",
                "Write every byte of the buffer (key, format, output buffer) before the call.",
            ),
            Reason::InvalidLdImm => (
                "An LD IMM instruction with a size other than DW, which includes a jump into the second half of an lddw.",
                "Jump only to instruction boundaries; lddw occupies two slots.",
            ),
            Reason::LdImm64Reserved => ("lddw has a non-zero offset.", "Set the offset to 0."),
            Reason::LdAbsNotAllowed => (
                "Packet loads need an sk_buff context; kprobes do not have one.",
                "Use probe_read in kprobes, or a socket_filter / sched_cls / sched_act program.",
            ),
            Reason::LdAbsReserved => (
                "LD_ABS/LD_IND set dst, offset, or (for ABS) src, or load a u64 (packet loads read u8, u16 or u32).",
                "Write `r0 = *(u16 *)skb[12]` or `r0 = *(u16 *)skb[rX + 12]`.",
            ),
            Reason::LdAbsR6NotCtx => (
                "LD_ABS and LD_IND read the packet through r6, which must hold the context.",
                "Save the context first: `r6 = r1`.",
            ),
            Reason::InvalidLdMode => (
                "The LD class is used with a mode other than IMM, ABS or IND.",
                "Loads from memory use the LDX class.",
            ),
            Reason::TooManyMaps => (
                "The verifier refused the program without a message: it uses more than 64 distinct maps.",
                "Use at most 64 maps in one program; split the work with tail calls.",
            ),
            Reason::JaWithSourceBit => (
                "The verifier refused the program without a message: an unconditional jump (ja) has the X (register source) bit set.",
                "Encode `goto +N` as opcode 0x05.",
            ),
            Reason::HelperMapMismatch { .. } => (
                "The verifier refused the program without a message: the helper got the wrong kind of map (tail_call needs a prog_array; perf_event_read/output need a perf_event_array).",
                "Pass the right map type to the helper.",
            ),
            Reason::InsnStateInternalBug
            | Reason::InvalidInsnIdx { .. }
            | Reason::MapArgWithoutMap { .. }
            | Reason::SizeWithoutStackBuffer
            | Reason::MisconfiguredVerifier => (
                "An internal consistency check of the verifier failed; no program should reach it.",
                "Report the program: this is a bug in the verifier or its helper table.",
            ),
        };
        Explanation { meaning, fix }
    }
}
