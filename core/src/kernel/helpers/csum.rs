//! Checksum arithmetic of Linux 4.4's packet-writing helpers: `bpf_skb_store_bytes` (9),
//! `bpf_l3_csum_replace` (10) and `bpf_l4_csum_replace` (11), after `net/core/filter.c`,
//! `include/net/checksum.h` and `net/core/utils.c` of 4.4.
//!
//! The packet is the `&mut [u8]` starting at the MAC header (where a tc program's offsets
//! start); [`SkbCsum`] is the part of the `sk_buff` the helpers may update.
//!
//! # Byte order of `from` / `to`
//!
//! The kernel takes the helpers' `from`/`to` registers as `__be32` (or `__be16`) values,
//! i.e. it uses the register's low bytes as they would lie in memory on the
//! (little-endian, x86) CPU. A program therefore passes the values exactly as a 4-byte (or
//! 2-byte) memory load of the network-order packet bytes gives them. To replace the IPv4
//! address bytes `[10, 0, 0, 1]` with `[10, 0, 0, 2]`, it passes
//! `from = u32::from_le_bytes([10, 0, 0, 1])` and `to = u32::from_le_bytes([10, 0, 0, 2])`;
//! for a 2-byte field, `u16::from_le_bytes(bytes)`. A value read with `LD_ABS`/`LD_IND`
//! (which converts to host order) has to be byte-swapped back first, as in the kernel.
//!
//! The 16-bit checksum field at `off` is the two raw bytes `packet[off..off + 2]` (a
//! `__sum16`, network order).
//!
//! # Representation of sums
//!
//! The one's-complement sums here (including [`SkbCsum::csum`]) take the bytes as
//! big-endian (network-order) 16-bit words. The kernel on x86 holds the byte-swapped
//! equivalent; one's-complement addition commutes with that swap, so every byte written
//! to the packet is the same as the kernel's. Only the folded value of a 32-bit sum is
//! meaningful (its exact 32-bit form depends on how it was accumulated, as in the kernel).

/// `BPF_F_RECOMPUTE_CSUM` of `bpf_skb_store_bytes`.
const BPF_F_RECOMPUTE_CSUM: u64 = 1;
/// `BPF_HEADER_FIELD_SIZE(flags)` of the csum_replace helpers.
const BPF_F_HDR_FIELD_MASK: u64 = 0xf;
/// `BPF_IS_PSEUDO_HEADER(flags)` of `bpf_l4_csum_replace`.
const BPF_F_PSEUDO_HDR: u64 = 0x10;
/// `sizeof(buf)` in `bpf_skb_store_bytes`: the most bytes one call may write.
const STORE_BYTES_MAX: usize = 16;

/// How the skb's checksum is kept (include/linux/skbuff.h `ip_summed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsumMode {
    /// `CHECKSUM_NONE`
    None,
    /// `CHECKSUM_UNNECESSARY`
    Unnecessary,
    /// `CHECKSUM_COMPLETE`: `csum` holds the sum of the packet data.
    Complete,
    /// `CHECKSUM_PARTIAL`: the L4 checksum field holds the folded pseudo-header sum (not
    /// complemented); the rest is left to the device.
    Partial,
}

/// The sk_buff checksum state a helper may update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkbCsum {
    pub mode: CsumMode,
    /// skb->csum (a 32-bit one's-complement partial sum) when mode == Complete: the sum of
    /// the covered bytes taken as big-endian 16-bit words (see the module doc). Only its
    /// folded value is meaningful. The covered range must start at an even packet offset
    /// for `store_bytes`' updates to line up (as in the kernel).
    pub csum: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsumError {
    /// -EFAULT: offset/length outside the packet or over the limits
    Fault,
    /// -EINVAL: bad flags
    Invalid,
}

