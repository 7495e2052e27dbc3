; BPF-to-BPF calls (Linux 4.16+, so rfc9669 profile): the callee gets its own stack
; frame and must leave the caller's r6-r9 as they were.
; profile: rfc9669
; result: 0x1e
    r6 = 10
    r1 = 20
    call identity
    r0 += r6          ; r6 survived the call
    exit
identity:
    r0 = r1
    r6 = 0            ; clobbering r6 here is fine: the caller's copy is restored
    exit
