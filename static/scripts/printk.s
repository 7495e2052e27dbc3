; A kprobe that writes to trace_pipe and sends the probed function's first argument
; (pt_regs->di, offset 112) to a perf event ring (map index 0, slot = this CPU).
; type: kprobe
; maps: perf_event_array:4:4:4
; profile: linux-4.4
    r6 = r1
    r1 = 0x0a6425203d206964 ll ; "di = %d\n"
    *(u64 *)(r10 -16) = r1
    r1 = 0
    *(u64 *)(r10 -8) = r1      ; the terminating NUL
    r3 = *(u64 *)(r6 +112)
    r1 = r10
    r1 += -16
    r2 = 9
    call trace_printk
    r1 = *(u64 *)(r6 +112)
    *(u64 *)(r10 -8) = r1
    call get_smp_processor_id
    r3 = r0
    r1 = r6
    r2 = map_fd(0) ll
    r4 = r10
    r4 += -8
    r5 = 8
    call perf_event_output
    r0 = 1
    exit
