use super::ctx::{PtRegs, SkbMeta};
use super::*;
use crate::asm::assemble;
use crate::kernel::map::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};
use crate::linux::ProgType;
use crate::vm::FaultKind;

mod runs;

fn program(text: &str) -> crate::isa::Program {
    assemble(text, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .program
}

fn load(k: &mut Kernel, pid: Pid, t: ProgType, text: &str) -> Fd {
    let r = k.prog_load(pid, &ProgLoad::new(t, &program(text)));
    r.fd.unwrap_or_else(|e| panic!("load failed: {e}\n{}", r.log))
}

fn hash(k: &mut Kernel, pid: Pid, key: u32, value: u32, max: u32) -> Fd {
    k.map_create(
        pid,
        MapCreate {
            map_type: 1,
            key_size: key,
            value_size: value,
            max_entries: max,
        },
        "m",
    )
    .unwrap()
}

fn array(k: &mut Kernel, pid: Pid, t: MapType, value: u32, max: u32) -> Fd {
    k.map_create(
        pid,
        MapCreate {
            map_type: t as u32,
            key_size: 4,
            value_size: value,
            max_entries: max,
        },
        "a",
    )
    .unwrap()
}

fn frame() -> Vec<u8> {
    let mut f = vec![0u8; 60];
    f[12] = 0x08; // IPv4
    f
}

/// A tc classifier that adds 1 to the u64 at key 0 of the map behind `fd`.
fn counter_prog(fd: Fd) -> String {
    format!(
        "r1 = 0\n*(u32 *)(r10 -4) = r1\nr2 = r10\nr2 += -4\nr1 = map_fd({fd}) ll\ncall map_lookup_elem\n\
         if r0 == 0 goto out\nr1 = 1\nlock *(u64 *)(r0 +0) += r1\nout:\nr0 = 0\nexit"
    )
}

#[test]
fn seed_scenario_pinned_map_outlives_its_creator_and_is_freed_last() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let a = k.spawn("tc-ingress", 0);
    let map_fd = array(&mut k, a, MapType::Array, 8, 4);
    let map = k.fd_object(a, map_fd).unwrap();
    k.mkdir(a, "/sys/fs/bpf/tc").unwrap();
    k.mkdir(a, "/sys/fs/bpf/tc/globals").unwrap();
    k.obj_pin(a, map_fd, "/sys/fs/bpf/tc/globals/counts")
        .unwrap();
    let ingress = load(&mut k, a, ProgType::SchedCls, &counter_prog(map_fd));
    k.obj_pin(a, ingress, "/sys/fs/bpf/tc/globals/ingress")
        .unwrap();
    let report = k.run_prog(a, ingress, RunInput::packet(frame())).unwrap();
    assert_eq!(report.verdict, Some(Verdict::TcClassifier(0)));
    // fd + pin + the program's reference; fd + pin are user references.
    assert_eq!(k.refcounts(map), Some((3, 2)));
    k.exit(a).unwrap();
    assert_eq!(
        k.refcounts(map),
        Some((2, 1)),
        "the map survives its creator's exit"
    );

    let b = k.spawn("tc-egress", 0);
    let shared = k.obj_get(b, "/sys/fs/bpf/tc/globals/counts").unwrap();
    let egress = load(&mut k, b, ProgType::SchedCls, &counter_prog(shared));
    let ingress = k.obj_get(b, "/sys/fs/bpf/tc/globals/ingress").unwrap();
    k.run_prog(b, egress, RunInput::packet(frame())).unwrap();
    k.run_prog(b, ingress, RunInput::packet(frame())).unwrap();
    let value = k.map_lookup(b, shared, &0u32.to_le_bytes(), 0).unwrap();
    assert_eq!(
        value,
        3u64.to_le_bytes(),
        "both programs counted into the one map"
    );

    // Unlink plus the last close frees everything and returns the memlock charge.
    k.unlink(b, "/sys/fs/bpf/tc/globals/counts").unwrap();
    k.unlink(b, "/sys/fs/bpf/tc/globals/ingress").unwrap();
    assert!(
        k.object(map).is_some(),
        "still referenced by b's fd and both programs"
    );
    k.exit(b).unwrap();
    assert!(k.object(map).is_none());
    assert_eq!(k.objects().count(), 0);
    assert_eq!(k.locked_pages(), 0);
}

