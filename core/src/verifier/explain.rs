//! Plain-language explanations of the verifier's messages: what each means and the
//! usual fix. Shown under the log; not part of the kernel's output.

/// An explanation of one verifier message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explanation {
    pub meaning: &'static str,
    pub fix: &'static str,
}

const fn e(meaning: &'static str, fix: &'static str) -> Explanation {
    Explanation { meaning, fix }
}

/// (message pattern, explanation). A pattern is the message with `%` where 4.4 prints a
/// number or name; patterns are tried in order.
const TABLE: &[(&str, Explanation)] = &[
    (
        "BPF_LDX uses reserved fields",
        e(
            "A load instruction (LDX) has a mode other than MEM or a non-zero imm field.",
            "Emit loads as `rD = *(size *)(rS +off)`; the imm field must be 0.",
        ),
    ),
    (
        "BPF_STX uses reserved fields",
        e(
            "A register store (STX) has a mode other than MEM/XADD or a non-zero imm field.",
            "Emit stores as `*(size *)(rD +off) = rS` or `lock ... += rS`; imm must be 0.",
        ),
    ),
    (
        "invalid bpf_ld_imm64 insn",
        e(
            "A 64-bit immediate load (lddw) is the last instruction, or its second slot is not blank.",
            "lddw takes two slots: the second must have opcode, registers and offset 0 and carries the upper 32 bits.",
        ),
    ),
    (
        "unrecognized bpf_ld_imm64 insn",
        e(
            "lddw has a src_reg other than 0 (plain constant) or 1 (map fd); later pseudo kinds do not exist in 4.4.",
            "Use `r1 = map_fd(N) ll` for maps and plain `ll` constants otherwise.",
        ),
    ),
    (
        "fd % is not pointing to valid bpf_map",
        e(
            "A map load names a file descriptor that is not an open map of the loading process.",
            "Create the map first (or get it from its pin) and load that fd; with --maps, index i is the i-th map.",
        ),
    ),
    (
        "jump out of range from insn % to %",
        e(
            "A jump (or falling off the last instruction) leads outside the program.",
            "Check jump offsets (they count slots after the jump; lddw is two slots) and end every path with exit.",
        ),
    ),
    (
        "back-edge from insn % to %",
        e(
            "The program contains a loop. Linux 4.4 accepts only loop-free programs (bounded loops came in 5.3).",
            "Unroll the loop, or move repeated work into tail calls.",
        ),
    ),
    (
        "unreachable insn %",
        e(
            "No path from instruction 0 reaches this instruction; 4.4 refuses dead code.",
            "Delete the dead instructions or fix the jump that was meant to reach them.",
        ),
    ),
    (
        "BPF program is too large. Proccessed % insn",
        e(
            "The verifier walked more than 32768 instructions across all paths (the typo is the kernel's).",
            "Reduce branching: fewer independent conditions, or split the work with tail calls.",
        ),
    ),
    (
        "BPF program is too complex",
        e(
            "More than 1024 branches were pending exploration at once.",
            "Reduce the number of nested conditional jumps.",
        ),
    ),
    (
        "unknown insn class %",
        e(
            "The opcode uses class 6 (classic BPF RET), which eBPF does not have.",
            "Use exit with the result in r0.",
        ),
    ),
    (
        "R% is invalid",
        e(
            "An instruction names a register above r10.",
            "eBPF has registers r0 to r10 only.",
        ),
    ),
    (
        "R% !read_ok",
        e(
            "The register is read before anything was written to it on this path. After a helper call or LD_ABS, r1-r5 are unreadable; at exit r0 must hold the result.",
            "Initialise the register first (on every path), e.g. `r0 = 0` before exit, and reload arguments after calls.",
        ),
    ),
    (
        "frame pointer is read only",
        e(
            "An instruction writes r10, the read-only frame pointer.",
            "Copy it first: `r2 = r10; r2 += -8`.",
        ),
    ),
    (
        "BPF_NEG uses reserved fields",
        e(
            "A negation has a source register, offset, imm or the X bit set.",
            "Write `rN = -rN` with the other fields zero.",
        ),
    ),
    (
        "BPF_END uses reserved fields",
        e(
            "A byte-order instruction has a source register, offset, or a width other than 16, 32 or 64.",
            "Write `rN = be16 rN` (or le/32/64).",
        ),
    ),
    (
        "BPF_MOV uses reserved fields",
        e(
            "A move has a non-zero offset, or imm with a register source, or a source register with an immediate.",
            "Check the instruction's encoding; 4.4 has no movsx.",
        ),
    ),
    (
        "BPF_ALU uses reserved fields",
        e(
            "An ALU instruction uses a field its form does not have (offset; imm in the register form; src in the immediate form).",
            "Check the encoding; sdiv/smod (offset 1) do not exist in 4.4.",
        ),
    ),
    (
        "invalid BPF_ALU opcode %",
        e(
            "The ALU operation code (0xe0 or 0xf0) does not exist.",
            "Use one of add sub mul div or and lsh rsh neg mod xor mov arsh end.",
        ),
    ),
    (
        "div by zero",
        e(
            "A division or modulo by the constant 0.",
            "Divide by a non-zero constant, or by a register you have checked.",
        ),
    ),
    (
        "invalid shift %",
        e(
            "A shift by a constant below 0 or at least the operand width (32 or 64).",
            "Shift by 0..31 (32-bit) or 0..63 (64-bit).",
        ),
    ),
    (
        "R% pointer arithmetic prohibited",
        e(
            "Unprivileged programs may not compute with pointers (other than r10 + constant), so they cannot leak addresses.",
            "Load as root, or do arithmetic only on scalars; use `rX = r10; rX += -N` for stack pointers.",
        ),
    ),
    (
        "R% partial copy of pointer",
        e(
            "A 32-bit move would copy half of a pointer; unprivileged programs may not.",
            "Use a 64-bit move (`rX = rY`) for pointers.",
        ),
    ),
    (
        "misaligned access off % size %",
        e(
            "The access offset is not a multiple of its size (4.4 requires natural alignment, counting the register's own stack offset).",
            "Align the offset: 8-byte accesses at multiples of 8, 4-byte at multiples of 4.",
        ),
    ),
    (
        "invalid access to map value, value_size=% off=% size=%",
        e(
            "The access goes outside the map value: offsets must stay within [0, value_size).",
            "Check the offset against the map's value size.",
        ),
    ),
    (
        "invalid bpf_context access off=% size=%",
        e(
            "The context access is not allowed: for __sk_buff only aligned 4-byte accesses to fields the program type may read (or write); kprobe pt_regs is read-only.",
            "Use a 4-byte load of a valid field (see the __sk_buff table); only mark, priority, tc_index, cb[] and tc_classid are writable, and only by tc programs (cb[] also by socket filters).",
        ),
    ),
    (
        "invalid stack off=% size=%",
        e(
            "The stack access falls outside [r10-512, r10).",
            "Keep stack offsets between -512 and -1.",
        ),
    ),
    (
        "invalid size of register spill",
        e(
            "A pointer is stored to, or read back from, the stack with a size other than 8 bytes.",
            "Spill and fill pointers with 8-byte (u64) accesses.",
        ),
    ),
    (
        "corrupted spill memory",
        e(
            "A spilled pointer was partly overwritten and then read back.",
            "Do not overwrite part of a slot that holds a pointer.",
        ),
    ),
    (
        "invalid read from stack off %+% size %",
        e(
            "The program reads stack bytes that were never written on this path.",
            "Write the stack slot first (e.g. `*(u64 *)(r10 -8) = 0`).",
        ),
    ),
    (
        "attempt to corrupt spilled pointer on stack",
        e(
            "Unprivileged: a store of less than 8 bytes over a slot that holds a spilled pointer.",
            "Store over pointer slots with 8-byte writes, or use another slot.",
        ),
    ),
    (
        "R% leaks addr into map",
        e(
            "Unprivileged programs may not store a pointer into a map value, where user space could read it.",
            "Store scalars only.",
        ),
    ),
    (
        "R% leaks addr into ctx",
        e(
            "Unprivileged programs may not store a pointer into the context.",
            "Store scalars only.",
        ),
    ),
    (
        "R% leaks addr into helper function",
        e(
            "Unprivileged: a pointer passed where the helper takes any value (flags, index), which could leak it.",
            "Pass scalars for these arguments.",
        ),
    ),
    (
        "R0 leaks addr as return value",
        e(
            "Unprivileged programs may not return a pointer.",
            "Return a scalar, e.g. `r0 = 0`.",
        ),
    ),
    (
        "R% invalid mem access '%'",
        e(
            "The base register of a load or store is not a pointer the program may dereference (a scalar, a map pointer, or a map value not yet checked for NULL).",
            "Dereference only ctx, the stack, or map values after `if rX == 0 goto ...`.",
        ),
    ),
    (
        "BPF_XADD uses reserved fields",
        e(
            "An atomic add has a size other than 4 or 8 bytes or a non-zero imm (fetch/xchg/cmpxchg came in 5.12).",
            "Use `lock *(u32 *)` or `lock *(u64 *)` ... `+= rS`.",
        ),
    ),
    (
        "same insn cannot be used with different pointers",
        e(
            "The same 4-byte load/store sees ctx on one path and another pointer on another; ctx accesses are rewritten, so this is refused.",
            "Use separate instructions for ctx and other memory.",
        ),
    ),
    (
        "BPF_ST uses reserved fields",
        e(
            "An immediate store has a mode other than MEM or a source register.",
            "Write `*(size *)(rD +off) = imm` with src 0.",
        ),
    ),
    (
        "BPF_CALL uses reserved fields",
        e(
            "A call has the X bit, an offset or registers set (bpf-to-bpf calls came in 4.16).",
            "Call helpers as `call N` with the other fields zero.",
        ),
    ),
    (
        "BPF_JA uses reserved fields",
        e(
            "An unconditional jump has imm or registers set.",
            "Use `goto +N` only.",
        ),
    ),
    (
        "BPF_EXIT uses reserved fields",
        e("exit has fields set.", "Use plain `exit`."),
    ),
    (
        "invalid BPF_JMP opcode %",
        e(
            "The jump code does not exist in 4.4 (jlt, jle, jslt, jsle came in 4.14; the JMP32 class in 5.1).",
            "Swap the operands and use jgt/jge/jsgt/jsge, or negate the condition.",
        ),
    ),
    (
        "BPF_JMP uses reserved fields",
        e(
            "A conditional jump sets imm in its register form or src in its immediate form.",
            "Check the encoding.",
        ),
    ),
    (
        "R% pointer comparison prohibited",
        e(
            "Unprivileged programs may not compare pointers (other than a map lookup result against 0).",
            "Compare scalars, or load as root.",
        ),
    ),
    (
        "invalid func %",
        e(
            "The helper id is outside 0..25, the helpers Linux 4.4 has.",
            "Use a 4.4 helper id (1..25).",
        ),
    ),
    (
        "unknown func %",
        e(
            "This helper is not available to the program type (e.g. skb helpers in a kprobe; trace_printk in an unprivileged socket filter).",
            "Use a helper the program type may call (see the helper table), or change the program type.",
        ),
    ),
    (
        "cannot call GPL only function from proprietary program",
        e(
            "This helper is GPL-only and the program's license is not GPL-compatible.",
            "Load with a GPL-compatible license string such as \"GPL\".",
        ),
    ),
    (
        "R% type=% expected=%",
        e(
            "A helper argument has the wrong kind: a map pointer, a stack pointer (r10 plus a constant, not r10 itself), a constant size or the context.",
            "Pass what the helper's prototype asks, e.g. `r2 = r10; r2 += -8` for a key.",
        ),
    ),
    (
        "invalid stack type R% off=% access_size=%",
        e(
            "A helper's stack buffer lies outside the stack or has a size of zero or less.",
            "Pass a stack pointer and a positive constant size that fit below r10.",
        ),
    ),
    (
        "invalid indirect read from stack off %+% size %",
        e(
            "A helper would read stack bytes that were never initialised (4.4 has no write-only buffers).",
            "Write every byte of the buffer (key, format, output buffer) before the call.",
        ),
    ),
    (
        "invalid BPF_LD_IMM insn",
        e(
            "An LD IMM instruction with a size other than DW, which includes a jump into the second half of an lddw.",
            "Jump only to instruction boundaries; lddw occupies two slots.",
        ),
    ),
    (
        "BPF_LD_IMM64 uses reserved fields",
        e("lddw has a non-zero offset.", "Set the offset to 0."),
    ),
    (
        "BPF_LD_ABS|IND instructions not allowed for this program type",
        e(
            "Packet loads need an sk_buff context; kprobes do not have one.",
            "Use probe_read in kprobes, or a socket_filter / sched_cls / sched_act program.",
        ),
    ),
    (
        "BPF_LD_ABS uses reserved fields",
        e(
            "LD_ABS/LD_IND set dst, offset, or (for ABS) src.",
            "Write `r0 = *(u16 *)skb[12]` or `r0 = *(u16 *)skb[rX + 12]`.",
        ),
    ),
    (
        "at the time of BPF_LD_ABS|IND R6 != pointer to skb",
        e(
            "LD_ABS and LD_IND read the packet through r6, which must hold the context.",
            "Save the context first: `r6 = r1`.",
        ),
    ),
    (
        "invalid BPF_LD mode",
        e(
            "The LD class is used with a mode other than IMM, ABS or IND.",
            "Loads from memory use the LDX class.",
        ),
    ),
    (
        "bpfplay: %",
        e(
            "Not the kernel's message: Linux 4.4's verifier accepts this instruction, but 4.4's interpreter cannot run it (it logs \"unknown opcode\" and the program returns 0), so this emulator refuses to load it.",
            "Use instructions Linux 4.4 runs: 64-bit arsh instead of arsh32, LD_ABS of at most 4 bytes, no ALU64 END.",
        ),
    ),
    (
        "",
        e(
            "The verifier refused the program without a message: a helper got the wrong kind of map (tail_call needs a prog_array; perf_event_read/output need a perf_event_array), or the program uses more than 64 maps.",
            "Pass the right map type to the helper.",
        ),
    ),
];

/// Whether `message` is an instance of `pattern` (`%` matches a number, name or sign).
fn matches(pattern: &str, message: &str) -> bool {
    let (p, m) = (pattern.as_bytes(), message.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < p.len() {
        if p[i] == b'%' {
            let next = p.get(i + 1).copied();
            let start = j;
            while j < m.len() && Some(m[j]) != next {
                j += 1;
            }
            if j == start && next.is_some() {
                return false;
            }
            i += 1;
        } else {
            if m.get(j) != Some(&p[i]) {
                return false;
            }
            i += 1;
            j += 1;
        }
    }
    j == m.len()
}

/// The explanation of a verifier message (exact text without the newline).
pub fn explain(message: &str) -> Option<&'static Explanation> {
    TABLE
        .iter()
        .find(|(pattern, _)| matches(pattern, message))
        .map(|(_, e)| e)
}
