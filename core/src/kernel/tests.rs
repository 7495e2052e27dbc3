use super::ctx::{PtRegs, SkbMeta};
use super::*;
use crate::asm::assemble;
use crate::kernel::map::{BPF_ANY, BPF_EXIST, BPF_NOEXIST};
use crate::vm::FaultKind;

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
    k.mkdir("/sys/fs/bpf/tc").unwrap();
    k.mkdir("/sys/fs/bpf/tc/globals").unwrap();
    k.obj_pin(a, map_fd, "/sys/fs/bpf/tc/globals/counts")
        .unwrap();
    let ingress = load(&mut k, a, ProgType::SchedCls, &counter_prog(map_fd));
    k.obj_pin(a, ingress, "/sys/fs/bpf/tc/globals/ingress")
        .unwrap();
    let report = k.run_prog(a, ingress, RunInput::packet(frame())).unwrap();
    assert_eq!(report.verdict, Some(Verdict::TcAction(0)));
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
fn tail_calls_stop_exactly_where_4_4_counts() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let jmp = array(&mut k, p, MapType::ProgArray, 4, 1);
    // Counts its executions in cb[0] (shared by all programs of one invocation), then
    // tail-calls itself; the fall-through returns the count.
    let text = format!(
        "r6 = r1\nr0 = *(u32 *)(r6 +48)\nr0 += 1\n*(u32 *)(r6 +48) = r0\n\
         r1 = r6\nr2 = map_fd({jmp}) ll\nr3 = 0\ncall tail_call\nr0 = *(u32 *)(r6 +48)\nexit"
    );
    let prog = load(&mut k, p, ProgType::SchedCls, &text);
    k.map_update(p, jmp, &0u32.to_le_bytes(), &prog.to_le_bytes(), BPF_ANY)
        .unwrap();
    let report = k.run_prog(p, prog, RunInput::packet(frame())).unwrap();
    // The entry run plus 33 successful tail calls; the 34th attempt falls through.
    assert_eq!(report.ret, 34);
    assert_eq!(report.tail_calls, 33, "the failed attempt is not counted");
    // An empty slot and an out-of-range index fall through at once.
    let other = array(&mut k, p, MapType::ProgArray, 4, 1);
    let miss = load(
        &mut k,
        p,
        ProgType::SchedCls,
        &format!("r2 = map_fd({other}) ll\nr3 = 5\ncall tail_call\nr0 = 9\nexit"),
    );
    assert_eq!(
        k.run_prog(p, miss, RunInput::packet(frame())).unwrap().ret,
        9
    );
}

#[test]
fn helpers_are_deterministic_and_match_their_4_4_meaning() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let run_kprobe = |k: &mut Kernel, text: &str| {
        let fd = load(k, p, ProgType::Kprobe, text);
        k.run_prog(
            p,
            fd,
            RunInput::Kprobe {
                regs: PtRegs::default(),
            },
        )
        .unwrap()
    };
    let t1 = run_kprobe(&mut k, "call ktime_get_ns\nexit").r0;
    let t2 = run_kprobe(&mut k, "call ktime_get_ns\nexit").r0;
    assert_eq!(
        t2 - t1,
        k.settings.clock_step_ns,
        "a monotonic virtual clock"
    );
    assert_eq!(
        run_kprobe(&mut k, "call get_current_pid_tgid\nexit").r0,
        4242 << 32 | 4242
    );
    assert_eq!(
        run_kprobe(&mut k, "call get_current_uid_gid\nexit").r0,
        1000 << 32 | 1000
    );
    assert_eq!(run_kprobe(&mut k, "call get_smp_processor_id\nexit").r0, 0);
    let comm = run_kprobe(
        &mut k,
        "r1 = 0\n*(u64 *)(r10 -16) = r1\n*(u64 *)(r10 -8) = r1\nr1 = r10\nr1 += -16\nr2 = 16\ncall get_current_comm\nr0 = *(u32 *)(r10 -16)\nexit",
    );
    assert_eq!(comm.ret, u32::from_le_bytes(*b"bash"));
    // Two kernels with the same seed produce the same random numbers.
    let prandom = |k: &mut Kernel| {
        let fd = load(k, p, ProgType::SchedCls, "call get_prandom_u32\nexit");
        k.run_prog(p, fd, RunInput::packet(frame())).unwrap().r0
    };
    let mut twin = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let tp = twin.spawn("p", 0);
    assert_eq!(tp, p);
    let (a, b) = (prandom(&mut k), prandom(&mut twin));
    assert_eq!(a, b);
    assert_ne!(prandom(&mut k), a);
    // probe_read copies from emulated kernel memory, and fails with -EFAULT elsewhere.
    k.settings
        .kernel_memory
        .push((0xffff_8800_1234_0000, b"secret!!".to_vec()));
    let read = "r1 = 0\n*(u64 *)(r10 -8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = 0xffff880012340000 ll\ncall probe_read\nr0 = *(u64 *)(r10 -8)\nexit";
    assert_eq!(
        run_kprobe(&mut k, read).r0,
        u64::from_le_bytes(*b"secret!!")
    );
    let bad =
        "r1 = 0\n*(u64 *)(r10 -8) = r1\nr1 = r10\nr1 += -8\nr2 = 8\nr3 = 16\ncall probe_read\nexit";
    assert_eq!(run_kprobe(&mut k, bad).r0, Errno::EFAULT.as_helper_return());
}

