; Array-map counter: add one to the u64 at key 0 of an array map (map index 0:
; array, key 4, value 8) with an atomic add, the classic per-packet counter.
; type: sched_cls
; profile: linux-4.4
; maps: array:4:8:4
    r1 = 0
    *(u32 *)(r10 -4) = r1
    r2 = r10
    r2 += -4
    r1 = map_fd(0) ll
    call map_lookup_elem
    if r0 == 0 goto out
    r1 = 1
    lock *(u64 *)(r0 +0) += r1
out:
    r0 = 0
    exit
