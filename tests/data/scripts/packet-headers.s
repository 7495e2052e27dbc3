; Issue 15, point 1: LD_ABS/LD_IND at negative offsets read the headers (4.4's
; bpf_internal_load_pointer_neg_helper, net/core/filter.c). Returns the network
; header's first u16 (LD_ABS at SKF_NET_OFF) in the high half, and in the low half
; the ethertype (LD_IND at SKF_LL_OFF + 12) or'ed with the IPv4 protocol byte
; (LD_ABS at SKF_NET_OFF + 9).
    r6 = r1
    r0 = *(u16 *)skb[-1048576]
    r7 = r0
    r7 <<= 16
    r8 = -2097152
    r0 = *(u16 *)skb[r8 + 12]
    r7 |= r0
    r0 = *(u8 *)skb[-1048567]
    r0 |= r7
    exit
