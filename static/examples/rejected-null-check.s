; A program the verifier rejects: map_lookup_elem returns a pointer to the value or
; NULL, and 4.4 refuses any access through it before the program checks for NULL.
; The verifier panel shows 4.4's log, the message
;   R0 invalid mem access 'map_value_or_null'
; and what it means. The fix: `if r0 == 0 goto out` before the store.
; type: socket_filter
; expect: rejected
; maps: hash:4:8:16
; profile: linux-4.4
    r1 = 0
    *(u32 *)(r10 -4) = r1
    r2 = r10
    r2 += -4
    r1 = map_fd(0) ll
    call bpf_map_lookup_elem
    r1 = 1
    *(u64 *)(r0 +0) = r1            ; rejected: r0 may be NULL here
    r0 = 0
    exit
