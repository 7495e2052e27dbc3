//! Program runs in the kernel: tail calls, each helper's 4.4 meaning, trace_pipe,
//! redirects, perf output and VLANs, faults, and what socket filters see.

use super::*;

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
    assert_eq!(report.verdict, Some(Verdict::TcClassifier(7)));
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
        0,
        "nothing counts on a BPF_OUTPUT event"
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