/// `bpf_skb_store_bytes(skb, off, from, len, flags)`, 4.4: writes `from` at `off`.
///
/// `Fault` (-EFAULT) if `(u32)off > 0xffff`, `from.len() > 16`, or `off + len` is past the
/// end of the packet; nothing is changed then. With flags bit 0 (`BPF_F_RECOMPUTE_CSUM`)
/// and `mode == Complete`, the old bytes' sum is taken out of `skb.csum` and the new bytes'
/// sum added. Other flag bits are ignored (4.4 checks none).
///
/// As in 4.4, the bytes are summed as if they started a 16-bit word
/// (`csum_partial(ptr, len, 0)`), so for an odd `off` the update does not match the
/// packet's sum (later kernels fixed this with `csum_block_sub`/`csum_block_add`).
pub fn store_bytes(
    packet: &mut [u8],
    skb: &mut SkbCsum,
    off: u64,
    from: &[u8],
    flags: u64,
) -> Result<(), CsumError> {
    if from.len() > STORE_BYTES_MAX {
        return Err(CsumError::Fault);
    }
    let at = checked_range(packet, off, from.len())?;
    let target = &mut packet[at..at + from.len()];
    let recompute = flags & BPF_F_RECOMPUTE_CSUM != 0 && skb.mode == CsumMode::Complete;
    if recompute {
        // skb_postpull_rcsum(skb, ptr, len)
        skb.csum = csum_sub(skb.csum, csum_partial(target, 0));
    }
    target.copy_from_slice(from);
    if recompute {
        skb.csum = csum_add(skb.csum, csum_partial(from, 0));
    }
    Ok(())
}

/// `bpf_l3_csum_replace(skb, off, from, to, flags)`, 4.4: updates the 16-bit checksum at
/// `off` for a field that changed from `from` to `to` (RFC 1624), without touching the
/// field itself.
///
/// `Fault` if `(u32)off > 0xffff` or `off + 2` is past the end of the packet (checked
/// first); then `Invalid` unless `flags & 0xf` (the field size) is 2 or 4. Higher flag
/// bits are ignored. Size 2 uses the low 16 bits of `from`/`to` (`csum_replace2`), size 4
/// the low 32 bits (`csum_replace4`); both in the byte order described in the module doc:
/// the value a little-endian memory load of the field's network-order bytes gives.
pub fn l3_csum_replace(
    packet: &mut [u8],
    off: u64,
    from: u64,
    to: u64,
    flags: u64,
) -> Result<(), CsumError> {
    let at = checked_range(packet, off, 2)?;
    let mut sum = read_sum16(packet, at);
    match flags & BPF_F_HDR_FIELD_MASK {
        2 => csum_replace2(&mut sum, be16_of(from), be16_of(to)),
        4 => csum_replace4(&mut sum, from as u32, to as u32),
        _ => return Err(CsumError::Invalid),
    }
    write_sum16(packet, at, sum);
    Ok(())
}

/// `bpf_l4_csum_replace(skb, off, from, to, flags)`, 4.4: like [`l3_csum_replace`] (same
/// checks, same `from`/`to` byte order) for a TCP/UDP checksum, through
/// `inet_proto_csum_replace{2,4}`. Flags bit 4 (0x10, `BPF_F_PSEUDO_HDR`) says the changed
/// field is part of the pseudo-header (an IP address), which matters for `skb.mode`:
///
/// - not `Partial`: the checksum field is updated; if `Complete` and pseudo, `skb.csum`
///   is updated too (the packet's net change of address, IP checksum and L4 checksum).
/// - `Partial`: the field holds the pseudo-header sum; it changes only when pseudo.
///
/// Size 2 passes the zero-extended 16-bit values on to the 4-byte update, as 4.4 does.
pub fn l4_csum_replace(
    packet: &mut [u8],
    skb: &mut SkbCsum,
    off: u64,
    from: u64,
    to: u64,
    flags: u64,
) -> Result<(), CsumError> {
    let at = checked_range(packet, off, 2)?;
    let pseudo = flags & BPF_F_PSEUDO_HDR != 0;
    let (from, to) = match flags & BPF_F_HDR_FIELD_MASK {
        // inet_proto_csum_replace2: (__force __be32) of the __be16 values.
        2 => (u32::from(from as u16), u32::from(to as u16)),
        4 => (from as u32, to as u32),
        _ => return Err(CsumError::Invalid),
    };
    let mut sum = read_sum16(packet, at);
    inet_proto_csum_replace4(&mut sum, skb, from, to, pseudo);
    write_sum16(packet, at, sum);
    Ok(())
}

