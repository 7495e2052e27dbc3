// A measurement, not a test: how long one step takes to reach the screen on a
// 4095-instruction program (the budget is 16 ms). Run against a served dist/:
//   node tests/e2e/measure-step.mjs http://127.0.0.1:8095/
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://127.0.0.1:8095/';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(base);
await page.waitForSelector('#verdict');
await page.selectOption('#prog-type', 'socket_filter');
const program = Array.from({ length: 4094 }, (_, i) => `r${i % 9} += ${i % 7}`).join('\n').replace(/^/, 'r0 = 0\nr1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\nr6 = 0\nr7 = 0\nr8 = 0\n') + '\nexit';
const lines = program.split('\n').slice(0, 4094).join('\n') + '\nexit';
await page.click('.cm-content');
await page.keyboard.press('Control+A');
await page.keyboard.insertText(lines);
// The listing is a virtual list: it is this program's once it is 4,095 lines tall.
await page.waitForFunction(() => document.querySelector('#listing .vlist-sizer')?.style.height === `${4095 * 16}px`, null, { timeout: 60000 });
const times = await page.evaluate(async () => {
  const regs = () => document.querySelector('#counter')?.textContent ?? '';
  const out = [];
  for (let i = 0; i < 30; i++) {
    const before = regs();
    const t0 = performance.now();
    await new Promise((resolve) => {
      const obs = new MutationObserver(() => { if (regs() !== before) { obs.disconnect(); resolve(); } });
      obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      document.querySelector('#step').click();
    });
    out.push(performance.now() - t0);
  }
  return out;
});
times.sort((a, b) => a - b);
console.log(`rows in the DOM (a virtual list): ${await page.locator('#listing .row').count()}`);
console.log(`step to screen over ${times.length} steps: median ${times[times.length >> 1].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
await browser.close();
