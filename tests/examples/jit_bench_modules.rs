//! Writes the JIT's modules for the benchmark programs, for the V8 measurement of
//! `tests/benches/node/run.sh` (which runs this first):
//! `cargo run -p bpfplay-tests --example jit_bench_modules -- DIR`.
//! Per program: `NAME.wasm`, `NAME.image` (linear memory: header, registers, region
//! table, regions) and `NAME.json` (the interpreter's r0 and executed-instruction count).
//! That the JIT agrees with the interpreter on these programs is checked by `tests/jit.rs`.

use bpfplay_core::jit;
use bpfplay_core::jit::host::JitRun;
use bpfplay_core::vm::{Config, ConformanceHelpers, RunStop, Vm};
use bpfplay_tests::{ALU_BENCH_PROFILE, JIT_BENCH_INPUT, JIT_BENCH_PROGRAMS, workspace_root};
use std::path::PathBuf;

fn main() -> Result<(), String> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: jit_bench_modules DIR")?,
    );
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for name in JIT_BENCH_PROGRAMS {
        let path = workspace_root().join(format!("tests/benches/programs/{name}.s"));
        let source =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let program = bpfplay_core::asm::assemble(&source, None)
            .map_err(|e| format!("{name}: {e}"))?
            .program;
        let profile = ALU_BENCH_PROFILE;
        let wasm = jit::compile(&program, profile).map_err(|e| format!("{name}: {e}"))?;
        let vm =
            Vm::new(program, Config::for_profile(profile)).map_err(|e| format!("{name}: {e}"))?;
        let mut vm = vm.with_input(JIT_BENCH_INPUT.to_vec());
        let image = JitRun::new(vm.clone())
            .map_err(|e| format!("{name}: {e}"))?
            .image();
        let RunStop::Exited { r0 } = vm.run(&mut ConformanceHelpers, &[]) else {
            return Err(format!("{name} does not exit in the interpreter"));
        };
        let write = |ext: &str, bytes: &[u8]| {
            let file = dir.join(format!("{name}.{ext}"));
            std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))
        };
        write("wasm", &wasm)?;
        write("image", &image)?;
        let json = format!(
            "{{\"r0\": \"{r0}\", \"executed\": {}, \"wasm_bytes\": {}}}\n",
            vm.executed(),
            wasm.len()
        );
        write("json", json.as_bytes())?;
    }
    Ok(())
}
