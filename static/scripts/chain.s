; Counts how often it runs in cb[0] (the __sk_buff scratch words, shared by every
; program of one invocation), then tail-calls slot 0 of the prog_array (map index 0)
; - itself. Linux 4.4 allows 32 + 1 tail calls per invocation; then tail_call falls
; through and the program returns the count.
; type: sched_cls
; maps: prog_array:4:4:1
; profile: linux-4.4
    r6 = r1
    r0 = *(u32 *)(r6 +48)
    r0 += 1
    *(u32 *)(r6 +48) = r0
    r1 = r6
    r2 = map_fd(0) ll
    r3 = 0
    call tail_call
    r0 = *(u32 *)(r6 +48)    ; only reached when the tail call fails
    exit
