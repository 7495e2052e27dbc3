//! Running a loaded program against a context: the invocation state helpers see, and
//! the report of what the run did.

use super::ctx::{PtRegs, SkbMeta};
use super::helpers::csum::{CsumMode, SkbCsum};
use super::helpers::runtime::KernelHelpers;
use super::{Fd, Kernel, ObjectId, Pid};
use crate::isa::Profile;
use crate::linux::{Errno, ProgType};
use crate::prelude::*;
use crate::vm::{Config, Fault, RegionKind, RunStop, SharedBytes, SharedCopies, State, Step, Vm};
use alloc::rc::Rc;
use core::cell::RefCell;
use core::fmt;

/// What a program runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunInput {
    /// A packet (starting at the MAC header) and its sk_buff metadata.
    Packet { packet: Vec<u8>, meta: SkbMeta },
    /// A kprobe hit with these registers.
    Kprobe { regs: PtRegs },
}

impl RunInput {
    /// A packet with metadata derived from its Ethernet header.
    pub fn packet(packet: Vec<u8>) -> Self {
        let meta = SkbMeta::for_frame(&packet);
        RunInput::Packet { packet, meta }
    }
}

/// The sk_buff of a run: packet bytes shared with guest memory, metadata, and where
/// the ctx and packet regions sit.
#[derive(Clone, Debug)]
pub struct SkbState {
    pub packet: SharedBytes,
    pub meta: SkbMeta,
    pub csum: SkbCsum,
    pub ctx_addr: u64,
    pub packet_addr: u64,
    /// Socket filters run on zeroed cb words, and the caller's are put back afterwards.
    pub saved_cb: Option<[u32; 5]>,
}

/// Per-invocation state that helpers read and write.
#[derive(Clone, Debug)]
pub struct InvocationState {
    /// The program running now (tail calls change it).
    pub prog: ObjectId,
    pub prog_type: ProgType,
    /// Tail calls attempted in this invocation (4.4 counts before the slot check).
    pub tail_calls: u32,
    pub skb: Option<SkbState>,
    /// What `redirect` stored: (ifindex, flags).
    pub redirect: Option<(u32, u64)>,
    /// Tunnel metadata `skb_set_tunnel_key` attached for transmit: (id, remote IPv4).
    pub tx_tunnel: Option<(u32, u32)>,
    /// trace_printk entries of this run (see [`trace_lines`]).
    pub trace: Vec<String>,
    /// perf_event_output samples of this run: (event, bytes).
    pub perf_samples: Vec<(ObjectId, Vec<u8>)>,
}

/// A program invocation that can be stepped or run to the end.
#[derive(Clone, Debug)]
pub struct Invocation {
    pub vm: Vm,
    pub state: InvocationState,
}

impl Invocation {
    /// A copy that shares no bytes with this one (the packet, and any map value mapped so
    /// far, are copied): to run the same invocation on another engine against a copy of
    /// the kernel ([`super::Kernel::restore`] of a snapshot) before this one runs.
    pub fn detached(&self) -> Invocation {
        self.copied(&mut SharedCopies::default())
    }

    /// A copy whose shared bytes (the packet, mapped map values) are the copies `copies`
    /// makes.
    fn copied(&self, copies: &mut SharedCopies) -> Invocation {
        let mut copy = self.clone();
        copy.vm.memory_mut().copy_shared(copies);
        if let Some(skb) = copy.state.skb.as_mut() {
            skb.packet = copies.copy(&skb.packet);
        }
        copy
    }
}

/// Effects of runs on the rest of the system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelEvent {
    /// The program returned TC_ACT_REDIRECT after `redirect(ifindex, flags)`.
    Redirect {
        ifindex: u32,
        ingress: bool,
        delivered: bool,
    },
    /// `clone_redirect` sent a copy of the packet.
    CloneRedirect {
        ifindex: u32,
        ingress: bool,
        packet: Vec<u8>,
    },
}

