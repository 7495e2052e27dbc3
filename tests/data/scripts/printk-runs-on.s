; Two trace_printk calls: "a=%d" has no newline, so its entry runs on into the next
; one on trace_pipe (4.4 adds none); "b\n" ends the line.
    r1 = 0x0064253d61 ll       ; "a=%d\0"
    *(u64 *)(r10 -8) = r1
    r1 = r10
    r1 += -8
    r2 = 5
    r3 = 7
    call trace_printk
    r1 = 0x000a62 ll           ; "b\n\0"
    *(u64 *)(r10 -8) = r1
    r1 = r10
    r1 += -8
    r2 = 3
    call trace_printk
    r0 = 0
    exit
