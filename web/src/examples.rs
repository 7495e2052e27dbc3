//! The example programs shipped in `static/examples`, compiled into the app.

/// An example: its file name and source.
pub struct Example {
    pub name: &'static str,
    pub source: &'static str,
}

macro_rules! examples {
    ($($file:literal),* $(,)?) => {
        &[$(Example { name: $file, source: include_str!(concat!("../../static/examples/", $file)) }),*]
    };
}

pub const EXAMPLES: &[Example] = examples![
    "sockex1-proto-count.s",
    "tc-nat.s",
    "kprobe-count.s",
    "tail-call-dispatch.s",
    "shared-ingress.s",
    "shared-egress.s",
    "perf-output.s",
    "vlan.s",
    "ld-abs-parse.s",
    "counters-walk.s",
    "rejected-null-check.s",
    "answer.s",
    "stack-swap.s",
    "xadd-counter.s",
    "div-by-zero.s",
    "sum-bytes.s",
    "local-call.s",
];