#[test]
fn trace_printk_writes_trace_pipe() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    // "n=%d\0" on the stack.
    let text = "r1 = 0x00642500 ll\nr1 = 0x0064253d6e ll\n*(u64 *)(r10 -8) = r1\nr1 = r10\nr1 += -8\nr2 = 5\nr3 = -7\ncall trace_printk\nexit";
    let fd = load(&mut k, p, ProgType::SchedCls, text);
    let report = k.run_prog(p, fd, RunInput::packet(frame())).unwrap();
    assert_eq!(report.r0, 4, "bytes written");
    assert_eq!(report.trace.len(), 1);
    assert!(report.trace[0].ends_with(": : n=-7"), "{}", report.trace[0]);
    assert_eq!(k.trace_pipe, report.trace);
}

#[test]
fn redirects_perf_output_and_vlan() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let redirect = load(
        &mut k,
        p,
        ProgType::SchedCls,
        "r1 = 2\nr2 = 1\ncall redirect\nexit",
    );
    let report = k.run_prog(p, redirect, RunInput::packet(frame())).unwrap();
    assert_eq!(report.verdict, Some(Verdict::TcAction(7)));
    assert_eq!(
        report.redirect,
        Some(KernelEvent::Redirect {
            ifindex: 2,
            ingress: true,
            delivered: true
        })
    );
    let clone = load(
        &mut k,
        p,
        ProgType::SchedCls,
        "r6 = r1\nr2 = 99\nr3 = 0\ncall clone_redirect\nr7 = r0\nr1 = r6\nr2 = 3\nr3 = 0\ncall clone_redirect\nr0 += r7\nexit",
    );
    let report = k.run_prog(p, clone, RunInput::packet(frame())).unwrap();
    assert_eq!(
        report.r0,
        Errno::EINVAL.as_helper_return(),
        "unknown ifindex 99, then success (0)"
    );
    assert!(matches!(
        k.events.last(),
        Some(KernelEvent::CloneRedirect {
            ifindex: 3,
            ingress: false,
            ..
        })
    ));

    let perf = array(&mut k, p, MapType::PerfEventArray, 4, 2);
    let ev = k.perf_open(p, PerfKind::BpfOutput, 0).unwrap();
    k.map_update(p, perf, &0u32.to_le_bytes(), &ev.to_le_bytes(), BPF_ANY)
        .unwrap();
    let out = format!(
        "r2 = 0x11223344\n*(u32 *)(r10 -4) = r2\nr2 = map_fd({perf}) ll\nr3 = 0\nr4 = r10\nr4 += -4\nr5 = 4\ncall perf_event_output\nexit"
    );
    let fd = load(&mut k, p, ProgType::Kprobe, &out);
    let report = k
        .run_prog(
            p,
            fd,
            RunInput::Kprobe {
                regs: PtRegs::default(),
            },
        )
        .unwrap();
    assert_eq!(report.r0, 0);
    let ev_id = k.fd_object(p, ev).unwrap();
    assert_eq!(
        report.perf_samples,
        vec![(ev_id, 0x11223344u32.to_le_bytes().to_vec())]
    );
    assert_eq!(k.perf_event(ev_id).unwrap().ring.len(), 1);
    let empty_slot = out.replace("r3 = 0\n", "r3 = 1\n");
    let fd = load(&mut k, p, ProgType::Kprobe, &empty_slot);
    assert_eq!(
        k.run_prog(
            p,
            fd,
            RunInput::Kprobe {
                regs: PtRegs::default()
            }
        )
        .unwrap()
        .r0,
        Errno::ENOENT.as_helper_return()
    );
    let read = format!("r1 = map_fd({perf}) ll\nr2 = 0\ncall perf_event_read\nexit");
    let fd = load(&mut k, p, ProgType::Kprobe, &read);
    assert_eq!(
        k.run_prog(
            p,
            fd,
            RunInput::Kprobe {
                regs: PtRegs::default()
            }
        )
        .unwrap()
        .r0,
        1000
    );

    // vlan push on an untagged frame sets the hardware tag; a second push moves the
    // first tag into the packet.
    let push = "r6 = r1\nr2 = 0x0081\nr3 = 5\ncall skb_vlan_push\nr1 = r6\nr2 = 0x0081\nr3 = 6\ncall skb_vlan_push\nr0 = *(u32 *)(r6 +24)\nexit";
    let fd = load(&mut k, p, ProgType::SchedCls, push);
    let report = k.run_prog(p, fd, RunInput::packet(frame())).unwrap();
    assert_eq!(report.ret, 6, "the ctx shows the new tag");
    assert_eq!(report.packet.len(), 64);
    assert_eq!(&report.packet[12..16], &[0x81, 0x00, 0x00, 0x05]);
    let pop = "r6 = r1\ncall skb_vlan_pop\nr0 = *(u32 *)(r6 +24)\nexit";
    let fd = load(&mut k, p, ProgType::SchedCls, pop);
    let tagged = RunInput::Packet {
        packet: report.packet.clone(),
        meta: report.meta.clone().unwrap(),
    };
    let popped = k.run_prog(p, fd, tagged).unwrap();
    assert_eq!(
        popped.packet.len(),
        60,
        "the hardware tag went, and the in-packet tag left the packet"
    );
    assert_eq!(popped.ret, 5, "to become the hardware tag");
    // Without a hardware tag, pop removes the outermost in-packet tag itself.
    let untagged = SkbMeta {
        vlan_tci: 0,
        ..report.meta.clone().unwrap()
    };
    let popped = k
        .run_prog(
            p,
            fd,
            RunInput::Packet {
                packet: report.packet.clone(),
                meta: untagged,
            },
        )
        .unwrap();
    assert_eq!((popped.packet.len(), popped.ret), (60, 0));
}

