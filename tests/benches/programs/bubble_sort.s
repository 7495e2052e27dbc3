; Data-dependent branches: a bubble sort of the 32 u32 values in the first 128 bytes of
; input r1 points at, on the stack. Whether a pair is swapped depends on the data (half
; the time on random values), so neither the branch nor the stores are predictable.
; r0 = the sum of s[i] * (i + 1) over the sorted values (it checks the order).
    r2 = 0
copy:
    r3 = r1
    r3 += r2
    r4 = *(u32 *)(r3 +0)
    r3 = r10
    r3 += r2
    *(u32 *)(r3 -128) = r4
    r2 += 4
    if r2 != 128 goto copy
    r6 = 124
outer:
    r2 = r10
    r2 += -128
    r7 = r2
    r7 += r6
inner:
    r4 = *(u32 *)(r2 +0)
    r5 = *(u32 *)(r2 +4)
    if r5 >= r4 goto ordered
    *(u32 *)(r2 +0) = r5
    *(u32 *)(r2 +4) = r4
ordered:
    r2 += 4
    if r7 > r2 goto inner
    r6 -= 4
    if r6 != 0 goto outer
    r0 = 0
    r2 = r10
    r2 += -128
    r3 = 1
sum:
    r4 = *(u32 *)(r2 +0)
    r4 *= r3
    r0 += r4
    r2 += 4
    r3 += 1
    if r3 != 33 goto sum
    exit
