; Parse Ethernet / IPv4 / TCP with LD_ABS and LD_IND, as classic socket filters do:
; keep the packet (return -1) when it is TCP to port 80, drop it (return 0) otherwise.
; LD_IND adds a register to the offset: here the IPv4 header length.
; type: socket_filter
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0xffffffff
    r6 = r1
    r0 = *(u16 *)skb[12]            ; ethertype
    if r0 != 0x800 goto drop
    r0 = *(u8 *)skb[23]             ; protocol
    if r0 != 0x6 goto drop
    r0 = *(u8 *)skb[14]             ; version / IHL
    r0 &= 15
    r0 <<= 2                        ; IPv4 header length in bytes
    r7 = r0
    r0 = *(u16 *)skb[r7 + 16]       ; TCP destination port: 14 + ihl + 2
    if r0 != 0x50 goto drop
    r0 = -1                         ; keep the whole packet
    exit
drop:
    r0 = 0
    exit
