; A tc classifier that counts packets in the first map it is given (index 0):
; key 0 of an array or hash map holding a u64.
; type: sched_cls
; maps: array:4:8:1
; profile: linux-4.4
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