/// The 4.4 offset checks: `(u32)off > 0xffff`, then `skb_header_pointer(skb, off, len)`.
/// Returns `off` as an index with `off + len <= packet.len()`.
fn checked_range(packet: &[u8], off: u64, len: usize) -> Result<usize, CsumError> {
    // `int offset = (int) r2; if ((u32) offset > 0xffff)`: only the low 32 bits count.
    let off = off as u32;
    if off > 0xffff {
        return Err(CsumError::Fault);
    }
    let at = off as usize;
    match at.checked_add(len) {
        Some(end) if end <= packet.len() => Ok(at),
        _ => Err(CsumError::Fault),
    }
}

/// The `__sum16` at `at` (caller checked `at + 2 <= len`), as a big-endian word.
fn read_sum16(packet: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([packet[at], packet[at + 1]])
}

fn write_sum16(packet: &mut [u8], at: usize, sum: u16) {
    packet[at..at + 2].copy_from_slice(&sum.to_be_bytes());
}

/// A `__be16` register value (its low 16 bits, memory order of a little-endian CPU) as
/// the big-endian word of the same bytes.
fn be16_of(reg: u64) -> u16 {
    u16::from_be_bytes((reg as u16).to_le_bytes())
}

/// `csum_partial(buf, len, sum)`: `sum` plus the bytes as big-endian 16-bit words (an odd
/// last byte is the high half of a word), with end-around carry. Zero only if all are.
fn csum_partial(bytes: &[u8], sum: u32) -> u32 {
    let mut acc = u64::from(sum);
    let mut words = bytes.chunks_exact(2);
    for w in &mut words {
        acc += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        acc += u64::from(*last) << 8;
    }
    while acc >> 32 != 0 {
        acc = (acc & 0xffff_ffff) + (acc >> 32);
    }
    acc as u32
}

/// `csum_add`: 32-bit addition with end-around carry.
fn csum_add(csum: u32, addend: u32) -> u32 {
    let (res, carry) = csum.overflowing_add(addend);
    res + u32::from(carry)
}

/// `csum_sub`
fn csum_sub(csum: u32, addend: u32) -> u32 {
    csum_add(csum, !addend)
}

/// `csum16_add`: 16-bit addition with end-around carry.
fn csum16_add(csum: u16, addend: u16) -> u16 {
    let (res, carry) = csum.overflowing_add(addend);
    res + u16::from(carry)
}

/// `csum16_sub`
fn csum16_sub(csum: u16, addend: u16) -> u16 {
    csum16_add(csum, !addend)
}

/// `csum_fold`: folds a 32-bit sum to 16 bits and complements it.
fn csum_fold(sum: u32) -> u16 {
    let sum = (sum & 0xffff) + (sum >> 16);
    let sum = (sum & 0xffff) + (sum >> 16);
    !(sum as u16)
}

/// `csum_unfold`
fn csum_unfold(sum: u16) -> u32 {
    u32::from(sum)
}

/// The 8 bytes of `__be32 diff[] = { ~from, to }` as a little-endian CPU stores them.
fn diff_bytes(from: u32, to: u32) -> [u8; 8] {
    let mut diff = [0u8; 8];
    diff[..4].copy_from_slice(&(!from).to_le_bytes());
    diff[4..].copy_from_slice(&to.to_le_bytes());
    diff
}

/// `csum_replace2`, 4.4 (RFC 1624 eqn. 3, 16-bit arithmetic): `HC' = ~(~HC + ~m + m')`.
/// `old`/`new` are the big-endian words of the field's bytes.
fn csum_replace2(sum: &mut u16, old: u16, new: u16) {
    *sum = !csum16_add(csum16_sub(!*sum, old), new);
}

/// `csum_replace4`: `from`/`to` are `__be32` register values (see the module doc).
fn csum_replace4(sum: &mut u16, from: u32, to: u32) {
    *sum = csum_fold(csum_partial(&diff_bytes(from, to), !csum_unfold(*sum)));
}

