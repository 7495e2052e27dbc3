; The smallest program: compute a value in r0 and exit.
; r0 is the program's return value; every program must set it before `exit`.
; type: socket_filter
; profile: linux-4.4
; result: 0x2a
r0 = 6
r0 *= 7
exit
