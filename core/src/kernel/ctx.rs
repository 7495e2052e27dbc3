//! Program contexts: `struct __sk_buff` over an emulated skb, and the x86-64
//! `struct pt_regs` of kprobes. Their layouts are [`crate::linux::ctx`]'s.

use crate::linux::ctx::{PT_REGS_FIELDS, SKB_CTX_SIZE, VLAN_TAG_PRESENT};
use crate::prelude::*;

/// The sk_buff state behind `__sk_buff`, other than the packet bytes.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SkbMeta {
    pub pkt_type: u32,
    pub mark: u32,
    pub queue_mapping: u16,
    /// `skb->protocol` as stored: the ethertype in network byte order.
    pub protocol_be: u16,
    /// `skb->vlan_tci` including VLAN_TAG_PRESENT (hardware-accelerated tag).
    pub vlan_tci: u16,
    /// `skb->vlan_proto` in network byte order.
    pub vlan_proto_be: u16,
    pub priority: u32,
    pub ingress_ifindex: u32,
    pub ifindex: u32,
    pub tc_index: u16,
    pub cb: [u32; 5],
    pub hash: u32,
    pub tc_classid: u16,
    /// The route's realm (`get_route_realm`).
    pub route_realm: u32,
    /// Tunnel metadata of a received packet: (tunnel id, remote IPv4 in host order).
    pub tunnel: Option<(u32, u32)>,
}

impl SkbMeta {
    /// Metadata for an Ethernet frame: protocol taken from its ethertype.
    pub fn for_frame(packet: &[u8]) -> Self {
        let ethertype = packet
            .get(12..14)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
        SkbMeta {
            protocol_be: ethertype.to_be(),
            ifindex: 2,
            ingress_ifindex: 2,
            ..SkbMeta::default()
        }
    }

    /// The 76 bytes a program reads through its ctx pointer.
    pub fn to_ctx(&self, len: u32) -> [u8; SKB_CTX_SIZE] {
        let words: [u32; 19] = [
            len,
            self.pkt_type & 7,
            self.mark,
            self.queue_mapping.into(),
            // The stored network-order u16, read as a host integer.
            self.protocol_be.into(),
            u32::from(self.vlan_tci & VLAN_TAG_PRESENT != 0),
            (self.vlan_tci & !VLAN_TAG_PRESENT).into(),
            self.vlan_proto_be.into(),
            self.priority,
            self.ingress_ifindex,
            self.ifindex,
            self.tc_index.into(),
            self.cb[0],
            self.cb[1],
            self.cb[2],
            self.cb[3],
            self.cb[4],
            self.hash,
            self.tc_classid.into(),
        ];
        let mut out = [0u8; SKB_CTX_SIZE];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Takes back what a program may have written: mark, priority, tc_index, cb and
    /// tc_classid (tc_index and tc_classid keep their low 16 bits, as 4.4 stores them).
    pub fn absorb_ctx(&mut self, ctx: &[u8]) {
        let word = |off: usize| {
            ctx.get(off..off + 4)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        self.mark = word(8);
        self.priority = word(32);
        self.tc_index = word(44) as u16;
        for (i, cb) in self.cb.iter_mut().enumerate() {
            *cb = word(48 + 4 * i);
        }
        self.tc_classid = word(72) as u16;
    }
}

/// A kprobe's register snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PtRegs(pub [u64; 21]);

impl PtRegs {
    /// Sets a register by its pt_regs name (`di` is the first argument).
    pub fn set(&mut self, name: &str, value: u64) -> bool {
        match PT_REGS_FIELDS.iter().position(|f| *f == name) {
            Some(i) => {
                self.0[i] = value;
                true
            }
            None => false,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|r| r.to_le_bytes()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skb_meta_reads_and_writes_the_4_4_sk_buff() {
        let frame = [0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
        let meta = SkbMeta {
            vlan_tci: VLAN_TAG_PRESENT | 42,
            ..SkbMeta::for_frame(&frame)
        };
        let ctx = meta.to_ctx(60);
        assert_eq!(&ctx[0..4], &60u32.to_le_bytes());
        // IPv4 (0x0800) in network order reads as 0x0008 on a little-endian host.
        assert_eq!(&ctx[16..20], &8u32.to_le_bytes());
        assert_eq!(&ctx[20..24], &1u32.to_le_bytes());
        assert_eq!(&ctx[24..28], &42u32.to_le_bytes());
        let mut written = ctx;
        written[8..12].copy_from_slice(&7u32.to_le_bytes());
        written[44..48].copy_from_slice(&0x1_2345u32.to_le_bytes());
        written[0..4].copy_from_slice(&1u32.to_le_bytes());
        let mut back = meta.clone();
        back.absorb_ctx(&written);
        assert_eq!((back.mark, back.tc_index), (7, 0x2345));
        assert_eq!(
            back.to_ctx(60)[0..4],
            60u32.to_le_bytes(),
            "len is not writable"
        );
    }
}
