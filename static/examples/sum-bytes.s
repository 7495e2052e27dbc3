; Sum the first four bytes of the input memory. r1 points at the memory and
; r2 holds its length (the bpf_conformance convention used by `bpfplay run --mem`).
; Linux 4.4 has no `<` jump (jlt came in 4.14), so the length check is `>=`.
; profile: linux-4.4
; mem: 01 02 03 04 05
; result: 0xa
    r0 = 0
    if r2 >= 4 goto sum
    exit
sum:
    r3 = *(u8 *)(r1 +0)
    r0 += r3
    r3 = *(u8 *)(r1 +1)
    r0 += r3
    r3 = *(u8 *)(r1 +2)
    r0 += r3
    r3 = *(u8 *)(r1 +3)
    r0 += r3
    exit
