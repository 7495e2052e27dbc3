; Returns the packet's first byte, sign-extended: each run chooses the TC_ACT_* value.
    r6 = r1
    r0 = *(u8 *)skb[0]
    r0 <<= 56
    r0 s>>= 56
    exit