impl fmt::Display for KernelEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = |ingress: bool| if ingress { "ingress" } else { "egress" };
        match self {
            KernelEvent::Redirect {
                ifindex,
                ingress,
                delivered,
            } => write!(
                f,
                "redirect to ifindex {ifindex} ({}){}",
                dir(*ingress),
                if *delivered {
                    ""
                } else {
                    ": no such device, dropped"
                }
            ),
            KernelEvent::CloneRedirect {
                ifindex,
                ingress,
                packet,
            } => {
                write!(
                    f,
                    "clone_redirect of {} bytes to ifindex {ifindex} ({})",
                    packet.len(),
                    dir(*ingress)
                )
            }
        }
    }
}

/// TC_ACT_* values.
pub const TC_ACT_REDIRECT: i32 = 7;

fn tc_action_name(action: i32) -> &'static str {
    match action {
        -1 => "TC_ACT_UNSPEC",
        0 => "TC_ACT_OK",
        1 => "TC_ACT_RECLASSIFY",
        2 => "TC_ACT_SHOT",
        3 => "TC_ACT_PIPE",
        4 => "TC_ACT_STOLEN",
        5 => "TC_ACT_QUEUED",
        6 => "TC_ACT_REPEAT",
        7 => "TC_ACT_REDIRECT",
        _ => "not a TC_ACT_* value",
    }
}

/// What the return value means for the program type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Socket filter: bytes of the packet kept (0 drops it).
    Keep { bytes: u32, of: u32 },
    /// tc classifier in direct-action mode (cls_bpf): a TC_ACT_* value.
    TcClassifier(i32),
    /// tc action (act_bpf): a TC_ACT_* value.
    TcAction(i32),
    /// kprobe: whether the event is recorded.
    Kprobe { record: bool },
}

impl Verdict {
    /// The action tc takes. net/sched/cls_bpf.c `cls_bpf_exec_opcode` passes OK, SHOT,
    /// STOLEN, REDIRECT and UNSPEC and turns every other value (RECLASSIFY, PIPE,
    /// QUEUED, REPEAT, ...) into TC_ACT_UNSPEC; net/sched/act_bpf.c `tcf_bpf` passes
    /// PIPE, RECLASSIFY, OK, REDIRECT and SHOT, keeps UNSPEC for the action's default,
    /// and turns every other value (STOLEN, QUEUED, REPEAT, ...) into TC_ACT_UNSPEC.
    pub fn tc_effect(&self) -> Option<i32> {
        match *self {
            Verdict::TcClassifier(a @ (-1 | 0 | 2 | 4 | 7)) => Some(a),
            Verdict::TcAction(a @ (-1..=3 | 7)) => Some(a),
            Verdict::TcClassifier(_) | Verdict::TcAction(_) => Some(-1),
            _ => None,
        }
    }
}

/// What tc does with an action, as the program type hands it on.
fn tc_effect_text(effect: i32, classifier: bool) -> &'static str {
    match (effect, classifier) {
        (-1, true) => "no verdict: the next filter runs",
        (-1, false) => "the action's configured default (tc's `action`) applies",
        (0, _) => "the packet passes",
        (1, _) => "classification restarts",
        (2, _) => "the packet is dropped",
        (3, _) => "the next action runs",
        (4, _) => "the packet is consumed (stolen)",
        _ => "the packet goes where bpf_redirect said",
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Verdict::Keep { bytes: 0, .. } => f.write_str("drop the packet"),
            Verdict::Keep { bytes, of } if bytes >= of => {
                write!(f, "keep the whole packet ({of} bytes)")
            }
            Verdict::Keep { bytes, of } => write!(f, "keep {bytes} of {of} bytes"),
            Verdict::TcClassifier(a) | Verdict::TcAction(a) => {
                let classifier = matches!(self, Verdict::TcClassifier(_));
                let effect = self.tc_effect().unwrap_or(-1);
                write!(f, "{} ({a}): ", tc_action_name(a))?;
                match (effect == a, classifier) {
                    (true, _) => f.write_str(tc_effect_text(effect, classifier)),
                    (false, true) => write!(
                        f,
                        "cls_bpf takes it as TC_ACT_UNSPEC, {}",
                        tc_effect_text(effect, classifier)
                    ),
                    (false, false) => f.write_str(
                        "act_bpf returns TC_ACT_UNSPEC for it: the action ends with no verdict",
                    ),
                }
            }
            Verdict::Kprobe { record: true } => f.write_str("record the event"),
            Verdict::Kprobe { record: false } => f.write_str("drop the event"),
        }
    }
}

