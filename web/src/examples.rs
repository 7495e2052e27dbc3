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
    "answer.s",
    "sum-bytes.s",
    "stack-swap.s",
    "xadd-counter.s",
    "div-by-zero.s",
    "local-call.s",
];
