// A measurement, not a test (not part of `make test`): in headless Chromium on the
// release build, how long Run takes on an endless loop until the 10M-instruction fuel
// stops it (click to the status on screen), how long one step back takes after that run
// (click to the counter on screen), and the longest main-thread task while it runs
// (PerformanceObserver 'longtask'). Then Run with the wasm JIT as the engine on a plain-VM
// loop of 9.8M instructions (interpreted in slices, then run by the JIT to compare; click
// to the JIT's report), with the longest task. Then, on a 4,095-instruction straight-line socket
// filter (Linux 4.4's limit is insn_cnt < 4,096): a console batch of 1,000 packets
// (`prog run ... repeat 1000`, submit to its last run on screen) and Run with the wasm JIT
// (click to the JIT's report on screen, which compiles the program), each with the
// longest main-thread task. Serve dist/ first (as tests/scripts/e2e.sh does), then:
//   node tests/benches/browser/run.mjs http://127.0.0.1:8095/
import { openPlayground, pasteSource, summary } from './common.mjs';

const rounds = Number(process.env.ROUNDS ?? 5);
const { browser, page } = await openPlayground();
await page.selectOption('#prog-type', 'plain');
await page.click('.cm-content');
await page.keyboard.press('Control+A');
await page.keyboard.insertText('r0 = 0\nloop:\nr0 += 1\ngoto loop\n');
await page.waitForFunction(() => document.querySelectorAll('#listing .row').length === 3);

const results = [];
for (let round = 0; round < rounds; round++) {
  await page.click('#reset');
  results.push(await page.evaluate(async () => {
    const status = () => document.querySelector('#status')?.textContent ?? '';
    const counter = () => document.querySelector('#counter')?.textContent ?? '';
    const until = (done) => new Promise((resolve) => {
      if (done()) return resolve();
      const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const t0 = performance.now();
    document.querySelector('#run').click();
    await until(() => status().startsWith('fault after 10000000 instructions'));
    const run = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50)); // let the observer deliver
    observer.disconnect();
    const t1 = performance.now();
    document.querySelector('#back').click();
    await until(() => counter().startsWith('10000000 instructions executed, pc = '));
    const back = performance.now() - t1;
    return { run, back, longest: Math.max(0, ...longTasks), longTasks: longTasks.length };
  }));
}

// `window.timed(start, done)`: calls `start`, then resolves once `done()` holds after a
// change of the page, with the time taken and the longest main-thread task meanwhile.
await page.evaluate(() => {
  window.timed = (start, done) => new Promise((resolve) => {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    const t0 = performance.now();
    const finish = () => {
      const ms = performance.now() - t0;
      setTimeout(() => { // let the observer deliver
        observer.disconnect();
        resolve({ ms, longest: Math.max(0, ...longTasks) });
      }, 50);
    };
    const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); finish(); } });
    obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    start();
  });
});
// A long run with the wasm JIT as the engine: a plain-VM loop of 9.8M instructions,
// interpreted (in slices) and then run by the JIT to compare, click to the JIT's report.
await pasteSource(page, 'r0 = 0\nloop:\nr0 += 1\nif r0 != 4900000 goto loop\nexit\n');
await page.waitForFunction(() => document.querySelectorAll('#listing .row').length === 4);
/** `rounds` Runs with the wasm JIT as the engine, each Reset then click to the JIT's report. */
async function jitRuns() {
  await page.selectOption('#engine', 'jit');
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    await page.click('#reset');
    runs.push(await page.evaluate(() => window.timed(
      () => document.querySelector('#run').click(),
      () => document.querySelector('#jit-status'),
    )));
  }
  return runs;
}
const longJits = await jitRuns();
await page.selectOption('#engine', 'interpreter');
const big = ['r0 = 0', ...Array.from({ length: 4093 }, (_, i) => `r0 += ${i % 7}`), 'exit'].join('\n');
await page.selectOption('#prog-type', 'socket_filter');
await pasteSource(page, big);
// The listing is a virtual list (only the rows in view exist): it is this program's once
// it is as tall as its 4,095 instructions.
await page.waitForFunction(() => document.querySelector('#listing .vlist-sizer')?.style.height === `${4095 * 16}px`,
  null, { timeout: 120000 });
// The JIT first: the pinned program's locked memory would leave too little for Run's.
const jits = await jitRuns();
const jitReport = await page.textContent('#jit-status');
await page.selectOption('#engine', 'interpreter');
await page.fill('#console-input', 'prog load current /sys/fs/bpf/big type socket_filter');
await page.press('#console-input', 'Enter');
const packet = Array.from({ length: 64 }, (_, i) => (i * 37 % 256).toString(16).padStart(2, '0')).join(' ');
const batches = [];
for (let round = 0; round < rounds; round++) {
  // A last line that is no run's, so that the end below is this round's.
  await page.fill('#console-input', 'prog show');
  await page.press('#console-input', 'Enter');
  await page.fill('#console-input', `prog run pinned /sys/fs/bpf/big packet hex ${packet} repeat 1000`);
  batches.push(await page.evaluate(() => {
    const lastLine = () => document.querySelector('#console-output').lastElementChild?.textContent ?? '';
    return window.timed(
      () => document.querySelector('#console-input').form.requestSubmit(),
      () => !document.querySelector('#batch') && lastLine().startsWith('r0 = '),
    );
  }));
}
await browser.close();
console.log(`10M-instruction run to the screen: ${summary(results.map((r) => r.run))}`);
console.log(`one step back after it:            ${summary(results.map((r) => r.back))}`);
console.log(`longest main-thread task in a run: ${summary(results.map((r) => r.longest))}`);
console.log(`1,000-packet batch of 4,095 insns: ${summary(batches.map((r) => r.ms))}`);
console.log(`longest task in that batch:        ${summary(batches.map((r) => r.longest))}`);
console.log(`Run with the JIT, 9.8M insns loop:  ${summary(longJits.map((r) => r.ms))}`);
console.log(`longest task in that Run:          ${summary(longJits.map((r) => r.longest))}`);
console.log(`Run with the JIT, 4,095 insns:     ${summary(jits.map((r) => r.ms))}`);
console.log(`longest task in that Run:          ${summary(jits.map((r) => r.longest))}`);
console.log(`last JIT report: ${jitReport}`);