#[test]
fn map_commands_follow_4_4_semantics() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let h = hash(&mut k, p, 4, 8, 2);
    let key = |n: u32| n.to_le_bytes();
    k.map_update(p, h, &key(1), &[1; 8], BPF_NOEXIST).unwrap();
    assert_eq!(
        k.map_update(p, h, &key(1), &[1; 8], BPF_NOEXIST),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        k.map_update(p, h, &key(2), &[2; 8], BPF_EXIST),
        Err(Errno::ENOENT)
    );
    k.map_update(p, h, &key(2), &[2; 8], BPF_ANY).unwrap();
    assert_eq!(
        k.map_update(p, h, &key(3), &[3; 8], BPF_EXIST),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        k.map_update(p, h, &key(1), &[1; 8], u64::MAX),
        Err(Errno::EINVAL)
    );
    assert_eq!(k.map_lookup(p, h, &key(9), 0), Err(Errno::ENOENT));
    assert_eq!(k.map_lookup(p, h, &key(1), 1), Err(Errno::EINVAL));
    assert_eq!(k.map_lookup(p, h, &[1, 0], 0), Err(Errno::EFAULT));
    assert_eq!(k.map_next_key(p, h, None), Err(Errno::EFAULT));
    let first = k.map_next_key(p, h, Some(&key(99))).unwrap();
    let second = k.map_next_key(p, h, Some(&first)).unwrap();
    assert_ne!(first, second);
    assert_eq!(k.map_next_key(p, h, Some(&second)), Err(Errno::ENOENT));
    k.map_delete(p, h, &key(1)).unwrap();
    assert_eq!(k.map_delete(p, h, &key(1)), Err(Errno::ENOENT));

    let a = array(&mut k, p, MapType::Array, 4, 3);
    assert_eq!(
        k.map_lookup(p, a, &key(2), 0),
        Ok(vec![0; 4]),
        "arrays start zeroed"
    );
    assert_eq!(
        k.map_update(p, a, &key(3), &[1; 4], BPF_ANY),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        k.map_update(p, a, &key(0), &[1; 4], BPF_NOEXIST),
        Err(Errno::EEXIST)
    );
    assert_eq!(k.map_delete(p, a, &key(0)), Err(Errno::EINVAL));
    assert_eq!(k.map_next_key(p, a, Some(&key(7))), Ok(key(0).to_vec()));
    assert_eq!(k.map_next_key(p, a, Some(&key(1))), Ok(key(2).to_vec()));
    assert_eq!(k.map_next_key(p, a, Some(&key(2))), Err(Errno::ENOENT));

    assert_eq!(k.map_lookup(p, 77, &key(0), 0), Err(Errno::EBADF));
    let prog = load(&mut k, p, ProgType::SocketFilter, "r0 = 0\nexit");
    assert_eq!(k.map_lookup(p, prog, &key(0), 0), Err(Errno::EINVAL));
}

#[test]
fn map_create_checks_and_memlock() {
    let mut k = Kernel::default();
    let p = k.spawn("p", 0);
    let create = |k: &mut Kernel, t: u32, key: u32, value: u32, max: u32| {
        k.map_create(
            p,
            MapCreate {
                map_type: t,
                key_size: key,
                value_size: value,
                max_entries: max,
            },
            "",
        )
    };
    assert_eq!(create(&mut k, 0, 4, 4, 1), Err(Errno::EINVAL));
    assert_eq!(create(&mut k, 5, 4, 4, 1), Err(Errno::EINVAL));
    assert_eq!(create(&mut k, 1, 0, 4, 1), Err(Errno::EINVAL));
    assert_eq!(create(&mut k, 1, 513, 4, 1), Err(Errno::E2BIG));
    assert_eq!(create(&mut k, 2, 8, 4, 1), Err(Errno::EINVAL));
    assert_eq!(create(&mut k, 3, 4, 8, 1), Err(Errno::EINVAL));
    assert_eq!(create(&mut k, 2, 4, 1 << 22, 1), Err(Errno::E2BIG));
    assert_eq!(create(&mut k, 2, 4, 8, u32::MAX), Err(Errno::ENOMEM));
    // HASH key 4 value 8 with 1024 entries is exactly 16 pages: the whole default limit.
    let fd = create(&mut k, 1, 4, 8, 1024).unwrap();
    assert_eq!(k.locked_pages(), 16);
    assert_eq!(create(&mut k, 2, 4, 4, 1), Err(Errno::EPERM));
    k.close(p, fd).unwrap();
    assert_eq!(k.locked_pages(), 0);
    create(&mut k, 2, 4, 4, 1).unwrap();
}