/// `inet_proto_csum_replace4(sum, skb, from, to, pseudohdr)`, 4.4 `net/core/utils.c`.
fn inet_proto_csum_replace4(sum: &mut u16, skb: &mut SkbCsum, from: u32, to: u32, pseudo: bool) {
    let diff = diff_bytes(from, to);
    if skb.mode != CsumMode::Partial {
        *sum = csum_fold(csum_partial(&diff, !csum_unfold(*sum)));
        if skb.mode == CsumMode::Complete && pseudo {
            skb.csum = !csum_partial(&diff, !skb.csum);
        }
    } else if pseudo {
        *sum = !csum_fold(csum_partial(&diff, csum_unfold(*sum)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    const ETH: usize = 14;
    const IP_CSUM: usize = ETH + 10;
    const IP_SRC: usize = ETH + 12;
    const L4: usize = ETH + 20;
    const TCP_CSUM: usize = L4 + 16;
    const UDP_CSUM: usize = L4 + 6;

    /// RFC 1071 from scratch: sum all big-endian 16-bit words (odd byte padded with
    /// zero), fold the carries, complement.
    fn rfc1071(bytes: &[u8]) -> u16 {
        let mut sum: u64 = 0;
        for (i, b) in bytes.iter().enumerate() {
            sum += if i % 2 == 0 {
                u64::from(*b) << 8
            } else {
                u64::from(*b)
            };
        }
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }

    fn ip_header_csum(p: &[u8]) -> u16 {
        let mut h = p[ETH..L4].to_vec();
        h[10] = 0;
        h[11] = 0;
        rfc1071(&h)
    }

    /// The IPv4 pseudo-header of the packet's L4 segment.
    fn pseudo_header(p: &[u8]) -> Vec<u8> {
        let seg_len = (p.len() - L4) as u16;
        let mut ph = Vec::new();
        ph.extend_from_slice(&p[IP_SRC..IP_SRC + 8]);
        ph.extend_from_slice(&[0, p[ETH + 9]]);
        ph.extend_from_slice(&seg_len.to_be_bytes());
        ph
    }

    fn l4_csum(p: &[u8], csum_at: usize) -> u16 {
        let mut data = pseudo_header(p);
        let start = data.len();
        data.extend_from_slice(&p[L4..]);
        let c = start + (csum_at - L4);
        data[c] = 0;
        data[c + 1] = 0;
        rfc1071(&data)
    }

    fn stored(p: &[u8], at: usize) -> u16 {
        u16::from_be_bytes([p[at], p[at + 1]])
    }

    fn put(p: &mut [u8], at: usize, v: u16) {
        p[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }

    /// The whole-packet sum a `Complete` skb starts with (covering from offset 0).
    fn packet_sum(p: &[u8]) -> u32 {
        csum_partial(p, 0)
    }

    /// Ethernet + IPv4 + TCP (proto 6) or UDP (proto 17) with an odd-length payload and
    /// both checksums valid.
    fn packet(proto: u8) -> Vec<u8> {
        let payload = b"hello, checksum!!";
        let l4_len = if proto == 6 { 20 } else { 8 };
        let mut p = Vec::new();
        p.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
        let total = (20 + l4_len + payload.len()) as u16;
        p.extend_from_slice(&[0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, proto, 0, 0]);
        put(&mut p, ETH + 2, total);
        p.extend_from_slice(&[10, 0, 0, 1, 192, 168, 77, 200]);
        if proto == 6 {
            p.extend_from_slice(&[0x9c, 0x41, 0x00, 0x50]); // ports 40001 -> 80
            p.extend_from_slice(&[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
            p.extend_from_slice(&[0x50, 0x18, 0xfa, 0xf0, 0, 0, 0, 0]);
        } else {
            p.extend_from_slice(&[0x9c, 0x41, 0x00, 0x35, 0, 0, 0, 0]); // 40001 -> 53
            let udp_len = (8 + payload.len()) as u16;
            put(&mut p, L4 + 4, udp_len);
        }
        p.extend_from_slice(payload);
        let ip = ip_header_csum(&p);
        put(&mut p, IP_CSUM, ip);
        let at = if proto == 6 { TCP_CSUM } else { UDP_CSUM };
        let l4 = l4_csum(&p, at);
        put(&mut p, at, l4);
        p
    }

    fn assert_valid(p: &[u8], l4_at: usize) {
        assert_eq!(
            stored(p, IP_CSUM),
            ip_header_csum(p),
            "IPv4 header checksum"
        );
        assert_eq!(stored(p, l4_at), l4_csum(p, l4_at), "L4 checksum");
    }

    fn le32(b: &[u8]) -> u64 {
        u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn le16(b: &[u8]) -> u64 {
        u64::from(u16::from_le_bytes([b[0], b[1]]))
    }

    /// Rewrites the IPv4 source address in place and fixes both checksums with the
    /// helpers, as a NAT program does.
    fn rewrite_src(p: &mut [u8], skb: &mut SkbCsum, l4_at: usize, new: [u8; 4]) {
        let from = le32(&p[IP_SRC..]);
        let to = u64::from(u32::from_le_bytes(new));
        p[IP_SRC..IP_SRC + 4].copy_from_slice(&new);
        l3_csum_replace(p, IP_CSUM as u64, from, to, 4).unwrap();
        l4_csum_replace(p, skb, l4_at as u64, from, to, 0x10 | 4).unwrap();
    }

    fn complete(p: &[u8]) -> SkbCsum {
        SkbCsum {
            mode: CsumMode::Complete,
            csum: packet_sum(p),
        }
    }

    #[test]
    fn reference_packets_are_valid() {
        assert_valid(&packet(6), TCP_CSUM);
        assert_valid(&packet(17), UDP_CSUM);
        // Known RFC 1071 example words: 0x0001 f203 f4f5 f6f7 sum to 0xddf2.
        assert_eq!(
            rfc1071(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            !0xddf2
        );
    }

    #[test]
    fn tcp_address_rewrite_l3_and_l4_pseudo() {
        for new in [[10, 0, 0, 2], [172, 31, 255, 254], [0, 0, 0, 0], [255; 4]] {
            let mut p = packet(6);
            let mut skb = complete(&p);
            rewrite_src(&mut p, &mut skb, TCP_CSUM, new);
            assert_valid(&p, TCP_CSUM);
            // CHECKSUM_COMPLETE stays the packet's sum: the l4 pseudo update accounts for
            // address + IP checksum + TCP checksum changes.
            assert_eq!(csum_fold(skb.csum), csum_fold(packet_sum(&p)), "to {new:?}");
        }
    }

    #[test]
    fn tcp_port_rewrite_two_byte_field() {
        for mode in [CsumMode::None, CsumMode::Unnecessary, CsumMode::Complete] {
            let mut p = packet(6);
            let mut skb = SkbCsum {
                mode,
                csum: packet_sum(&p),
            };
            let before = skb;
            let dport = L4 + 2;
            let from = le16(&p[dport..]);
            let new = 8080u16.to_be_bytes();
            p[dport..dport + 2].copy_from_slice(&new);
            let to = u64::from(u16::from_le_bytes(new));
            l4_csum_replace(&mut p, &mut skb, TCP_CSUM as u64, from, to, 2).unwrap();
            assert_valid(&p, TCP_CSUM);
            // Not pseudo: skb->csum is left alone, and the packet's sum is unchanged.
            assert_eq!(skb, before);
            assert_eq!(csum_fold(packet_sum(&p)), csum_fold(before.csum));
        }
    }

    #[test]
    fn l3_two_byte_field() {
        // TTL/protocol word of the IPv4 header: decrement TTL.
        let mut p = packet(6);
        let from = le16(&p[ETH + 8..]);
        p[ETH + 8] -= 1;
        let to = le16(&p[ETH + 8..]);
        l3_csum_replace(&mut p, IP_CSUM as u64, from, to, 2).unwrap();
        assert_valid(&p, TCP_CSUM);
        // Upper register bits are ignored for size 2 (and for flags above 0xf).
        let from = le16(&p[ETH + 4..]) | 0xdead_0000;
        p[ETH + 4..ETH + 6].copy_from_slice(&[0xab, 0xcd]);
        let to = le16(&p[ETH + 4..]) | 0xffff_ffff_0000_0000;
        l3_csum_replace(&mut p, IP_CSUM as u64, from, to, 0xff0 | 2).unwrap();
        assert_valid(&p, TCP_CSUM);
    }

    #[test]
    fn udp_address_and_port_rewrite() {
        let mut p = packet(17);
        let mut skb = complete(&p);
        rewrite_src(&mut p, &mut skb, UDP_CSUM, [100, 64, 3, 7]);
        assert_valid(&p, UDP_CSUM);
        let sport = L4;
        let from = le16(&p[sport..]);
        p[sport..sport + 2].copy_from_slice(&5353u16.to_be_bytes());
        let to = le16(&p[sport..]);
        l4_csum_replace(&mut p, &mut skb, UDP_CSUM as u64, from, to, 2).unwrap();
        assert_valid(&p, UDP_CSUM);
        assert_eq!(csum_fold(skb.csum), csum_fold(packet_sum(&p)));
    }

    #[test]
    fn offset_and_flag_errors() {
        let mut p = packet(6);
        let orig = p.clone();
        let mut skb = complete(&p);
        let n = p.len() as u64;
        for off in [0x1_0000, 0xffff_ffff, u64::from(u32::MAX) + 0x1_0000] {
            assert_eq!(l3_csum_replace(&mut p, off, 0, 1, 4), Err(CsumError::Fault));
            assert_eq!(
                l4_csum_replace(&mut p, &mut skb, off, 0, 1, 4),
                Err(CsumError::Fault)
            );
            assert_eq!(
                store_bytes(&mut p, &mut skb, off, &[1], 1),
                Err(CsumError::Fault)
            );
        }
        for off in [n - 1, n, n + 1, 0xffff] {
            assert_eq!(l3_csum_replace(&mut p, off, 0, 1, 2), Err(CsumError::Fault));
            assert_eq!(
                l4_csum_replace(&mut p, &mut skb, off, 0, 1, 2),
                Err(CsumError::Fault)
            );
        }
        // The offset check comes first: a bad offset with bad flags is a Fault.
        assert_eq!(l3_csum_replace(&mut p, n, 0, 1, 3), Err(CsumError::Fault));
        for flags in [0, 1, 3, 5, 8, 0xf, 0x10, 0x13] {
            assert_eq!(
                l3_csum_replace(&mut p, 24, 0, 1, flags),
                Err(CsumError::Invalid)
            );
            assert_eq!(
                l4_csum_replace(&mut p, &mut skb, 50, 0, 1, flags),
                Err(CsumError::Invalid)
            );
        }
        assert_eq!(
            store_bytes(&mut p, &mut skb, 0, &[0; 17], 0),
            Err(CsumError::Fault)
        );
        assert_eq!(
            store_bytes(&mut p, &mut skb, n - 3, &[0; 4], 0),
            Err(CsumError::Fault)
        );
        // Only the low 32 bits of the offset count, as `(u32)(int)r2` in 4.4.
        assert_eq!(store_bytes(&mut p, &mut skb, 1 << 32, &[], 0), Ok(()));
        assert_eq!(p, orig, "failed calls change nothing");
        assert_eq!(skb, complete(&orig));
        // Edges that fit.
        assert_eq!(store_bytes(&mut p, &mut skb, n - 16, &[0; 16], 0), Ok(()));
        assert_eq!(store_bytes(&mut p, &mut skb, n, &[], 0), Ok(()));
        assert_eq!(l3_csum_replace(&mut p, n - 2, 0, 0, 2), Ok(()));
        let mut tiny = [0u8; 1];
        assert_eq!(
            l3_csum_replace(&mut tiny, 0, 0, 0, 2),
            Err(CsumError::Fault)
        );
        assert_eq!(
            store_bytes(&mut [], &mut skb, 0, &[1], 1),
            Err(CsumError::Fault)
        );
    }

    #[test]
    fn store_bytes_recompute_keeps_complete_sum() {
        let mut p = packet(6);
        let mut skb = complete(&p);
        // Even offsets, odd and even lengths, up to 16 bytes.
        let writes: [(usize, &[u8]); 4] = [
            (0, &[0xff; 6]),
            (ETH + 4, &[0xbe, 0xef, 0x00]),
            (
                L4 + 4,
                &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            ),
            (p.len() - 3, &[0x80, 0x01, 0x7f]),
        ];
        for (off, bytes) in writes {
            store_bytes(&mut p, &mut skb, off as u64, bytes, 1).unwrap();
            assert_eq!(&p[off..off + bytes.len()], bytes);
            assert_eq!(csum_fold(skb.csum), csum_fold(packet_sum(&p)), "at {off}");
        }
        // Without the flag, or not Complete, skb->csum is left alone.
        let before = skb;
        store_bytes(&mut p, &mut skb, 2, &[7, 7], 0).unwrap();
        assert_eq!(skb, before);
        store_bytes(&mut p, &mut skb, 2, &[8, 8], 0xfffe).unwrap();
        assert_eq!(skb, before);
        for mode in [CsumMode::None, CsumMode::Unnecessary, CsumMode::Partial] {
            let mut other = SkbCsum { mode, csum: 0x1234 };
            store_bytes(&mut p, &mut other, 2, &[9, 9], 1).unwrap();
            assert_eq!(other, SkbCsum { mode, csum: 0x1234 });
        }
    }

    #[test]
    fn store_bytes_odd_offset_keeps_the_4_4_quirk() {
        // 4.4 sums the written bytes as if they started a 16-bit word, so a write at an
        // odd offset moves skb->csum by the byte-swapped delta.
        let orig = packet(6);
        let mut p = orig.clone();
        let mut skb = complete(&p);
        let off = ETH + 9; // the IPv4 protocol byte, odd offset
        let old = p[off];
        store_bytes(&mut p, &mut skb, off as u64, &[old + 1], 1).unwrap();
        assert_ne!(csum_fold(skb.csum), csum_fold(packet_sum(&p)));
        // What 4.4 computes: minus (old << 8), plus ((old + 1) << 8).
        let expect = csum_add(
            csum_sub(packet_sum(&orig), u32::from(old) << 8),
            u32::from(old + 1) << 8,
        );
        assert_eq!(csum_fold(skb.csum), csum_fold(expect));
    }

    #[test]
    fn checksum_partial_changes_l4_field_only_when_pseudo() {
        let mut p = packet(6);
        // CHECKSUM_PARTIAL: the TCP field holds the folded pseudo-header sum.
        let seed = !rfc1071(&pseudo_header(&p));
        put(&mut p, TCP_CSUM, seed);
        let mut skb = SkbCsum {
            mode: CsumMode::Partial,
            csum: 0x5555,
        };
        let before_ip = stored(&p, IP_CSUM);

        // Not pseudo (a port): the field is left alone.
        let from = le16(&p[L4..]);
        p[L4..L4 + 2].copy_from_slice(&1234u16.to_be_bytes());
        let to = le16(&p[L4..]);
        l4_csum_replace(&mut p, &mut skb, TCP_CSUM as u64, from, to, 2).unwrap();
        assert_eq!(stored(&p, TCP_CSUM), seed);

        // Pseudo (an address): the field becomes the new pseudo-header sum.
        rewrite_src(&mut p, &mut skb, TCP_CSUM, [192, 0, 2, 33]);
        assert_eq!(stored(&p, TCP_CSUM), !rfc1071(&pseudo_header(&p)));
        assert_ne!(stored(&p, TCP_CSUM), seed);
        assert_ne!(stored(&p, IP_CSUM), before_ip);
        assert_eq!(stored(&p, IP_CSUM), ip_header_csum(&p));
        assert_eq!(
            skb,
            SkbCsum {
                mode: CsumMode::Partial,
                csum: 0x5555
            }
        );
    }

    #[test]
    fn helper_arithmetic() {
        assert_eq!(csum_fold(0), 0xffff);
        assert_eq!(csum_fold(0xffff), 0);
        assert_eq!(csum_fold(0x1_fffe), 0);
        assert_eq!(csum_add(0xffff_ffff, 1), 1);
        assert_eq!(csum_sub(5, 5), 0xffff_ffff);
        assert_eq!(csum16_add(0xffff, 1), 1);
        assert_eq!(csum_partial(&[], 0), 0);
        assert_eq!(csum_partial(&[0xab], 0), 0xab00);
        assert_eq!(
            csum_partial(&[0xff; 4], 0xffff_ffff),
            csum_add(0xffff_ffff, 0x1fffe)
        );
        // RFC 1624 section 4 example: HC 0xdd2f, m 0x5555 -> m' 0x3285 gives 0x0000.
        let mut hc = 0xdd2f;
        csum_replace2(&mut hc, 0x5555, 0x3285);
        assert_eq!(hc, 0x0000);
        // 4.4's 16-bit csum_replace2 vs the 32-bit path of l4 differ only in -0/+0.
        let mut a = 0xffff;
        csum_replace2(&mut a, 0xffff, 0);
        assert_eq!(a, 0xffff);
        let mut b = 0xffff;
        csum_replace4(&mut b, 0xffff, 0);
        assert_eq!(b, 0);
    }
}
