; A tc classifier that rewrites the IPv4 source address 10.0.0.1 -> 10.0.0.9 and fixes
; the IPv4 and TCP checksums incrementally with l3/l4_csum_replace, like a NAT.
; from/to are given as a 4-byte load of the network-order bytes would hold them.
; type: sched_cls
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0x0
    r6 = r1
    r0 = *(u32 *)skb[26]            ; source address as a big-endian number
    r7 = r0
    r7 = be32 r7                    ; ... and as the helpers want it
    r8 = 0x0900000a                 ; 10.0.0.9, the same way
    *(u32 *)(r10 -4) = r8
    r1 = r6
    r2 = 26                         ; write the new address into the packet
    r3 = r10
    r3 += -4
    r4 = 4
    r5 = 0
    call bpf_skb_store_bytes
    r1 = r6
    r2 = 24                         ; IPv4 header checksum
    r3 = r7
    r4 = r8
    r5 = 4                          ; a 4-byte field changed
    call bpf_l3_csum_replace
    r1 = r6
    r2 = 50                         ; TCP checksum (14 + 20 + 16)
    r3 = r7
    r4 = r8
    r5 = 0x14                       ; 4 bytes, part of the pseudo-header
    call bpf_l4_csum_replace
    r0 = 0                          ; TC_ACT_OK
    exit