#[test]
fn prog_load_checks_in_order() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let root = k.spawn("root", 0);
    let user = k.spawn("user", 1000);
    let ok = program("r0 = 0\nexit");
    let base = ProgLoad::new(ProgType::SocketFilter, &ok);
    let try_load = |k: &mut Kernel, pid, attr: &ProgLoad| k.prog_load(pid, attr);
    assert_eq!(
        try_load(
            &mut k,
            root,
            &ProgLoad {
                license: None,
                ..base.clone()
            }
        )
        .fd,
        Err(Errno::EFAULT)
    );
    let big = ProgLoad {
        insns: vec![0; 8 * 4096],
        ..base.clone()
    };
    assert_eq!(try_load(&mut k, root, &big).fd, Err(Errno::EINVAL));
    let kprobe = ProgLoad {
        prog_type: 2,
        kern_version: 0x040401,
        ..base.clone()
    };
    assert_eq!(try_load(&mut k, root, &kprobe).fd, Err(Errno::EINVAL));
    let cls = ProgLoad {
        prog_type: 3,
        ..base.clone()
    };
    assert_eq!(try_load(&mut k, user, &cls).fd, Err(Errno::EPERM));
    assert_eq!(
        try_load(
            &mut k,
            root,
            &ProgLoad {
                prog_type: 9,
                ..base.clone()
            }
        )
        .fd,
        Err(Errno::EINVAL)
    );
    assert_eq!(
        try_load(
            &mut k,
            root,
            &ProgLoad {
                insns: vec![],
                ..base.clone()
            }
        )
        .fd,
        Err(Errno::E2BIG)
    );
    let bad_log = ProgLoad {
        log_level: 1,
        log_size: 64,
        log_buf: true,
        ..base.clone()
    };
    assert_eq!(try_load(&mut k, root, &bad_log).fd, Err(Errno::EINVAL));
    let no_buf = ProgLoad {
        log_level: 1,
        log_size: 4096,
        ..base.clone()
    };
    assert_eq!(try_load(&mut k, root, &no_buf).fd, Err(Errno::EINVAL));
    let map_load = program("r1 = map_fd(9) ll\nr0 = 0\nexit");
    let logged = ProgLoad {
        log_level: 1,
        log_size: 4096,
        log_buf: true,
        ..ProgLoad::new(ProgType::SocketFilter, &map_load)
    };
    let r = try_load(&mut k, root, &logged);
    assert_eq!(
        (r.fd, r.log.as_str()),
        (Err(Errno::EBADF), "fd 9 is not pointing to valid bpf_map\n")
    );
    let prog_fd = try_load(&mut k, root, &base).fd.unwrap();
    let not_map = program(&format!("r1 = map_fd({prog_fd}) ll\nr0 = 0\nexit"));
    assert_eq!(
        try_load(
            &mut k,
            root,
            &ProgLoad::new(ProgType::SocketFilter, &not_map)
        )
        .fd,
        Err(Errno::EINVAL)
    );
    let newer = program("r0 = 0\nif r0 < 1 goto +0\nexit");
    let r = try_load(
        &mut k,
        root,
        &ProgLoad {
            log_level: 1,
            log_size: 4096,
            log_buf: true,
            ..ProgLoad::new(ProgType::SocketFilter, &newer)
        },
    );
    // 4.4's own words: the jump code did not exist yet.
    let expected_log =
        "0: (b7) r0 = 0\n1: (a5) if r0 (null) 0x1 goto pc+0\ninvalid BPF_JMP opcode a0\n";
    assert_eq!((r.fd, r.log.as_str()), (Err(Errno::EINVAL), expected_log));
    let tiny = ProgLoad {
        log_level: 1,
        log_size: 128,
        log_buf: true,
        ..ProgLoad::new(ProgType::SocketFilter, &map_load)
    };
    let long_fd = program("r1 = map_fd(123456789) ll\nr0 = 0\nexit");
    let r = try_load(
        &mut k,
        root,
        &ProgLoad {
            insns: long_fd.encode(),
            ..tiny.clone()
        },
    );
    assert_eq!(r.fd, Err(Errno::EBADF), "a log that fits is not ENOSPC");
    // A log that fills the buffer is ENOSPC even for a valid program, which is not kept.
    let long = program(&"r0 = 0\n".repeat(40).replace("r0 = 0\n", "r0 = 1\n"));
    let long = crate::isa::Program::from_insns(
        long.insns()
            .map(|(_, i)| *i)
            .chain([crate::isa::Insn::Exit]),
    );
    let full = ProgLoad {
        log_level: 1,
        log_size: 128,
        log_buf: true,
        ..ProgLoad::new(ProgType::SocketFilter, &long)
    };
    let objects_before = k.objects().count();
    let r = try_load(&mut k, root, &full);
    assert_eq!(r.fd, Err(Errno::ENOSPC));
    assert_eq!(r.log.len(), 127, "truncated to log_size - 1");
    assert_eq!(k.objects().count(), objects_before);
    let mut memlocked = Kernel::default();
    let p = memlocked.spawn("p", 0);
    memlocked.settings.memlock_pages = Some(0);
    assert_eq!(memlocked.prog_load(p, &base).fd, Err(Errno::EPERM));
    // Unprivileged socket filters load; the sysctl blocks every command.
    assert!(try_load(&mut k, user, &base).fd.is_ok());
    k.settings.unprivileged_bpf_disabled = true;
    assert_eq!(try_load(&mut k, user, &base).fd, Err(Errno::EPERM));
    assert_eq!(
        k.map_create(
            user,
            MapCreate {
                map_type: 2,
                key_size: 4,
                value_size: 4,
                max_entries: 1
            },
            ""
        ),
        Err(Errno::EPERM)
    );
}

