// Times the core interpreter compiled to wasm32 (V8) on alu_mix and alu_mem; prints
// ns/insn. Then, with a second argument (the directory `jit_bench_modules` wrote), times
// the JIT's modules of the same programs in the same V8 and prints the speed-up over the
// interpreter on the same program. Then times the verifier (as
// tests/benches/verifier.rs calls it natively) on alu_mix and verifier_worst, without and
// with the log; prints ms per verification.
import { readFileSync } from "node:fs";

const [path, jitDir] = process.argv.slice(2);
const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
const { setup, run, verify_setup, verify, trace, kernel_setup, kernel_run } = instance.exports;
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// V8 runs wasm in its baseline tier first and moves each function to the optimizing
// tier once it has run enough; until all hot functions have, samples come out 2-3x
// slower, even some tens of milliseconds in. Calling `f` for a whole second first
// leaves only the optimizing tier's code in the samples.
const warmUp = (f) => {
  const t0 = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - t0) < 1e9) f();
};
const interpreterNs = {};
for (const [which, name] of [[0, "alu_mix"], [1, "alu_mem"]]) {
  const slots = setup(which);
  if (slots === 0) throw new Error(`setup(${which}) failed`);
  const time = (n) => {
    const t0 = process.hrtime.bigint();
    const executed = run(n);
    const ns = Number(process.hrtime.bigint() - t0);
    if (executed === 0) throw new Error("run failed");
    return ns / executed;
  };
  // 30 samples of about 400,000 instructions each.
  const runs = Math.ceil(400000 / slots);
  warmUp(() => time(runs));
  const samples = Array.from({ length: 30 }, () => time(runs));
  interpreterNs[name] = median(samples);
  console.log(`interpreter ${name} (${slots} slots), wasm32 in node ${process.version}: ` +
    `median ${interpreterNs[name].toFixed(2)} ns/insn (min ${samples[0].toFixed(2)}, max ${samples.at(-1).toFixed(2)}) over ${samples.length} samples of ${runs} runs`);
}

// The programs that need the kernel, through Kernel::run_prog as the native
// tests/benches/kernel.rs runs them (whole invocations: setup, run, report).
for (const [which, name] of ["packet_parser", "hash_map", "array_counter", "tail_chain", "csum_rewrite"].entries()) {
  const executed = kernel_setup(which);
  if (executed === 0) throw new Error(`kernel_setup(${which}) failed`);
  const runs = Math.ceil(100000 / executed);
  const time = () => {
    const t0 = process.hrtime.bigint();
    if (kernel_run(runs) === 0) throw new Error(`${name} failed`);
    return Number(process.hrtime.bigint() - t0) / runs;
  };
  warmUp(time);
  const samples = Array.from({ length: 30 }, time);
  const med = median(samples);
  console.log(`kernel ${name} (${executed} insns per run), wasm32 in node ${process.version}: ` +
    `median ${(med / 1000).toFixed(2)} µs per run = ${(med / executed).toFixed(1)} ns/insn (min ${(samples[0] / executed).toFixed(1)})`);
}

// The JIT: one run as a caller sees it, like the interpreter's (which makes a fresh Vm):
// copy the image (header, registers, region table, regions) into linear memory, call run.
if (jitDir) {
  for (const name of ["alu_mix", "alu_mem"]) {
    const info = JSON.parse(readFileSync(`${jitDir}/${name}.json`));
    const image = new Uint8Array(readFileSync(`${jitDir}/${name}.image`));
    const memory = new WebAssembly.Memory({ initial: Math.ceil(image.length / 65536) });
    const bytes = new Uint8Array(memory.buffer);
    const stop = (what) => () => { throw new Error(`${name}: ${what}`); };
    const env = { memory, helper: stop("helper"), fault: stop("fault"), early_exit: stop("early exit") };
    const wasm = readFileSync(`${jitDir}/${name}.wasm`);
    const c0 = process.hrtime.bigint();
    const module = new WebAssembly.Module(wasm);
    const compileUs = Number(process.hrtime.bigint() - c0) / 1000;
    const { run: jitRun } = new WebAssembly.Instance(module, { env }).exports;
    const once = () => { bytes.set(image); return jitRun(); };
    if (BigInt.asUintN(64, once()) !== BigInt(info.r0)) throw new Error(`${name}: wrong r0`);
    const time = (n, f) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      return Number(process.hrtime.bigint() - t0) / n;
    };
    warmUp(() => time(2000, once));
    const samples = Array.from({ length: 30 }, () => time(2000, once));
    const med = median(samples);
    const perInsn = med / info.executed;
    // As rbpf's JIT is measured (tests/benches/interpreter.rs): a fresh copy of the
    // input, and a stack left as the previous run left it (rbpf's is not zeroed either;
    // these programs write every stack slot before reading it; checked after).
    const table = new DataView(image.buffer, image.byteOffset + 128); // REGION_TABLE_ADDR
    const inputAt = table.getUint32(16, true), inputLen = table.getUint32(20, true); // region 1
    const input = image.slice(inputAt, inputAt + inputLen);
    const inputOnly = () => { bytes.set(input, inputAt); return jitRun(); };
    const callOnly = median(Array.from({ length: 30 }, () => time(2000, inputOnly))) / info.executed;
    if (BigInt.asUintN(64, inputOnly()) !== BigInt(info.r0)) throw new Error(`${name}: wrong r0 without the stack reset`);
    const note = name === "alu_mix" ? " (V8 drops the many results this program overwrites unused, which an interpreter computes: not a speed figure)" : "";
    console.log(`JIT ${name}: ${info.executed} insns, ${wasm.length} B of wasm, V8 compile ${compileUs.toFixed(0)} µs; ` +
      `median ${med.toFixed(0)} ns/run = ${perInsn.toFixed(3)} ns/insn (min ${(samples[0] / info.executed).toFixed(3)}, ` +
      `max ${(samples.at(-1) / info.executed).toFixed(3)}); ${(interpreterNs[name] / perInsn).toFixed(1)}x the wasm interpreter; ` +
      `input copy + call as rbpf's bench: ${callOnly.toFixed(3)} ns/insn${note}`);
  }
}

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
    warmUp(() => ms(log));
    const vs = [];
    for (let i = 0; i < 21; i++) vs.push(ms(log).elapsed);
    vs.sort((a, b) => a - b);
    console.log(`verifier ${name}${log ? "_log" : ""} (${insns} slots, ${first.processed} processed), wasm32 in node ${process.version}: ` +
      `median ${vs[Math.floor(vs.length / 2)].toFixed(2)} ms (min ${vs[0].toFixed(2)}, max ${vs.at(-1).toFixed(2)}) ` +
      `over ${vs.length} verifications; first ${first.elapsed.toFixed(2)} ms`);
  }
}

// Recording a full step trace of 33 tail calls of a 4095-slot program (as
// tests/benches/verifier.rs does natively): ms per recording.
{
  const once = () => {
    const t0 = process.hrtime.bigint();
    const steps = trace(1);
    if (steps === 0) throw new Error("trace failed");
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, steps };
  };
  const first = once();
  warmUp(once);
  const ms = Array.from({ length: 11 }, () => once().ms);
  console.log(`trace tail_calls_33x4095 (${first.steps} steps), wasm32 in node ${process.version}: ` +
    `median ${median(ms).toFixed(1)} ms (min ${ms[0].toFixed(1)}, max ${ms.at(-1).toFixed(1)}) over ${ms.length} recordings; first ${first.ms.toFixed(1)} ms`);
}
