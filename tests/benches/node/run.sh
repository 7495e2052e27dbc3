#!/bin/sh
# The core interpreter compiled to wasm32-unknown-unknown, run in node on alu_mix and
# alu_mem (ns per instruction, to compare with `cargo bench -p bpfplay-tests --bench
# interpreter`), the JIT's modules of the same programs in the same node, and the
# verifier in wasm. The default opt-level is 3, as the playground's release profile;
# set OPT_LEVEL=z to compare a size-optimised build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export CARGO_TARGET_DIR="$root/target/wasm-bench"
rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
CARGO_PROFILE_RELEASE_OPT_LEVEL="${OPT_LEVEL:-3}" \
  cargo build --quiet --release --target wasm32-unknown-unknown --manifest-path "$here/wasm-bench/Cargo.toml"
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/bpfplay_wasm_bench.wasm"
echo "opt-level ${OPT_LEVEL:-3}: $(wc -c < "$wasm") bytes of wasm"
jit_dir="$CARGO_TARGET_DIR/jit-modules"
(cd "$root" && CARGO_TARGET_DIR="$root/target" cargo run --quiet -p bpfplay-tests --example jit_bench_modules -- "$jit_dir")
node "$here/bench.mjs" "$wasm" "$jit_dir"
