// A measurement, not a test (not part of `make test`): in headless Chromium on the
// release build, how long Run takes on an endless loop until the 10M-instruction fuel
// stops it (click to the status on screen), how long one step back takes after that run
// (click to the counter on screen), and the longest main-thread task while it runs
// (PerformanceObserver 'longtask'). Serve dist/ first (as tests/scripts/e2e.sh does), then:
//   node tests/benches/browser/run.mjs http://127.0.0.1:8095/
import { openPlayground, summary } from './common.mjs';

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
await browser.close();
console.log(`10M-instruction run to the screen: ${summary(results.map((r) => r.run))}`);
console.log(`one step back after it:            ${summary(results.map((r) => r.back))}`);
console.log(`longest main-thread task in a run: ${summary(results.map((r) => r.longest))}`);
