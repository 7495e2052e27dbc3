// Times the core interpreter compiled to wasm32 (V8) on the ALU mix; prints ns/insn.
import { readFileSync } from "node:fs";

const path = process.argv[2];
const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
const { setup, run } = instance.exports;
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
