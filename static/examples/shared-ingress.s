; Ingress half of a pair that shares one pinned map (Linux 4.4's persistent objects):
; counts bytes seen on ingress in slot 0. Its twin, shared-egress.s, counts slot 1 of
; the same map. Try in the console:
;   fs mkdir /sys/fs/bpf/tc
;   map create /sys/fs/bpf/tc/traffic type array key 4 value 8 entries 2 name traffic
;   prog load shared-ingress.s /sys/fs/bpf/tc/in type sched_cls map idx 0 pinned /sys/fs/bpf/tc/traffic
;   prog load shared-egress.s /sys/fs/bpf/tc/out type sched_cls map idx 0 pinned /sys/fs/bpf/tc/traffic
;   prog run pinned /sys/fs/bpf/tc/in packet hex 00 11 22 33
;   map dump pinned /sys/fs/bpf/tc/traffic
; type: sched_cls
; maps: array:4:8:2
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0x0
    r6 = *(u32 *)(r1 +0)            ; skb->len
    r1 = 0                          ; slot 0: ingress
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
