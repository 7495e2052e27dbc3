; Hash-map lookup and update: count packets per source address in a hash map
; (map index 0: hash, key 4, value 8). Looks the key up, adds one to what it finds
; (or starts at 1), and writes the value back with map_update_elem.
; type: sched_cls
; profile: linux-4.4
; maps: hash:4:8:1024
    r6 = r1
    r0 = *(u32 *)skb[26]          ; source address is the key
    *(u32 *)(r10 -4) = r0
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    call map_lookup_elem
    r1 = 1
    if r0 == 0 goto store
    r1 = *(u64 *)(r0 +0)
    r1 += 1
store:
    *(u64 *)(r10 -16) = r1
    r1 = map_fd(0) ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0                        ; BPF_ANY
    call map_update_elem
    r0 = 0
    exit