/// Everything a finished run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// The full r0; the kernel itself returns it truncated to 32 bits (`ret`).
    pub r0: u64,
    pub ret: u32,
    pub verdict: Option<Verdict>,
    pub fault: Option<Fault>,
    pub executed: u64,
    pub tail_calls: u32,
    /// The packet and metadata after the run.
    pub packet: Vec<u8>,
    pub meta: Option<SkbMeta>,
    pub trace: Vec<String>,
    pub perf_samples: Vec<(ObjectId, Vec<u8>)>,
    pub redirect: Option<KernelEvent>,
    pub tx_tunnel: Option<(u32, u32)>,
}

/// trace_pipe's text as lines. Each entry holds its message as formatted, newline and
/// all, so an entry without one runs on into the next, as `cat trace_pipe` shows them.
pub fn trace_lines(entries: &[String]) -> Vec<String> {
    entries.concat().lines().map(str::to_owned).collect()
}

/// The kernel's prandom_u32_state seeding (lib/random32.c).
pub(super) fn seed_prandom(seed: u32) -> [u32; 4] {
    let seed = u64::from(seed);
    let i = ((seed >> 32) ^ (seed << 10) ^ seed) as u32;
    let lift = |x: u32, m: u32| if x < m { x + m } else { x };
    let mut state = [lift(i, 2), lift(i, 8), lift(i, 16), lift(i, 128)];
    for _ in 0..10 {
        prandom_next(&mut state);
    }
    state
}

/// One step of the kernel's Tausworthe generator (taus113).
pub(super) fn prandom_next(s: &mut [u32; 4]) -> u32 {
    let taus = |s: u32, a: u32, b: u32, c: u32, d: u32| ((s & c) << d) ^ (((s << a) ^ s) >> b);
    s[0] = taus(s[0], 6, 13, 4_294_967_294, 18);
    s[1] = taus(s[1], 2, 27, 4_294_967_288, 2);
    s[2] = taus(s[2], 13, 21, 4_294_967_280, 7);
    s[3] = taus(s[3], 3, 12, 4_294_967_168, 13);
    s[0] ^ s[1] ^ s[2] ^ s[3]
}

impl Kernel {
    /// Prepares a run of the program behind `fd` (a test run, like later kernels'
    /// BPF_PROG_TEST_RUN; 4.4 ran programs only from their attach points).
    pub fn invoke(&self, pid: Pid, fd: Fd, input: RunInput) -> Result<Invocation, Errno> {
        let id = self.prog_fd(pid, fd)?;
        let prog = self.prog(id).ok_or(Errno::EINVAL)?;
        let mut vm = Vm::new(prog.code.clone(), Config::for_profile(Profile::Linux44))
            .map_err(|_| Errno::EINVAL)?;
        let (skb, ctx_addr) = match (input, prog.prog_type.has_skb()) {
            (RunInput::Packet { packet, mut meta }, true) => {
                let len = packet.len() as u32;
                let saved_cb = (prog.prog_type == ProgType::SocketFilter)
                    .then(|| core::mem::take(&mut meta.cb));
                let ctx_addr =
                    vm.memory_mut()
                        .map(RegionKind::Context, meta.to_ctx(len).to_vec(), true);
                let packet = Rc::new(RefCell::new(packet));
                let packet_addr = vm
                    .memory_mut()
                    .map_shared(RegionKind::Packet, &packet, true);
                let csum = SkbCsum {
                    mode: CsumMode::None,
                    csum: 0,
                };
                (
                    Some(SkbState {
                        packet,
                        meta,
                        csum,
                        ctx_addr,
                        packet_addr,
                        saved_cb,
                    }),
                    ctx_addr,
                )
            }
            (RunInput::Kprobe { regs }, false) => (
                None,
                vm.memory_mut()
                    .map(RegionKind::Context, regs.to_bytes(), false),
            ),
            _ => return Err(Errno::EINVAL),
        };
        vm.set_reg(crate::isa::Reg::R1, ctx_addr);
        let state = InvocationState {
            prog: id,
            prog_type: prog.prog_type,
            tail_calls: 0,
            skb,
            redirect: None,
            tx_tunnel: None,
            trace: Vec::new(),
            perf_samples: Vec::new(),
        };
        Ok(Invocation { vm, state })
    }

