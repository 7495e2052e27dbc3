; perf_event_read of slot 0 twice, returning the sum of both counts. On a BPF_OUTPUT
; event nothing counts, so 4.4 gives 0 + 0.
    r6 = r1
    r1 = map_fd(0) ll
    r2 = 0
    call perf_event_read
    r7 = r0
    r1 = map_fd(0) ll
    r2 = 0
    call perf_event_read
    r0 += r7
    exit
