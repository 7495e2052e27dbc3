; samples/bpf sockex1: a socket filter that counts packets per IP protocol in an
; array map (index = protocol number, value = u64 count), then keeps the packet.
; LD_ABS reads through r6, which must hold the context.
; type: socket_filter
; maps: array:4:8:256
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0x46
    r6 = r1                         ; keep ctx for LD_ABS and for len
    r0 = *(u8 *)skb[23]             ; IPv4 protocol byte (14 + 9)
    *(u32 *)(r10 -4) = r0           ; key on the stack
    r2 = r10
    r2 += -4
    r1 = map_fd(0) ll               ; map index 0
    call bpf_map_lookup_elem
    if r0 == 0 goto out             ; 4.4 insists on this NULL check
    r1 = 1
    lock *(u64 *)(r0 +0) += r1      ; atomic add: other CPUs count too
out:
    r0 = *(u32 *)(r6 +0)            ; keep skb->len bytes: the whole packet
    exit