#[test]
fn pin_and_get_errors() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let other = k.spawn("other", 1000);
    let m = array(&mut k, p, MapType::Array, 4, 1);
    assert_eq!(k.obj_pin(p, 99, "/sys/fs/bpf/x"), Err(Errno::EBADF));
    let ev = k.perf_open(p, PerfKind::BpfOutput, 0).unwrap();
    assert_eq!(k.obj_pin(p, ev, "/sys/fs/bpf/x"), Err(Errno::EINVAL));
    assert_eq!(k.obj_pin(p, m, "/sys/fs/bpf/missing/x"), Err(Errno::ENOENT));
    assert_eq!(k.obj_pin(p, m, "/tmp/x"), Err(Errno::EPERM));
    k.obj_pin(p, m, "/sys/fs/bpf/x").unwrap();
    assert_eq!(k.obj_pin(p, m, "/sys/fs/bpf/x"), Err(Errno::EEXIST));
    let id = k.fd_object(p, m).unwrap();
    assert_eq!(
        k.refcounts(id),
        Some((2, 2)),
        "a failed pin drops the reference it took"
    );
    assert_eq!(k.obj_get(other, "/sys/fs/bpf/x"), Err(Errno::EACCES));
    assert_eq!(k.obj_get(p, "/sys/fs/bpf"), Err(Errno::EACCES));
    assert_eq!(k.obj_get(p, "/sys/fs/bpf/nope"), Err(Errno::ENOENT));
    let again = k.obj_get(p, "/sys/fs/bpf/x").unwrap();
    assert_ne!(again, m);
    assert_eq!(k.unlink(other, "/sys/fs/bpf/x"), Err(Errno::EPERM));
}

#[test]
fn prog_arrays_take_program_references_and_clear_on_last_user() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let jmp = array(&mut k, p, MapType::ProgArray, 4, 2);
    let filter = load(&mut k, p, ProgType::SocketFilter, "r0 = 1\nexit");
    let cls = load(&mut k, p, ProgType::SchedCls, "r0 = 1\nexit");
    let key = 0u32.to_le_bytes();
    assert_eq!(
        k.map_update(p, jmp, &key, &filter.to_le_bytes(), BPF_EXIST),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        k.map_update(p, jmp, &5u32.to_le_bytes(), &filter.to_le_bytes(), BPF_ANY),
        Err(Errno::E2BIG)
    );
    assert_eq!(
        k.map_update(p, jmp, &key, &77u32.to_le_bytes(), BPF_ANY),
        Err(Errno::EBADF)
    );
    assert_eq!(
        k.map_update(p, jmp, &key, &jmp.to_le_bytes(), BPF_ANY),
        Err(Errno::EINVAL)
    );
    k.map_update(p, jmp, &key, &filter.to_le_bytes(), BPF_ANY)
        .unwrap();
    assert_eq!(
        k.map_update(p, jmp, &key, &cls.to_le_bytes(), BPF_ANY),
        Err(Errno::EINVAL),
        "owner type is socket_filter"
    );
    assert_eq!(
        k.map_lookup(p, jmp, &key, 0),
        Err(Errno::ENOENT),
        "fd arrays never return values"
    );
    let filter_id = k.fd_object(p, filter).unwrap();
    k.close(p, filter).unwrap();
    assert_eq!(
        k.refcounts(filter_id),
        Some((1, 0)),
        "the slot keeps the program"
    );
    assert_eq!(
        k.map_delete(p, jmp, &1u32.to_le_bytes()),
        Err(Errno::ENOENT)
    );
    k.close(p, jmp).unwrap();
    assert!(
        k.object(filter_id).is_none(),
        "the last user reference emptied the slots"
    );
}

