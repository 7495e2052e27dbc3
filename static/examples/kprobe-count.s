; A kprobe that counts calls per process in a hash map (key: pid_tgid) and logs each
; hit with trace_printk. Output buffers and format strings live on the stack.
; type: kprobe
; maps: hash:8:8:64
; profile: linux-4.4
; result: 0x0
    call bpf_get_current_pid_tgid
    *(u64 *)(r10 -8) = r0
    r2 = r10
    r2 += -8
    r1 = map_fd(0) ll
    call bpf_map_lookup_elem
    if r0 != 0 goto count
    r1 = 1                          ; first call: insert 1
    *(u64 *)(r10 -16) = r1
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -8
    r3 = r10
    r3 += -16
    r4 = 1                          ; BPF_NOEXIST
    call bpf_map_update_elem
    goto log
count:
    r1 = 1
    lock *(u64 *)(r0 +0) += r1
log:
    r1 = 0x000a74696820 ll          ; " hit\n"
    *(u64 *)(r10 -24) = r1
    r1 = r10
    r1 += -24
    r2 = 6
    call bpf_trace_printk
    r0 = 0
    exit
