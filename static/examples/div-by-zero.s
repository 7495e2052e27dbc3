; Division by a zero register. Linux 4.4's interpreter ended the program with r0 = 0;
; RFC 9669 (and Linux since 4.15) define the quotient as 0 and carry on.
; Compare: bpfplay run --profile linux-4.4 / --profile rfc9669.
; type: socket_filter
; profile: linux-4.4
; result: 0x0
    r0 = 7
    r1 = 0
    r0 /= r1
    r0 += 100
    exit
