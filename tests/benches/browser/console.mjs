// A measurement, not a test (not part of `make test`): what a full console costs the
// editor in the built playground. One character typed into a 2-line program (as a key
// press inserts it), timed until the next task (the key's handlers, the app's render and
// its effects: the main thread's work), 20 keys, with an empty console and again after
// a `prog run ... repeat 2500` batch has filled it (2,000 lines shown, the most it
// shows). Serve dist/ first (as tests/scripts/e2e.sh does), then:
//   node tests/benches/browser/console.mjs http://127.0.0.1:8095/
import { openPlayground } from './common.mjs';

const KEYS = 20;
const { browser, page } = await openPlayground();
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Milliseconds of main-thread work per key typed at the end of the program. */
async function keyWork() {
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.waitForTimeout(500);
  return page.evaluate(async (keys) => {
    const out = [];
    for (let i = 0; i < keys; i++) {
      const t0 = performance.now();
      document.execCommand('insertText', false, ' ');
      await new Promise((r) => setTimeout(r, 0));
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 30));
    }
    return out;
  }, KEYS);
}

try {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('r0 = 1\nexit\n');
  await page.waitForTimeout(1000);
  const empty = await keyWork();
  await page.fill('#console-input', 'prog load current /sys/fs/bpf/p type socket_filter');
  await page.press('#console-input', 'Enter');
  await page.fill('#console-input', 'prog run pinned /sys/fs/bpf/p packet hex 00 01 02 03 repeat 2500');
  await page.press('#console-input', 'Enter');
  await page.waitForFunction(() => !document.querySelector('#batch'), null, { timeout: 60000 });
  await page.waitForTimeout(1000);
  const shown = await page.$$eval('#console-output > div:not(.hint)', (d) => d.length);
  if (shown < 2000) throw new Error(`the batch left ${shown} console lines, not 2,000`);
  const full = await keyWork();
  const figure = (xs) => `median ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  console.log(`a key, empty console:            ${figure(empty)}`);
  console.log(`a key, ${shown} console lines shown: ${figure(full)}`);
} finally {
  await browser.close();
}
