; Egress half of a pair that shares one pinned map: counts bytes seen on egress in
; slot 1. Its twin, shared-ingress.s, counts slot 0 of the same map (see there for
; the console commands that share it).
; type: sched_cls
; maps: array:4:8:2
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0x0
    r6 = *(u32 *)(r1 +0)            ; skb->len
    r1 = 1                          ; slot 1: egress
    *(u32 *)(r10 -4) = r1
    r2 = r10
    r2 += -4
    r1 = map_fd(0) ll
    call bpf_map_lookup_elem
    if r0 == 0 goto out
    lock *(u64 *)(r0 +0) += r6
out:
    r0 = 0
    exit