#[test]
fn faults_in_kernel_runs_are_reported_not_panicked() {
    // Without the verifier (`--no-verify`), run-time checks catch what it would refuse.
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        verifier: false,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let fd = load(
        &mut k,
        p,
        ProgType::SocketFilter,
        "r0 = *(u64 *)(r1 +4096)\nexit",
    );
    let report = k.run_prog(p, fd, RunInput::packet(frame())).unwrap();
    assert!(matches!(
        report.fault,
        Some(crate::vm::Fault {
            pc: 0,
            kind: FaultKind::Memory(_)
        })
    ));
    assert_eq!(report.verdict, None);
    assert_eq!(
        k.run_prog(
            p,
            fd,
            RunInput::Kprobe {
                regs: PtRegs::default()
            }
        )
        .unwrap_err(),
        Errno::EINVAL
    );
    let keep = load(&mut k, p, ProgType::SocketFilter, "r0 = 14\nexit");
    assert_eq!(
        k.run_prog(p, keep, RunInput::packet(frame()))
            .unwrap()
            .verdict,
        Some(Verdict::Keep { bytes: 14, of: 60 })
    );
}

#[test]
fn map_helpers_cgroup_realm_and_tunnel_keys() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        cgroup_classid: 0x10002,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let h = hash(&mut k, p, 4, 8, 4);
    // map_update_elem then map_delete_elem from a program, with their return values.
    let text = format!(
        "r1 = 7\n*(u32 *)(r10 -4) = r1\nr1 = 9\n*(u64 *)(r10 -16) = r1\n\
         r1 = map_fd({h}) ll\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 1\ncall map_update_elem\nr6 = r0\n\
         r1 = map_fd({h}) ll\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 1\ncall map_update_elem\nr7 = r0\n\
         r0 = r6\nr0 += r7\nexit"
    );
    let fd = load(&mut k, p, ProgType::SchedCls, &text);
    let report = k.run_prog(p, fd, RunInput::packet(frame())).unwrap();
    assert_eq!(
        report.r0,
        Errno::EEXIST.as_helper_return(),
        "0 for the insert, -EEXIST for NOEXIST again"
    );
    assert_eq!(
        k.map_lookup(p, h, &7u32.to_le_bytes(), 0),
        Ok(9u64.to_le_bytes().to_vec())
    );
    let del = format!(
        "r1 = 7\n*(u32 *)(r10 -4) = r1\nr1 = map_fd({h}) ll\nr2 = r10\nr2 += -4\ncall map_delete_elem\nexit"
    );
    let fd = load(&mut k, p, ProgType::SchedCls, &del);
    assert_eq!(k.run_prog(p, fd, RunInput::packet(frame())).unwrap().r0, 0);
    assert_eq!(
        k.run_prog(p, fd, RunInput::packet(frame())).unwrap().r0,
        Errno::ENOENT.as_helper_return()
    );

    let fd = load(
        &mut k,
        p,
        ProgType::SchedCls,
        "call get_cgroup_classid\nexit",
    );
    assert_eq!(
        k.run_prog(p, fd, RunInput::packet(frame())).unwrap().r0,
        0x10002
    );
    let fd = load(&mut k, p, ProgType::SchedCls, "call get_route_realm\nexit");
    let meta = SkbMeta {
        route_realm: 5,
        ..SkbMeta::for_frame(&frame())
    };
    assert_eq!(
        k.run_prog(
            p,
            fd,
            RunInput::Packet {
                packet: frame(),
                meta
            }
        )
        .unwrap()
        .r0,
        5
    );

    let get = "r6 = r1\nr1 = 0\n*(u64 *)(r10 -8) = r1\nr1 = r6\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall skb_get_tunnel_key\nif r0 != 0 goto out\nr0 = *(u64 *)(r10 -8)\nout:\nexit";
    let fd = load(&mut k, p, ProgType::SchedCls, get);
    assert_eq!(
        k.run_prog(p, fd, RunInput::packet(frame())).unwrap().r0,
        Errno::EINVAL.as_helper_return(),
        "no tunnel metadata"
    );
    let meta = SkbMeta {
        tunnel: Some((42, 0x0a00_0001)),
        ..SkbMeta::for_frame(&frame())
    };
    assert_eq!(
        k.run_prog(
            p,
            fd,
            RunInput::Packet {
                packet: frame(),
                meta
            }
        )
        .unwrap()
        .r0,
        0x0a00_0001 << 32 | 42
    );
    let set = "r6 = r1\nr1 = 0x0a00000200000007 ll\n*(u64 *)(r10 -8) = r1\nr1 = r6\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall skb_set_tunnel_key\nexit";
    let fd = load(&mut k, p, ProgType::SchedCls, set);
    let report = k.run_prog(p, fd, RunInput::packet(frame())).unwrap();
    assert_eq!((report.r0, report.tx_tunnel), (0, Some((7, 0x0a00_0002))));
}

#[test]
fn socket_filters_see_zeroed_cb_and_the_caller_keeps_its_own() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("p", 0);
    let text = "r0 = *(u32 *)(r1 +48)\nr2 = 77\n*(u32 *)(r1 +48) = r2\nexit";
    let meta = SkbMeta {
        cb: [5; 5],
        ..SkbMeta::for_frame(&frame())
    };
    let filter = load(&mut k, p, ProgType::SocketFilter, text);
    let report = k
        .run_prog(
            p,
            filter,
            RunInput::Packet {
                packet: frame(),
                meta: meta.clone(),
            },
        )
        .unwrap();
    assert_eq!((report.ret, report.meta.unwrap().cb[0]), (0, 5));
    let cls = load(&mut k, p, ProgType::SchedCls, text);
    let report = k
        .run_prog(
            p,
            cls,
            RunInput::Packet {
                packet: frame(),
                meta,
            },
        )
        .unwrap();
    assert_eq!(
        (report.ret, report.meta.unwrap().cb[0]),
        (5, 77),
        "tc keeps cb"
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
