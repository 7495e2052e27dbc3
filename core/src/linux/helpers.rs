//! Helpers 1..25 of Linux 4.4: ids, names and prototypes, as one table. The assembler
//! reads the names, the verifier the prototypes; `kernel::helpers` emulates them.

use super::ProgType;

/// What a helper returns (`enum bpf_return_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetType {
    Integer,
    Void,
    MapValueOrNull,
}

/// What an argument must be (`enum bpf_arg_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    /// Not checked at all.
    DontCare,
    ConstMapPtr,
    /// A stack pointer to `key_size` initialised bytes of the map argument.
    PtrToMapKey,
    PtrToMapValue,
    PtrToStack,
    /// A positive constant: the size of the preceding stack buffer.
    ConstStackSize,
    PtrToCtx,
    Anything,
}

/// Which program types may call a helper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    No,
    Yes,
    /// Socket filters see trace_printk only when the loader has CAP_SYS_ADMIN.
    Privileged,
}

/// A helper's 4.4 prototype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelperProto {
    pub id: i32,
    pub name: &'static str,
    pub ret: RetType,
    pub args: [ArgType; 5],
    pub gpl_only: bool,
    pub socket_filter: Access,
    /// SCHED_CLS and SCHED_ACT share one table.
    pub tc: bool,
    pub kprobe: bool,
}

use Access::{No as N, Privileged as P, Yes as Y};
use ArgType::{
    Anything as ANY, ConstMapPtr as MAP, ConstStackSize as SIZE, DontCare as DC, PtrToCtx as CTX,
    PtrToMapKey as KEY, PtrToMapValue as VALUE, PtrToStack as STACK,
};
use RetType::{Integer as INT, MapValueOrNull as MVN, Void as VOID};

#[allow(clippy::too_many_arguments)]
const fn proto(
    id: i32,
    name: &'static str,
    ret: RetType,
    args: [ArgType; 5],
    gpl_only: bool,
    socket_filter: Access,
    tc: bool,
    kprobe: bool,
) -> HelperProto {
    HelperProto {
        id,
        name,
        ret,
        args,
        gpl_only,
        socket_filter,
        tc,
        kprobe,
    }
}

/// The table of kernel-4.4.md §4, in id order (index = id - 1). Columns: id, name,
/// return, arguments, gpl_only, socket filters, tc, kprobes.
#[rustfmt::skip]
pub const HELPERS: [HelperProto; 25] = [
    proto(1,  "map_lookup_elem",      MVN,  [MAP, KEY, DC, DC, DC],       false, Y, true,  true),
    proto(2,  "map_update_elem",      INT,  [MAP, KEY, VALUE, ANY, DC],   false, Y, true,  true),
    proto(3,  "map_delete_elem",      INT,  [MAP, KEY, DC, DC, DC],       false, Y, true,  true),
    proto(4,  "probe_read",           INT,  [STACK, SIZE, ANY, DC, DC],   true,  N, false, true),
    proto(5,  "ktime_get_ns",         INT,  [DC, DC, DC, DC, DC],         true,  Y, true,  true),
    proto(6,  "trace_printk",         INT,  [STACK, SIZE, DC, DC, DC],    true,  P, true,  true),
    proto(7,  "get_prandom_u32",      INT,  [DC, DC, DC, DC, DC],         false, Y, true,  false),
    proto(8,  "get_smp_processor_id", INT,  [DC, DC, DC, DC, DC],         false, Y, true,  true),
    proto(9,  "skb_store_bytes",      INT,  [CTX, ANY, STACK, SIZE, ANY], false, N, true,  false),
    proto(10, "l3_csum_replace",      INT,  [CTX, ANY, ANY, ANY, ANY],    false, N, true,  false),
    proto(11, "l4_csum_replace",      INT,  [CTX, ANY, ANY, ANY, ANY],    false, N, true,  false),
    proto(12, "tail_call",            VOID, [CTX, MAP, ANY, DC, DC],      false, Y, true,  true),
    proto(13, "clone_redirect",       INT,  [CTX, ANY, ANY, DC, DC],      false, N, true,  false),
    proto(14, "get_current_pid_tgid", INT,  [DC, DC, DC, DC, DC],         false, N, false, true),
    proto(15, "get_current_uid_gid",  INT,  [DC, DC, DC, DC, DC],         false, N, false, true),
    proto(16, "get_current_comm",     INT,  [STACK, SIZE, DC, DC, DC],    false, N, false, true),
    proto(17, "get_cgroup_classid",   INT,  [CTX, DC, DC, DC, DC],        false, N, true,  false),
    proto(18, "skb_vlan_push",        INT,  [CTX, ANY, ANY, DC, DC],      false, N, true,  false),
    proto(19, "skb_vlan_pop",         INT,  [CTX, DC, DC, DC, DC],        false, N, true,  false),
    proto(20, "skb_get_tunnel_key",   INT,  [CTX, STACK, SIZE, ANY, DC],  false, N, true,  false),
    proto(21, "skb_set_tunnel_key",   INT,  [CTX, STACK, SIZE, ANY, DC],  false, N, true,  false),
    proto(22, "perf_event_read",      INT,  [MAP, ANY, DC, DC, DC],       true,  N, false, true),
    proto(23, "redirect",             INT,  [ANY, ANY, DC, DC, DC],       false, N, true,  false),
    proto(24, "get_route_realm",      INT,  [CTX, DC, DC, DC, DC],        false, N, true,  false),
    proto(25, "perf_event_output",    INT,  [CTX, MAP, ANY, STACK, SIZE], true,  N, false, true),
];

