; Checksum rewrite (source NAT): store 10.0.0.2 as the IPv4 source address with
; skb_store_bytes, then fix the IPv4 header checksum with l3_csum_replace and the TCP
; checksum (pseudo-header field) with l4_csum_replace. tests/tests/kernel_checksums.rs
; runs this program (for UDP with the offset 40) and has etherparse check the result.
; type: sched_cls
; profile: linux-4.4
    r6 = r1
    r0 = *(u32 *)skb[26]          ; source address, as a big-endian number
    r7 = r0
    r7 = be32 r7                  ; ... and as a 4-byte memory load sees it
    r8 = 0x0200000a               ; 10.0.0.2 the same way
    *(u32 *)(r10 -4) = r8
    r1 = r6
    r2 = 26
    r3 = r10
    r3 += -4
    r4 = 4
    r5 = 0
    call skb_store_bytes
    r1 = r6
    r2 = 24
    r3 = r7
    r4 = r8
    r5 = 4
    call l3_csum_replace
    r1 = r6
    r2 = 50                       ; 14 + 20 + 16: the TCP checksum
    r3 = r7
    r4 = r8
    r5 = 0x14                     ; pseudo-header field, 4 bytes
    call l4_csum_replace
    r0 = 0
    exit
