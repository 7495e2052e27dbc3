//! Programs that need the emulated Linux 4.4 kernel (maps, helpers, tail calls), run
//! with `Kernel::run_prog` as `bpfplay run --type` does: each iteration is a whole
//! invocation (context and packet mapped, run, report collected). Throughput is in
//! instructions executed, so small programs show the per-invocation cost per insn.

mod common;

use bpfplay_core::kernel::script::bind_maps;
use bpfplay_core::kernel::{Fd, Kernel, MapCreate, MapType, Pid, ProgLoad, ProgType, RunInput, Settings};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

struct Loaded {
    kernel: Kernel,
    pid: Pid,
    prog: Fd,
}

fn load(file: &str, prog_type: ProgType, maps: &[(MapType, u32, u32, u32)]) -> Loaded {
    let mut kernel = Kernel::new(Settings { memlock_pages: None, ..Settings::default() });
    let pid = kernel.spawn("bench", 0);
    let mut bound = Vec::new();
    for (i, &(t, key, value, max)) in maps.iter().enumerate() {
        let attr = MapCreate { map_type: t as u32, key_size: key, value_size: value, max_entries: max };
        bound.push((i as u32, kernel.map_create(pid, attr, "m").unwrap()));
    }
    let program = bind_maps(&common::program(file), &bound).unwrap();
    let result = kernel.prog_load(pid, &ProgLoad::new(prog_type, &program));
    let prog = result.fd.unwrap_or_else(|e| panic!("{file}: {e}\n{}", result.log));
    if let Some(&(_, jmp)) = bound.first().filter(|_| maps[0].0 == MapType::ProgArray) {
        kernel.map_update(pid, jmp, &0u32.to_le_bytes(), &prog.to_le_bytes(), 0).unwrap();
    }
    Loaded { kernel, pid, prog }
}

fn bench(c: &mut Criterion, name: &str, mut l: Loaded, expect_ret: u32) {
    let frame = common::frame();
    let report = l.kernel.run_prog(l.pid, l.prog, RunInput::packet(frame.clone())).unwrap();
    assert_eq!(report.fault, None, "{name}");
    assert_eq!(report.ret, expect_ret, "{name}");
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(report.executed));
    group.bench_function("bpfplay-kernel", |b| {
        b.iter(|| l.kernel.run_prog(l.pid, l.prog, RunInput::packet(black_box(&frame).clone())).unwrap().ret)
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    bench(c, "packet_parser_kernel", load("packet_parser.s", ProgType::SocketFilter, &[]), 0x68);
    bench(c, "hash_map", load("hash_map.s", ProgType::SchedCls, &[(MapType::Hash, 4, 8, 1024)]), 0);
    // The packet counter of the shipped scripts, not a copy of it.
    bench(c, "array_counter", load("../../../static/scripts/count-packets.s", ProgType::SchedCls, &[(MapType::Array, 4, 8, 4)]), 0);
    bench(c, "tail_chain", load("tail_chain.s", ProgType::SchedCls, &[(MapType::ProgArray, 4, 4, 1)]), 34);
    bench(c, "csum_rewrite", load("csum_rewrite.s", ProgType::SchedCls, &[]), 0);
}

criterion_group! { name = group; config = common::criterion(); targets = benches }
criterion_main!(group);
