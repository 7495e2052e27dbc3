; Helper calls back to back: 32 rounds of map_lookup_elem and map_update_elem on a
; hash map (map index 0: hash, key 4, value 8), the keys and values on the stack. What
; an invocation costs here is mostly the helper calls, which is what the JIT's host
; side is measured on (tests/benches/jit.rs). The 32 rounds are identical.
; type: sched_cls
; profile: linux-4.4
; maps: hash:4:8:1024
    r1 = 7
    *(u32 *)(r10 -4) = r1
    *(u64 *)(r10 -16) = r1
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r0 = 0
    exit
