// Times the core interpreter compiled to wasm32 (V8) on the ALU mix; prints ns/insn.
// Then times the verifier (as tests/benches/verifier.rs calls it natively) on alu_mix and
// verifier_worst, without and with the log; prints ms per verification.
import { readFileSync } from "node:fs";

const path = process.argv[2];
const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
const { setup, run, verify_setup, verify } = instance.exports;
const slots = setup();
const time = (n) => {
  const t0 = process.hrtime.bigint();
  const executed = run(n);
  const ns = Number(process.hrtime.bigint() - t0);
  if (executed === 0) throw new Error("run failed");
  return ns / executed;
};
time(200); // warm up: let V8's optimizing tier compile the module
const samples = [];
for (let i = 0; i < 30; i++) samples.push(time(100));
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(`alu_mix (${slots} slots), wasm32 in node ${process.version}: ` +
  `median ${median.toFixed(2)} ns/insn (min ${samples[0].toFixed(2)}, max ${samples.at(-1).toFixed(2)}) over ${samples.length} samples of 100 runs`);

// The verifier: one sample is one whole verification (milliseconds each, far above the
// timer's resolution). The first call is reported separately ("first"): it includes
// V8's baseline tier and is what a page sees on its first load of a program.
const ms = (log) => {
  const t0 = process.hrtime.bigint();
  const processed = verify(1, log);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  if (processed === 0) throw new Error("verify failed");
  return { elapsed, processed };
};
for (const [which, name] of [[0, "alu_mix_4095"], [1, "worst_4093"]]) {
  const insns = verify_setup(which);
  if (insns === 0) throw new Error(`verify_setup(${which}) failed`);
  for (const log of [0, 1]) {
    const first = ms(log);
    // Warm up: at least 10 verifications and 1 s, so the optimizing tier has compiled it.
    const w0 = process.hrtime.bigint();
    for (let i = 0; i < 10 || Number(process.hrtime.bigint() - w0) < 1e9; i++) ms(log);
    const vs = [];
    for (let i = 0; i < 21; i++) vs.push(ms(log).elapsed);
    vs.sort((a, b) => a - b);
    console.log(`verifier ${name}${log ? "_log" : ""} (${insns} slots, ${first.processed} processed), wasm32 in node ${process.version}: ` +
      `median ${vs[Math.floor(vs.length / 2)].toFixed(2)} ms (min ${vs[0].toFixed(2)}, max ${vs.at(-1).toFixed(2)}) ` +
      `over ${vs.length} verifications; first ${first.elapsed.toFixed(2)} ms`);
  }
}
