//! Context layouts of Linux 4.4: `struct __sk_buff` (76 bytes) with who may read and
//! write each field, and the x86-64 `struct pt_regs` of kprobes.

/// `sizeof(struct __sk_buff)` in 4.4.
pub const SKB_CTX_SIZE: usize = 76;
/// `sizeof(struct pt_regs)` on x86-64.
pub const PT_REGS_SIZE: usize = 168;
/// The VLAN_TAG_PRESENT bit of `skb->vlan_tci`.
pub const VLAN_TAG_PRESENT: u16 = 0x1000;

/// `SKF_NET_OFF` of include/uapi/linux/filter.h: `LD_ABS`/`LD_IND` offsets from here up
/// to -1 read from the network header.
pub const SKF_NET_OFF: i32 = -0x10_0000;
/// `SKF_LL_OFF`: offsets from here up to `SKF_NET_OFF` read from the MAC header.
pub const SKF_LL_OFF: i32 = -0x20_0000;
/// Where the emulated skb's MAC header starts in its packet bytes. The packet is an
/// Ethernet frame seen from its first byte, as a packet socket's filter sees it
/// (net/packet/af_packet.c `packet_rcv` pushes back to the MAC header before
/// `run_filter`) and as tc sees it (net/core/dev.c `handle_ing` runs with the MAC
/// header pushed back).
pub const MAC_HEADER: u32 = 0;
/// Where the network header starts: after the 14-byte Ethernet header (`ETH_HLEN`),
/// where `eth_type_trans` leaves it.
pub const NETWORK_HEADER: u32 = 14;

/// The packet byte that a legacy packet load at offset `k` starts reading, before the
/// bounds check; `None` below `SKF_LL_OFF`. 4.4's `bpf_load_pointer`
/// (include/linux/filter.h) reads non-negative `k` from `skb->data`, and
/// `bpf_internal_load_pointer_neg_helper` (net/core/filter.c) maps
/// `[SKF_NET_OFF, 0)` onto the network header and `[SKF_LL_OFF, SKF_NET_OFF)` onto
/// the MAC header.
pub const fn packet_load_start(k: i32) -> Option<u32> {
    if k >= 0 {
        Some(k as u32)
    } else if k >= SKF_NET_OFF {
        Some(NETWORK_HEADER + k.abs_diff(SKF_NET_OFF))
    } else if k >= SKF_LL_OFF {
        Some(MAC_HEADER + k.abs_diff(SKF_LL_OFF))
    } else {
        None
    }
}

/// A field of `struct __sk_buff`, with its offset and who may touch it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkbField {
    pub name: &'static str,
    pub offset: usize,
    /// Readable by socket filters / by tc programs.
    pub read: (bool, bool),
    /// Writable by socket filters / by tc programs.
    pub write: (bool, bool),
}

const fn field(
    name: &'static str,
    offset: usize,
    read: (bool, bool),
    write: (bool, bool),
) -> SkbField {
    SkbField {
        name,
        offset,
        read,
        write,
    }
}

/// The 4.4 field table (kernel-4.4.md §5.1). `cb` is five u32 at 48..68.
pub const SKB_FIELDS: [SkbField; 19] = [
    field("len", 0, (true, true), (false, false)),
    field("pkt_type", 4, (true, true), (false, false)),
    field("mark", 8, (true, true), (false, true)),
    field("queue_mapping", 12, (true, true), (false, false)),
    field("protocol", 16, (true, true), (false, false)),
    field("vlan_present", 20, (true, true), (false, false)),
    field("vlan_tci", 24, (true, true), (false, false)),
    field("vlan_proto", 28, (true, true), (false, false)),
    field("priority", 32, (true, true), (false, true)),
    field("ingress_ifindex", 36, (true, true), (false, false)),
    field("ifindex", 40, (true, true), (false, false)),
    field("tc_index", 44, (true, true), (false, true)),
    field("cb[0]", 48, (true, true), (true, true)),
    field("cb[1]", 52, (true, true), (true, true)),
    field("cb[2]", 56, (true, true), (true, true)),
    field("cb[3]", 60, (true, true), (true, true)),
    field("cb[4]", 64, (true, true), (true, true)),
    field("hash", 68, (true, true), (false, false)),
    field("tc_classid", 72, (false, false), (false, true)),
];

/// x86-64 `struct pt_regs` field names in layout order (8 bytes each).
pub const PT_REGS_FIELDS: [&str; 21] = [
    "r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si", "di",
    "orig_ax", "ip", "cs", "flags", "sp", "ss",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_4_4s() {
        assert_eq!(SKB_FIELDS.last().map(|f| f.offset + 4), Some(SKB_CTX_SIZE));
        assert!(
            SKB_FIELDS
                .windows(2)
                .all(|w| w[1].offset == w[0].offset + 4)
        );
        assert_eq!(PT_REGS_FIELDS.len() * 8, PT_REGS_SIZE);
    }
}
