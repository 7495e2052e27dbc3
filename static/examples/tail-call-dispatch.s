; A tail-call dispatcher: jump to the program for the packet's IP protocol through
; a prog_array (slot = protocol). A missing slot falls through to the default.
; Fill a slot from the console, e.g.:
;   map create /sys/fs/bpf/jmp type prog_array key 4 value 4 entries 256 name jmp
;   prog load tc-nat.s /sys/fs/bpf/tcp type sched_cls
;   map update pinned /sys/fs/bpf/jmp key 6 0 0 0 value pinned /sys/fs/bpf/tcp
; type: sched_cls
; maps: prog_array:4:4:256
; packet: 02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00 00 38 12 34 40 00 40 06 14 8a 0a 00 00 01 0a 00 00 02 9c 41 00 50 01 02 03 04 00 00 00 00 50 18 20 00 09 8d 00 00 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 30 0d 0a
; profile: linux-4.4
; result: 0x0
    r6 = r1
    r0 = *(u8 *)skb[23]             ; IP protocol
    r3 = r0                         ; index
    r1 = r6                         ; ctx
    r2 = map_fd(0) ll               ; the prog_array
    call bpf_tail_call              ; does not return when the slot is filled
    r0 = 0                          ; default: TC_ACT_OK
    exit
