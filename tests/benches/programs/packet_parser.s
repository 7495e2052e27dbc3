; Loop-free Ethernet/IPv4/TCP parser with LD_ABS/LD_IND (socket_filter, Linux 4.4).
; Checks the ethertype, protocol and fragment bits, finds the TCP header through the
; IHL (LD_IND), reads ports, sequence numbers, flags and data offset, folds them into
; a flow hash, and keeps the packet (returns its IP length) only for TCP to port 80
; with ACK set. Run on tcp_frame.hex (118 bytes: 10.0.0.1:40001 -> 192.168.77.200:80,
; PSH|ACK, MSS and timestamp options, an HTTP GET; valid checksums) it returns 0x68.
; type: socket_filter
; profile: linux-4.4
    r6 = r1
    r0 = *(u16 *)skb[12]          ; ethertype
    if r0 != 0x800 goto drop
    r0 = *(u8 *)skb[14]           ; version and IHL
    r7 = r0
    r7 &= 0xf
    r7 <<= 2                      ; IP header length in bytes
    r0 >>= 4
    if r0 != 4 goto drop
    r0 = *(u8 *)skb[23]           ; protocol
    if r0 != 6 goto drop
    r0 = *(u16 *)skb[20]          ; flags and fragment offset
    r0 &= 0x1fff
    if r0 != 0 goto drop
    r0 = *(u16 *)skb[16]          ; total length
    r9 = r0
    r0 = *(u32 *)skb[26]          ; source address
    r8 = r0
    r0 = *(u32 *)skb[30]          ; destination address
    r8 ^= r0
    r8 *= 0x9e3779b1
    r0 = *(u16 *)skb[r7 + 14]     ; source port
    r8 += r0
    r0 = *(u16 *)skb[r7 + 16]     ; destination port
    *(u64 *)(r10 -16) = r0        ; LD_ABS/LD_IND clobber r1-r5: keep it on the stack
    r0 <<= 16
    r8 ^= r0
    r0 = *(u32 *)skb[r7 + 18]     ; sequence number
    r8 += r0
    r0 = *(u32 *)skb[r7 + 22]     ; acknowledgement number
    r8 ^= r0
    r8 *= 0x85ebca6b
    r0 = *(u8 *)skb[r7 + 27]      ; TCP flags
    r3 = r0
    r3 &= 0x10                    ; ACK
    if r3 == 0 goto drop
    r0 &= 0x07                    ; SYN, FIN or RST
    if r0 != 0 goto drop
    r0 = *(u32 *)skb[r7 + 14]     ; ports again, as one word
    r8 ^= r0
    r0 = *(u16 *)skb[r7 + 28]     ; window
    r8 += r0
    r0 = *(u8 *)skb[r7 + 26]      ; data offset
    r0 >>= 4
    r0 <<= 2
    r2 = r7
    r2 += r0                      ; IP + TCP header length
    if r2 >= r9 goto drop         ; no payload
    r0 = *(u8 *)skb[r2 + 14]      ; first payload byte
    r8 ^= r0
    *(u32 *)(r10 -4) = r8         ; the flow hash, kept on the stack
    r1 = *(u64 *)(r10 -16)
    if r1 != 80 goto drop
    r0 = r9
    exit
drop:
    r0 = 0
    exit
