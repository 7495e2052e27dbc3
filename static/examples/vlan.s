; VLAN tags with skb_vlan_push / skb_vlan_pop. Pushing onto an untagged packet sets
; the hardware-accelerated tag (skb->vlan_tci); a second push moves the first tag into
; the packet bytes. The proto argument is htons(ETH_P_8021Q) = 0x0081 on x86.
; type: sched_cls
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0x14
    r6 = r1
    r2 = 0x0081                     ; htons(0x8100)
    r3 = 10                         ; VLAN id 10
    call bpf_skb_vlan_push
    r1 = r6
    r2 = 0x0081
    r3 = 20                         ; VLAN id 20: tag 10 goes into the packet
    call bpf_skb_vlan_push
    r0 = *(u32 *)(r6 +24)           ; __sk_buff->vlan_tci: 20
    exit
