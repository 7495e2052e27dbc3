; A loop over packet bytes, as a filter walks a payload: over the 1024 bytes of input r1
; points at, two bytes a round, FNV-1a of the bytes, the sum of the big-endian 16-bit
; words folded to 16 bits (the Internet checksum's sum), and the count of bytes without
; the top bit set (a branch on the data, taken half the time on random bytes).
; r0 = the hash, the sum in bits 32-47 and the count from bit 48.
    r2 = r1
    r3 = r1
    r3 += 1024
    r4 = 0x811c9dc5 ll
    r5 = 0
    r9 = 0
loop:
    r6 = *(u8 *)(r2 +0)
    r7 = *(u8 *)(r2 +1)
    w4 ^= w6
    w4 *= 16777619
    w4 ^= w7
    w4 *= 16777619
    r8 = r6
    r8 <<= 8
    r8 |= r7
    r5 += r8
    if r6 > 127 goto high
    r9 += 1
high:
    r2 += 2
    if r3 > r2 goto loop
    r0 = r5
    r0 >>= 16
    r5 &= 0xffff
    r5 += r0
    r0 = r5
    r0 >>= 16
    r5 &= 0xffff
    r5 += r0
    r0 = r4
    r5 <<= 32
    r0 ^= r5
    r9 <<= 48
    r0 ^= r9
    exit
