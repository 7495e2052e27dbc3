// A measurement, not a test (not part of `make test`): how editing a large program
// costs in the built playground, in Debian's Chromium driven by playwright-core.
//
//   trunk build --release --offline --locked && tests/scripts/serve-dist.sh-style server,
//   node tests/benches/browser/paste.mjs [http://127.0.0.1:8095/]
//
// For 1,000, 2,000 and 4,096 lines, a clipboard paste replaces the whole program (the
// editor's own paste handler, as Ctrl+V does); the figure is the time from the paste
// event until the listing is this program's, as tall as its instructions, and the
// verifier's log and verdict are this program's. Then, on the 4,096-line program and
// on an 11-line one (the floor: the editor and the machine), one character is typed
// (as a key press inserts it) and the figure is the time until the next frame.
// Each figure is the median of RUNS runs, with the longest main-thread task seen.
import { launchChromium, pasteSource } from '../../e2e/browser.mjs';

const BASE = process.argv[2] ?? 'http://127.0.0.1:8095/';
const SIZES = (process.env.SIZES ?? '1000,2000,4096').split(',').map(Number);
const RUNS = Number(process.env.RUNS ?? 5);
// `paste`: a clipboard paste event; `insertText`: document.execCommand('insertText'),
// as the issue measured (the browser edits the DOM and the editor reads it back).
const WAYS = (process.env.WAYS ?? 'paste,insertText').split(',');

/** An accepted program of `lines` lines: a comment, then `lines - 1` instructions (Linux
 * 4.4 refuses 4,096: its limit is insn_cnt < BPF_MAXINSNS): r0-r8 set, added to, exit. */
function program(lines, variant) {
  const init = Array.from({ length: 9 }, (_, r) => `r${r} = ${variant}`);
  const body = Array.from({ length: lines - 11 }, (_, i) => `r${i % 9} += ${(i + variant) % 7}`);
  return ['; benchmark', ...init, ...body, 'exit'].join('\n');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('crash', () => console.error('the page crashed'));
  page.on('pageerror', (e) => console.error(String(e)));
  await page.goto(BASE);
  await page.waitForSelector('#verdict', { timeout: 30000 });
  await page.selectOption('#prog-type', 'socket_filter');
  await page.evaluate(() => {
    window.longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longest = Math.max(window.longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });

  for (const how of WAYS) for (const lines of SIZES) {
    const times = [];
    let longest = 0;
    for (let run = 0; run < RUNS; run++) {
      const text = program(lines, run);
      const { ms, task } = await page.evaluate(async ({ text, lines, how, variant }) => {
        const content = document.querySelector('.cm-content');
        content.focus();
        document.execCommand('selectAll');
        // The listing and the log are virtual lists (only the rows in view exist): the
        // listing is this program's when it is as tall as its instructions and its first
        // row is this variant's, the log when its first line is.
        const textOf = (selector) => document.querySelector(selector)?.textContent;
        const done = () =>
          document.querySelector('#listing .vlist-sizer')?.style.height === `${(lines - 1) * 16}px` &&
          textOf('#insn-0 .text') === `r0 = ${variant}` &&
          textOf('#verifier .logline') === `0: (b7) r0 = ${variant}` &&
          textOf('#verdict') === 'accepted';
        await new Promise((r) => setTimeout(r, 50));
        window.longest = 0;
        const t0 = performance.now();
        if (how === 'paste') {
          const data = new DataTransfer();
          data.setData('text/plain', text);
          content.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        } else {
          document.execCommand('insertText', false, text);
        }
        await new Promise((resolve, reject) => {
          if (done()) return resolve();
          const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
          obs.observe(document.body, { subtree: true, childList: true, characterData: true });
          setTimeout(() => reject(new Error(`no listing and verdict for ${lines} lines after 200 s`)), 200000);
        });
        const ms = performance.now() - t0;
        await new Promise((r) => setTimeout(r, 100));
        return { ms, task: window.longest };
      }, { text, lines, how, variant: run });
      times.push(ms);
      longest = Math.max(longest, task);
    }
    console.log(`${how} ${lines} lines until listing and verdict: median ${median(times).toFixed(0)} ms (runs ${times.map((t) => t.toFixed(0)).join(', ')}), longest task ${longest.toFixed(0)} ms`);
  }

  // Typing: characters of a comment at the end of line 1, each inserted as a key press
  // inserts it, timed until the next frame has been drawn. Into the last program pasted,
  // then into a 10-line one in the same page: the floor of the editor and the machine.
  const typeInto = async (lines) => {
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('End');
    await page.keyboard.type(' ;');
    await page.waitForTimeout(1000);
    // `frame`: until the next frame has been drawn (rAF, then a task), which includes
    // waiting for the display's next frame; `work`: until the next task, i.e. the key's
    // handlers and the app's render and effects (microtasks), the main thread's cost.
    const typing = await page.evaluate(async () => {
      const out = { frame: [], work: [] };
      let longest = 0;
      const next = {
        frame: () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))),
        work: () => new Promise((r) => setTimeout(r, 0)),
      };
      for (const until of ['frame', 'work']) {
        for (let i = 0; i < 20; i++) {
          window.longest = 0;
          const t0 = performance.now();
          document.execCommand('insertText', false, 'x');
          await next[until]();
          out[until].push(performance.now() - t0);
          await new Promise((r) => setTimeout(r, 30));
          longest = Math.max(longest, window.longest);
        }
      }
      return { ...out, longest };
    });
    const figure = (xs) => `median ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
    console.log(`type one character into ${lines} lines: until the next frame ${figure(typing.frame)}, main-thread work ${figure(typing.work)}, longest task ${typing.longest.toFixed(0)} ms`);
  };
  await typeInto(SIZES.at(-1));
  await pasteSource(page, program(11, 0));
  await typeInto(11);
} finally {
  await browser.close();
}
