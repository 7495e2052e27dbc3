; Atomic add (XADD), the one atomic operation Linux 4.4 has: count three events in
; a stack slot. Fetching atomics (lock fetch add, xchg, cmpxchg) came in 5.12.
; type: socket_filter
; profile: linux-4.4
; result: 0x6
    r1 = 0
    *(u64 *)(r10 -8) = r1
    r2 = 1
    lock *(u64 *)(r10 -8) += r2
    r2 = 2
    lock *(u64 *)(r10 -8) += r2
    r2 = 3
    lock *(u64 *)(r10 -8) += r2
    r0 = *(u64 *)(r10 -8)
    exit
