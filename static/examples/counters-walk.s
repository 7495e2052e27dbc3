; A map of counters keyed by a small id, to walk from the console with get_next_key
; (bpftool's `map getnext`): run this a few times with different packets, then
;   map create /sys/fs/bpf/c type hash key 4 value 8 entries 16 name counters
;   prog load counters-walk.s /sys/fs/bpf/p type socket_filter map idx 0 pinned /sys/fs/bpf/c
;   prog run pinned /sys/fs/bpf/p packet hex 05 00 00 00
;   prog run pinned /sys/fs/bpf/p packet hex 07 00 00 00
;   map getnext pinned /sys/fs/bpf/c key hex ff ff ff ff   (a missing key starts the walk)
;   map dump pinned /sys/fs/bpf/c
; type: socket_filter
; maps: hash:4:8:16
; packet: 05 00 00 00
; profile: linux-4.4
; result: 0x0
    r6 = r1
    r0 = *(u8 *)skb[0]              ; the id: first packet byte
    *(u32 *)(r10 -4) = r0
    r2 = r10
    r2 += -4
    r1 = map_fd(0) ll
    call bpf_map_lookup_elem
    if r0 == 0 goto insert
    r1 = 1
    lock *(u64 *)(r0 +0) += r1
    goto out
insert:
    r1 = 1
    *(u64 *)(r10 -16) = r1
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_map_update_elem
out:
    r0 = 0
    exit