/// The prototype of a helper id, if 4.4 has one.
pub fn proto_of(id: i32) -> Option<&'static HelperProto> {
    usize::try_from(id)
        .ok()
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| HELPERS.get(i))
}

/// Whether a helper's result comes from outside the program's inputs and the maps (a
/// clock, a random generator, the CPU it runs on, a hardware counter): running the same
/// program twice on a real kernel gives other values.
pub fn reads_environment(id: i32) -> bool {
    proto_of(id).is_some_and(|h| {
        matches!(
            h.name,
            "ktime_get_ns" | "get_prandom_u32" | "get_smp_processor_id" | "perf_event_read"
        )
    })
}

/// The helper named `bpf_map_lookup_elem` or `map_lookup_elem`.
pub fn by_name(name: &str) -> Option<&'static HelperProto> {
    let bare = name.strip_prefix("bpf_").unwrap_or(name);
    HELPERS.iter().find(|h| h.name == bare)
}

impl HelperProto {
    /// Whether a program of `prog_type` may call this helper; `privileged` is whether the
    /// loader had CAP_SYS_ADMIN.
    pub fn available(&self, prog_type: ProgType, privileged: bool) -> bool {
        match prog_type {
            ProgType::SocketFilter => match self.socket_filter {
                Access::Yes => true,
                Access::Privileged => privileged,
                Access::No => false,
            },
            ProgType::SchedCls | ProgType::SchedAct => self.tc,
            ProgType::Kprobe => self.kprobe,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn table_is_in_id_order_and_names_find_their_helper() {
        for (i, h) in HELPERS.iter().enumerate() {
            assert_eq!(h.id as usize, i + 1);
            assert_eq!(by_name(h.name), Some(h));
            assert_eq!(by_name(&format!("bpf_{}", h.name)), Some(h));
        }
        assert!(by_name("unspec").is_none() && by_name("bpf_nope").is_none());
        assert!(proto_of(0).is_none() && proto_of(26).is_none() && proto_of(-1).is_none());
        let printk = proto_of(6).unwrap();
        assert!(
            printk.available(ProgType::SocketFilter, true)
                && !printk.available(ProgType::SocketFilter, false)
        );
        assert!(
            !proto_of(7).unwrap().available(ProgType::Kprobe, true),
            "no prandom for kprobes in 4.4"
        );
    }
}
