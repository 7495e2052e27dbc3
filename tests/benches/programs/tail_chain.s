; Tail-call chain: the program counts its runs in cb[0] and tail-calls slot 0 of a
; prog_array (map index 0: prog_array, key 4, value 4, 1 entry) that holds itself.
; Linux 4.4 allows 32 tail calls per invocation (MAX_TAIL_CALL_CNT), and bpfplay counts
; as 4.4 does, so one invocation runs the program 34 times (33 successful tail calls)
; and returns 34.
; type: sched_cls
; profile: linux-4.4
; maps: prog_array:4:4:1
    r6 = r1
    r0 = *(u32 *)(r6 +48)         ; cb[0]
    r0 += 1
    *(u32 *)(r6 +48) = r0
    r1 = r6
    r2 = map_fd(0) ll
    r3 = 0
    call tail_call
    r0 = *(u32 *)(r6 +48)
    exit
