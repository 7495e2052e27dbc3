; Issue 15, point 1: an offset below SKF_LL_OFF reaches no header: 4.4's
; bpf_internal_load_pointer_neg_helper returns NULL and the program ends with r0 = 0.
    r6 = r1
    r0 = 7
    r0 = *(u8 *)skb[-2097153]
    exit
