; A kprobe that sends a sample (its first argument, pt_regs->di) to user space through
; perf_event_output, into this CPU's slot of a perf_event_array. Give the slot a perf
; event first, from the console:
;   map create /sys/fs/bpf/events type perf_event_array key 4 value 4 entries 4
;   map update pinned /sys/fs/bpf/events key 0 0 0 0 value perf cpu 0
;   prog load perf-output.s /sys/fs/bpf/probe type kprobe map idx 0 pinned /sys/fs/bpf/events
;   prog run pinned /sys/fs/bpf/probe
; Run here with an empty slot, it returns -ENOENT (0xfffffffe).
; type: kprobe
; maps: perf_event_array:4:4:4
; profile: linux-4.4
; result: 0xfffffffe
    r6 = r1
    r1 = *(u64 *)(r6 +112)          ; pt_regs->di
    *(u64 *)(r10 -8) = r1
    call bpf_get_smp_processor_id
    r3 = r0                         ; slot: this CPU (4.4 has no BPF_F_CURRENT_CPU)
    r1 = r6
    r2 = map_fd(0) ll
    r4 = r10
    r4 += -8
    r5 = 8
    call bpf_perf_event_output
    exit
