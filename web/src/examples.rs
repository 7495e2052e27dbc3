//! The example programs shipped in `static/examples`, compiled into the app, each with
//! a title and one line saying what it shows. Their program type (for grouping) is
//! the file's own `; type:` header.

/// An example: its file name, title, one-line description and source.
pub struct Example {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub source: &'static str,
}

macro_rules! examples {
    ($(($file:literal, $title:literal, $description:literal)),* $(,)?) => {
        &[$(Example {
            name: $file,
            title: $title,
            description: $description,
            source: include_str!(concat!("../../static/examples/", $file)),
        }),*]
    };
}

pub const EXAMPLES: &[Example] = examples![
    (
        "sockex1-proto-count.s",
        "Count packets per protocol",
        "samples/bpf sockex1: an array map indexed by the IP protocol byte"
    ),
    (
        "tc-nat.s",
        "Rewrite a source address (NAT)",
        "store bytes, then fix the IPv4 and TCP checksums incrementally"
    ),
    (
        "kprobe-count.s",
        "Count calls per process",
        "a kprobe with a hash map keyed by pid_tgid and trace_printk"
    ),
    (
        "tail-call-dispatch.s",
        "Dispatch by tail call",
        "jump through a prog_array to a program per IP protocol"
    ),
    (
        "shared-ingress.s",
        "Shared pinned map: ingress",
        "one half of two programs counting into the same pinned map"
    ),
    (
        "shared-egress.s",
        "Shared pinned map: egress",
        "the other half: slot 1 of the map shared-ingress pins"
    ),
    (
        "perf-output.s",
        "Send samples to user space",
        "perf_event_output into this CPU's perf_event_array slot"
    ),
    (
        "vlan.s",
        "Push and pop VLAN tags",
        "skb_vlan_push / skb_vlan_pop on the hardware tag and the packet"
    ),
    (
        "ld-abs-parse.s",
        "Parse headers with LD_ABS",
        "keep TCP packets to port 80, as classic socket filters do"
    ),
    (
        "counters-walk.s",
        "Walk a map's keys",
        "counters to list from the console with get_next_key"
    ),
    (
        "rejected-null-check.s",
        "Rejected: missing NULL check",
        "the verifier refuses a map value used before checking it"
    ),
    (
        "answer.s",
        "The smallest program",
        "compute 42 in r0 and exit"
    ),
    (
        "stack-swap.s",
        "Use the stack",
        "store two words below r10, swap them, read one back"
    ),
    (
        "xadd-counter.s",
        "Atomic add",
        "XADD, the one atomic operation Linux 4.4 has"
    ),
    (
        "div-by-zero.s",
        "Divide by zero",
        "what Linux 4.4 and RFC 9669 each make of it"
    ),
    (
        "sum-bytes.s",
        "Sum input bytes",
        "a loop over memory with a bounds check, in the plain VM"
    ),
    (
        "local-call.s",
        "BPF-to-BPF call",
        "a function with its own stack frame (RFC 9669 profile)"
    ),
];
