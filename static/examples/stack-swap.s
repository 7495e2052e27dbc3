; Use the 512-byte stack: r10 is the read-only frame pointer, so locals live at
; negative offsets from it. Store two words, swap them through memory, and return
; the big-endian view of the first one.
; type: socket_filter
; profile: linux-4.4
; result: 0x44332211
    r1 = 0x11223344
    r2 = 0x55667788
    *(u32 *)(r10 -4) = r1
    *(u32 *)(r10 -8) = r2
    r3 = *(u32 *)(r10 -4)
    r4 = *(u32 *)(r10 -8)
    *(u32 *)(r10 -4) = r4
    *(u32 *)(r10 -8) = r3
    r0 = *(u32 *)(r10 -8)
    r0 = be32 r0
    exit