#[test]
fn fd_table_limit_is_emfile() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        max_fds: 5,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let a = array(&mut k, p, MapType::Array, 4, 1);
    let b = array(&mut k, p, MapType::Array, 4, 1);
    assert_eq!(
        (a, b),
        (3, 4),
        "fds are the lowest free numbers after stdio"
    );
    let c = MapCreate {
        map_type: 2,
        key_size: 4,
        value_size: 4,
        max_entries: 1,
    };
    assert_eq!(k.map_create(p, c, ""), Err(Errno::EMFILE));
    assert_eq!(
        k.objects().count(),
        2,
        "the map of a failed create is freed"
    );
    k.obj_pin(p, a, "/sys/fs/bpf/a").unwrap();
    assert_eq!(k.obj_get(p, "/sys/fs/bpf/a"), Err(Errno::EMFILE));
    assert_eq!(
        k.refcounts(k.fd_object(p, a).unwrap()),
        Some((2, 2)),
        "a failed get drops its reference"
    );
    k.close(p, b).unwrap();
    assert_eq!(k.obj_get(p, "/sys/fs/bpf/a"), Ok(4));
    assert_eq!(k.close(p, 9), Err(Errno::EBADF));
}

#[test]
fn maps_past_the_memory_budget_get_enomem_without_aborting() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("big", 0);
    // Passes every size check of 4.4 (4 GiB of values) and, past the budget, fails as
    // vzalloc would.
    let huge = MapCreate {
        map_type: MapType::Array as u32,
        key_size: 4,
        value_size: 8,
        max_entries: 536_870_000,
    };
    assert_eq!(k.map_create(p, huge, "v"), Err(Errno::ENOMEM));
    // 96 + 33554420 * 8 bytes is the whole 256 MiB budget: it fits, takes no host
    // memory until used, and leaves nothing for another map.
    let fits = MapCreate {
        max_entries: 33_554_420,
        ..huge
    };
    let fd = k.map_create(p, fits, "a").unwrap();
    assert_eq!(k.kernel_memory(), DEFAULT_MEMORY_BUDGET);
    let last = 33_554_419u32.to_le_bytes();
    k.map_update(p, fd, &last, &7u64.to_le_bytes(), BPF_ANY)
        .unwrap();
    assert_eq!(
        k.map_lookup(p, fd, &last, 0),
        Ok(7u64.to_le_bytes().to_vec())
    );
    assert_eq!(k.map_lookup(p, fd, &[0; 4], 0), Ok(vec![0; 8]));
    assert_eq!(
        k.map_create(
            p,
            MapCreate {
                max_entries: 1,
                ..huge
            },
            "b"
        ),
        Err(Errno::ENOMEM)
    );
    // Hash elements are allocated on update, every update a new one, as hashtab.c does.
    k.close(p, fd).unwrap();
    assert_eq!(k.kernel_memory(), 0);
    k.settings.memory_budget = 8 * 4 + 56 * 2;
    let h = hash(&mut k, p, 4, 8, 4);
    k.map_update(p, h, &[1; 4], &[0; 8], BPF_ANY).unwrap();
    k.map_update(p, h, &[2; 4], &[0; 8], BPF_ANY).unwrap();
    assert_eq!(
        k.map_update(p, h, &[3; 4], &[0; 8], BPF_ANY),
        Err(Errno::ENOMEM)
    );
    assert_eq!(
        k.map_update(p, h, &[1; 4], &[0; 8], BPF_EXIST),
        Err(Errno::ENOMEM),
        "a replacement allocates too"
    );
    assert_eq!(k.map_update(p, h, &[1; 4], &[0; 8], 3), Err(Errno::EINVAL));
    k.map_delete(p, h, &[2; 4]).unwrap();
    k.map_update(p, h, &[3; 4], &[0; 8], BPF_ANY).unwrap();
}
