//! Kernel snapshots round-trip through JSON and restore a working kernel.

use bpfplay_core::asm::assemble;
use bpfplay_core::kernel::snapshot::{Header, KernelSnapshot, SnapshotError, VERSION};
use bpfplay_core::kernel::{Kernel, MapCreate, PerfKind, ProgLoad, RunInput, Settings};
use bpfplay_core::linux::ProgType;

fn populated() -> Kernel {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let a = k.spawn("loader", 0);
    let hash = k
        .map_create(
            a,
            MapCreate {
                map_type: 1,
                key_size: 4,
                value_size: 8,
                max_entries: 16,
            },
            "counts",
        )
        .unwrap();
    for i in 0u32..10 {
        k.map_update(
            a,
            hash,
            &i.to_le_bytes(),
            &u64::from(i * 3).to_le_bytes(),
            0,
        )
        .unwrap();
    }
    let jmp = k
        .map_create(
            a,
            MapCreate {
                map_type: 3,
                key_size: 4,
                value_size: 4,
                max_entries: 2,
            },
            "jmp",
        )
        .unwrap();
    let text = format!(
        "r1 = 1\n*(u32 *)(r10 -4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd({hash}) ll\ncall map_lookup_elem\nif r0 == 0 goto out\nr0 = *(u64 *)(r0 +0)\nexit\nout:\nr0 = 0\nexit"
    );
    let program = assemble(&text, None).unwrap().program;
    let prog = k
        .prog_load(a, &ProgLoad::new(ProgType::SchedCls, &program))
        .fd
        .unwrap();
    k.map_update(a, jmp, &0u32.to_le_bytes(), &prog.to_le_bytes(), 0)
        .unwrap();
    k.perf_open(a, PerfKind::BpfOutput, 0).unwrap();
    k.mkdir(a, "/sys/fs/bpf/tc").unwrap();
    k.obj_pin(a, hash, "/sys/fs/bpf/tc/counts").unwrap();
    k.obj_pin(a, prog, "/sys/fs/bpf/tc/prog").unwrap();
    k.trace_pipe.push("hello".into());
    k
}

#[test]
fn snapshots_round_trip_through_json() {
    let kernel = populated();
    let snapshot = kernel.snapshot();
    let json = serde_json::to_string(&snapshot).unwrap();
    let header: Header = serde_json::from_str(&json).unwrap();
    assert_eq!(header.version, VERSION);
    let back: KernelSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snapshot);
    let mut restored = Kernel::restore(&back).unwrap();
    assert_eq!(
        restored.snapshot(),
        snapshot,
        "restore then snapshot is the identity"
    );
    assert_eq!(restored.locked_pages(), kernel.locked_pages());
    // The restored kernel works: hash iteration order, pins and programs survive.
    let b = restored.spawn("reader", 0);
    let counts = restored.obj_get(b, "/sys/fs/bpf/tc/counts").unwrap();
    let mut original = kernel.clone();
    let ob = original.spawn("reader", 0);
    let ocounts = original.obj_get(ob, "/sys/fs/bpf/tc/counts").unwrap();
    let walk = |k: &Kernel, pid, fd| {
        let mut keys = Vec::new();
        let mut key = vec![0xff; 4];
        while let Ok(next) = k.map_next_key(pid, fd, Some(&key)) {
            keys.push(next.clone());
            key = next;
        }
        keys
    };
    assert_eq!(walk(&restored, b, counts), walk(&original, ob, ocounts));
    let prog = restored.obj_get(b, "/sys/fs/bpf/tc/prog").unwrap();
    let report = restored
        .run_prog(b, prog, RunInput::packet(vec![0; 60]))
        .unwrap();
    assert_eq!(report.r0, 3);
}

#[test]
fn other_versions_and_damage_are_refused_clearly() {
    let mut snapshot = populated().snapshot();
    snapshot.version = VERSION + 1;
    let e = Kernel::restore(&snapshot).unwrap_err();
    assert_eq!(
        e,
        SnapshotError::Version {
            found: VERSION + 1,
            supported: VERSION
        }
    );
    assert!(e.to_string().contains("newer than this build reads"), "{e}");
    let mut snapshot = populated().snapshot();
    snapshot.pins[0].object = 999;
    let e = Kernel::restore(&snapshot).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the saved kernel state is damaged: pin /sys/fs/bpf/tc/counts names missing object 999"
    );
    assert!(serde_json::from_str::<KernelSnapshot>("{\"version\": 1}").is_err());
}
