//! Sequences of bpf(2) commands (map create/update/delete/lookup/next-key, program load,
//! pin, get, unlink, close, run, perf_event_open, process exit) from two processes, one
//! privileged, against the emulated kernel. After every command the object-lifetime
//! invariants hold: every fd and pin names a live object (no use after free), a map's
//! user count is exactly its fds and pins, and every count of references covers its fds
//! and pins. When every process has exited and every pin is gone, no object and no
//! locked page is left (no leak). Each command is a few bytes of the input.
#![no_main]

use bpfplay_core::isa::{AluOp, CallKind, Imm64Kind, Insn, Program, Reg, Source, Width};
use bpfplay_core::kernel::{
    Kernel, MapCreate, ObjectId, PerfKind, Pid, ProgLoad, RunInput, Settings,
};
use bpfplay_core::linux::ProgType;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

/// The input read as commands.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

/// A program that holds a reference to the map behind `fd` (through `LD_IMM64`) and,
/// for a prog array, tail-calls through it.
fn program_using(fd: u32) -> Program {
    let mov = |dst, imm| Insn::Alu {
        width: Width::W64,
        op: AluOp::Mov,
        dst,
        src: Source::Imm(imm),
    };
    Program::from_insns(vec![
        Insn::LoadImm64 {
            dst: Reg::R2,
            kind: Imm64Kind::MapFd,
            imm: fd.into(),
        },
        mov(Reg::new(3).expect("r3"), 0),
        Insn::Call {
            kind: CallKind::Helper,
            // bpf_tail_call: verified only against a prog array; other maps are refused.
            imm: 12,
        },
        mov(Reg::R0, 0),
        Insn::Exit,
    ])
}

fn path(n: u8) -> String {
    format!("/sys/fs/bpf/p{}", n % 4)
}

/// The invariants that hold after every command.
fn check(kernel: &Kernel) {
    let mut users: BTreeMap<ObjectId, u32> = BTreeMap::new();
    for (pid, process) in kernel.processes() {
        for (fd, id) in &process.fds {
            assert!(
                kernel.object(*id).is_some(),
                "pid {pid} fd {fd}: freed object {id:?}"
            );
            *users.entry(*id).or_insert(0) += 1;
        }
    }
    for (pin, id) in kernel.fs().pins() {
        assert!(
            kernel.object(id).is_some(),
            "pin {pin}: freed object {id:?}"
        );
        *users.entry(id).or_insert(0) += 1;
    }
    for (id, object) in kernel.objects() {
        let (refcnt, usercnt) = kernel.refcounts(id).expect("a live object has counts");
        let held = users.get(&id).copied().unwrap_or(0);
        assert!(
            refcnt >= held,
            "{id:?} ({}): refcnt {refcnt} < {held} fds and pins",
            object.kind_name()
        );
        assert!(refcnt > 0, "{id:?}: live with no reference");
        if object.kind_name() == "map" {
            assert_eq!(usercnt, held, "{id:?}: usercnt is not its fds and pins");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let mut kernel = Kernel::new(Settings::default());
    let mut pids: Vec<Pid> = vec![kernel.spawn("root", 0), kernel.spawn("user", 1000)];
    while let Some(command) = input.byte() {
        let pid = pids[usize::from(command >> 7)];
        let arg = input.byte().unwrap_or(0);
        let fd = u32::from(arg % 8);
        // Results are errnos or values; the invariants below are what is checked.
        match command & 0x0f {
            0 => {
                let attr = MapCreate {
                    map_type: u32::from(arg % 5),
                    key_size: u32::from(input.byte().unwrap_or(4) % 9),
                    value_size: u32::from(input.byte().unwrap_or(4) % 17),
                    max_entries: u32::from(input.byte().unwrap_or(1) % 33),
                };
                let _ = kernel.map_create(pid, attr, "");
            }
            1 => {
                let key = input.bytes(8);
                let value = input.bytes(16);
                let flags = u64::from(input.byte().unwrap_or(0) % 4);
                let _ = kernel.map_update(pid, fd, &key, &value, flags);
            }
            2 => {
                let key = input.bytes(8);
                let _ = kernel.map_delete(pid, fd, &key);
            }
            3 => {
                let key = input.bytes(8);
                let _ = kernel.map_lookup(pid, fd, &key, 0);
                let _ = kernel.map_next_key(pid, fd, Some(&key));
            }
            4 => {
                let prog_type = ProgType::ALL[usize::from(arg >> 3) % ProgType::ALL.len()];
                let program = if arg & 0x40 != 0 {
                    program_using(fd)
                } else {
                    Program::from_insns(vec![
                        Insn::Alu {
                            width: Width::W64,
                            op: AluOp::Mov,
                            dst: Reg::R0,
                            src: Source::Imm(0),
                        },
                        Insn::Exit,
                    ])
                };
                let _ = kernel
                    .prog_load(pid, &ProgLoad::new(prog_type, &program))
                    .fd;
            }
            5 => {
                let _ = kernel.close(pid, fd);
            }
            6 => {
                let _ = kernel.obj_pin(pid, fd, &path(input.byte().unwrap_or(0)));
            }
            7 => {
                let _ = kernel.obj_get(pid, &path(arg));
            }
            8 => {
                let _ = kernel.unlink(pid, &path(arg));
            }
            9 => {
                let _ = kernel.map_get_fd_by_id(pid, ObjectId(u32::from(arg % 16)));
            }
            10 => {
                let len = usize::from(input.byte().unwrap_or(0) % 80);
                let packet = input.bytes(len);
                let _ = kernel.run_prog(pid, fd, RunInput::packet(packet));
            }
            11 => {
                let kind =
                    [PerfKind::BpfOutput, PerfKind::Hardware, PerfKind::Raw][usize::from(arg % 3)];
                let _ = kernel.perf_open(pid, kind, 0);
            }
            12 => {
                let slot = usize::from(command >> 7);
                let _ = kernel.exit(pid);
                pids[slot] = kernel.spawn(
                    if slot == 0 { "root" } else { "user" },
                    if slot == 0 { 0 } else { 1000 },
                );
            }
            _ => {}
        }
        check(&kernel);
    }
    for pid in pids {
        kernel.exit(pid).unwrap();
    }
    let cleaner = kernel.spawn("rm", 0);
    for (pin, _) in kernel.fs().pins() {
        kernel.unlink(cleaner, &pin).unwrap();
    }
    kernel.exit(cleaner).unwrap();
    assert_eq!(
        kernel.objects().count(),
        0,
        "objects left after every fd and pin went"
    );
    assert_eq!(kernel.locked_pages(), 0, "memlock pages left charged");
});
