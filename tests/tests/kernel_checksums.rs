//! A tc program rewrites the IPv4 source address with skb_store_bytes and fixes both
//! checksums with l3_csum_replace / l4_csum_replace in the emulated kernel; etherparse,
//! an independent parser, must then find every checksum valid.

use bpfplay_core::asm::assemble;
use bpfplay_core::kernel::{Kernel, ProgLoad, RunInput, Settings, Verdict};
use bpfplay_core::linux::ProgType;
use etherparse::{NetSlice, PacketBuilder, SlicedPacket, TransportSlice};

const PAYLOAD: &[u8] = b"odd-length payload!";

/// The benchmark's NAT program (`tests/benches/programs/csum_rewrite.s`, written for
/// TCP) with the L4 checksum at `l4_csum_off`: the TCP (50) or UDP (40) checksum.
fn nat_program(l4_csum_off: u32) -> String {
    const TCP: &str = "r2 = 50 ";
    let source = include_str!("../benches/programs/csum_rewrite.s");
    assert_eq!(
        source.matches(TCP).count(),
        1,
        "csum_rewrite.s sets the TCP checksum offset once"
    );
    source.replace(TCP, &format!("r2 = {l4_csum_off} "))
}

fn run_nat(packet: Vec<u8>, l4_csum_off: u32) -> Vec<u8> {
    let mut kernel = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let pid = kernel.spawn("tc", 0);
    let program = assemble(&nat_program(l4_csum_off), None).unwrap().program;
    let fd = kernel
        .prog_load(pid, &ProgLoad::new(ProgType::SchedCls, &program))
        .fd
        .unwrap();
    let report = kernel.run_prog(pid, fd, RunInput::packet(packet)).unwrap();
    assert_eq!(report.fault, None);
    assert_eq!(report.verdict, Some(Verdict::TcClassifier(0)));
    report.packet
}

fn builder() -> etherparse::PacketBuilderStep<etherparse::IpHeaders> {
    PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]).ipv4(
        [10, 0, 0, 1],
        [192, 168, 77, 200],
        64,
    )
}

#[test]
fn tcp_nat_rewrite_leaves_valid_checksums() {
    let b = builder().tcp(40001, 80, 0x1234_5678, 64240).ack(7).psh();
    let mut packet = Vec::with_capacity(b.size(PAYLOAD.len()));
    b.write(&mut packet, PAYLOAD).unwrap();
    let out = run_nat(packet, 14 + 20 + 16);
    let sliced = SlicedPacket::from_ethernet(&out).unwrap();
    let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
        panic!("not IPv4")
    };
    let header = ip.header().to_header();
    assert_eq!(header.source, [10, 0, 0, 2]);
    assert_eq!(
        ip.header().header_checksum(),
        header.calc_header_checksum(),
        "IPv4 header checksum"
    );
    let Some(TransportSlice::Tcp(tcp)) = &sliced.transport else {
        panic!("not TCP")
    };
    assert_eq!(
        tcp.checksum(),
        tcp.calc_checksum_ipv4(header.source, header.destination)
            .unwrap(),
        "TCP checksum"
    );
    assert_eq!(tcp.payload(), PAYLOAD);
}

#[test]
fn udp_nat_rewrite_leaves_valid_checksums() {
    let b = builder().udp(40001, 53);
    let mut packet = Vec::with_capacity(b.size(PAYLOAD.len()));
    b.write(&mut packet, PAYLOAD).unwrap();
    let out = run_nat(packet, 14 + 20 + 6);
    let sliced = SlicedPacket::from_ethernet(&out).unwrap();
    let Some(NetSlice::Ipv4(ip)) = &sliced.net else {
        panic!("not IPv4")
    };
    let header = ip.header().to_header();
    assert_eq!(header.source, [10, 0, 0, 2]);
    assert_eq!(ip.header().header_checksum(), header.calc_header_checksum());
    let Some(TransportSlice::Udp(udp)) = &sliced.transport else {
        panic!("not UDP")
    };
    let expected = udp
        .to_header()
        .calc_checksum_ipv4(&header, udp.payload())
        .unwrap();
    assert_eq!(udp.checksum(), expected, "UDP checksum");
}
