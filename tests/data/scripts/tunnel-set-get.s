; skb_set_tunnel_key(id 42, remote 10.0.0.1), then skb_get_tunnel_key into the same
; stack slot: r0 = the id read back (low 32 bits) + the remote read back (high 32 bits).
    r6 = r1
    r1 = 0x0a0000010000002a ll ; tunnel_id 42, remote_ipv4 0x0a000001
    *(u64 *)(r10 -8) = r1
    r1 = r6
    r2 = r10
    r2 += -8
    r3 = 8
    r4 = 0
    call skb_set_tunnel_key
    r1 = 0
    *(u64 *)(r10 -8) = r1
    r1 = r6
    r2 = r10
    r2 += -8
    r3 = 8
    r4 = 0
    call skb_get_tunnel_key
    if r0 != 0 goto out
    r0 = *(u64 *)(r10 -8)
out:
    exit