    /// Executes one instruction of an invocation.
    pub fn step(&mut self, inv: &mut Invocation) -> Option<Step> {
        let mut helpers = KernelHelpers {
            kernel: self,
            inv: &mut inv.state,
        };
        inv.vm.step(&mut helpers)
    }

    /// Runs an invocation to the end (or a breakpoint) and reports on it.
    pub fn run(&mut self, inv: &mut Invocation, breakpoints: &[usize]) -> RunStop {
        let mut helpers = KernelHelpers {
            kernel: self,
            inv: &mut inv.state,
        };
        inv.vm.run(&mut helpers, breakpoints)
    }

    /// Runs the program behind `fd` on `input` to the end.
    pub fn run_prog(&mut self, pid: Pid, fd: Fd, input: RunInput) -> Result<RunReport, Errno> {
        let mut inv = self.invoke(pid, fd, input)?;
        self.run(&mut inv, &[]);
        Ok(self.finish(inv))
    }

    /// Collects the results of a finished (or abandoned) invocation.
    pub fn finish(&mut self, inv: Invocation) -> RunReport {
        let Invocation { vm, state } = inv;
        let (r0, fault) = match vm.state() {
            State::Exited { r0, .. } => (*r0, None),
            State::Faulted(f) => (vm.regs()[0], Some(f.clone())),
            State::Running => (vm.regs()[0], None),
        };
        let ret = r0 as u32;
        let mut meta = None;
        let mut packet = Vec::new();
        if let Some(mut skb) = state.skb {
            if let Ok(ctx) = vm
                .memory()
                .read_bytes(skb.ctx_addr, crate::linux::ctx::SKB_CTX_SIZE)
            {
                skb.meta.absorb_ctx(&ctx);
            }
            if let Some(cb) = skb.saved_cb {
                skb.meta.cb = cb;
            }
            packet = skb.packet.borrow().clone();
            meta = Some(skb.meta);
        }
        let finished = fault.is_none() && matches!(vm.state(), State::Exited { .. });
        let verdict = finished.then_some(match state.prog_type {
            ProgType::SocketFilter => Verdict::Keep {
                bytes: ret,
                of: packet.len() as u32,
            },
            ProgType::SchedCls => Verdict::TcClassifier(ret as i32),
            ProgType::SchedAct => Verdict::TcAction(ret as i32),
            ProgType::Kprobe => Verdict::Kprobe { record: ret != 0 },
        });
        let redirect = match (verdict.and_then(|v| v.tc_effect()), state.redirect) {
            (Some(TC_ACT_REDIRECT), Some((ifindex, flags))) => {
                let event = KernelEvent::Redirect {
                    ifindex,
                    ingress: flags & 1 != 0,
                    delivered: self.settings.ifindexes.contains(&ifindex),
                };
                self.events.push(event.clone());
                Some(event)
            }
            _ => None,
        };
        RunReport {
            r0,
            ret,
            verdict,
            fault,
            executed: vm.executed(),
            tail_calls: state.tail_calls,
            packet,
            meta,
            trace: state.trace,
            perf_samples: state.perf_samples,
            redirect,
            tx_tunnel: state.tx_tunnel,
        }
    }

    /// A copy of the kernel and of an invocation running in it, sharing bytes with each
    /// other as the originals do (a map value and the region the program reaches it
    /// through) and with nothing else: a checkpoint of a run that later changes cannot
    /// reach (`debug::Timeline`).
    pub fn fork(&self, inv: &Invocation) -> (Kernel, Invocation) {
        let mut copies = SharedCopies::default();
        let mut kernel = self.clone();
        for object in kernel.objects.values_mut() {
            if let super::Object::Map { map, .. } = object {
                map.copy_values(&mut copies);
            }
        }
        (kernel, inv.copied(&mut copies))
    }

    pub(super) fn prandom_u32(&mut self) -> u32 {
        prandom_next(&mut self.prandom_state)
    }
}
