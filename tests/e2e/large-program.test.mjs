// End-to-end: a 4,000-line program in the virtual listing and log (only the rows in view
// exist): pasted, it is listed and verified at once; the listing scrolls to its last
// row, takes a breakpoint there, and a run stopping on it scrolls the current row into
// view; Copy and Ctrl+A, Ctrl+C in the log give its whole text, not the rows in view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openApp, pasteSource, scrollListingToEnd } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';

// 4,000 lines, accepted: r0-r8 set, 3,989 additions, an lddw (two slots), exit: 4,000
// instructions in 4,001 slots.
const LINES = 4000;
const PROGRAM = [...Array.from({ length: 9 }, (_, r) => `r${r} = 0`),
  ...Array.from({ length: LINES - 11 }, (_, i) => `r${i % 9} += ${i % 7}`),
  'r1 = 0x1122334455667788 ll', 'exit'].join('\n');
const LAST_PC = LINES; // the lddw is at LINES - 2 and takes two slots
const BREAK_PC = LINES - 10;

test('a 4,000-line program: the virtual listing and log scroll, step, break and copy whole', async () => {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'],
    });
    const { page, errors } = await openApp(context, BASE);
    await page.selectOption('#prog-type', 'socket_filter');
    const started = Date.now();
    await pasteSource(page, PROGRAM);
    // A paste is verified at once, with no wait for typing to pause.
    await page.waitForFunction((n) => document.querySelector('#listing .vlist-sizer')?.style.height === `${n * 16}px`
      && document.querySelector('#verdict')?.textContent === 'accepted', LAST_PC + 1, { timeout: 20000 });
    console.log(`# 4,000-line paste: listed and verified in ${Date.now() - started} ms`);
    const rows = await page.$$eval('#listing .row', (r) => r.length);
    assert.ok(rows > 20 && rows < 200, `only the rows in view are in the DOM: ${rows}`);
    const logLines = await page.$$eval('#verifier .logline', (l) => l.length);
    assert.ok(logLines > 20 && logLines < 200, `only the log lines in view are in the DOM: ${logLines}`);

    const inView = (pc) => page.$eval('#listing .vlist', (s, pc) => {
      const row = document.querySelector(`#insn-${pc}`)?.getBoundingClientRect();
      const view = s.getBoundingClientRect();
      return !!row && row.top >= view.top - 1 && row.bottom <= view.bottom + 1; // sub-pixel layout
    }, pc);
    // Scrolled to the end, the last rows are there: the lddw on two lines, then exit.
    await scrollListingToEnd(page, LAST_PC + 1);
    assert.equal(await page.textContent(`#insn-${LAST_PC} .text`), 'exit');
    assert.equal(await page.textContent(`#insn-${LAST_PC - 2} .text`), 'r1 = 0x1122334455667788 ll');
    const [lddw, exit] = await Promise.all([LAST_PC - 2, LAST_PC].map((pc) =>
      page.$eval(`#insn-${pc}`, (r) => r.getBoundingClientRect())));
    assert.equal(exit.top - lddw.top, 32, 'the lddw takes two lines');
    assert.ok(await inView(LAST_PC), 'the last row is in view');

    // A breakpoint near the end; back at the top, Run stops on it and scrolls it into view.
    await page.click(`#insn-${BREAK_PC}`);
    await page.waitForSelector(`#insn-${BREAK_PC}.bp`);
    await page.$eval('#listing .vlist', (s) => { s.scrollTop = 0; });
    await page.waitForFunction((pc) => !document.querySelector(`#insn-${pc}`), BREAK_PC);
    await page.click('#run');
    await page.waitForFunction((pc) => (document.querySelector('#status')?.textContent ?? '')
      .startsWith(`paused at instruction ${pc}`), BREAK_PC, { timeout: 20000 });
    await page.waitForSelector(`#insn-${BREAK_PC}`);
    const highlighted = (pc) => page.$eval(`#insn-${pc}`, (r) => getComputedStyle(r).backgroundColor);
    assert.ok(await inView(BREAK_PC), 'the current row is scrolled into view');
    const plain = await page.$eval(`#insn-${BREAK_PC + 1}`, (r) => getComputedStyle(r).backgroundColor);
    assert.notEqual(await highlighted(BREAK_PC), plain, 'the current row is highlighted');
    // A step moves the highlight to the next row.
    await page.click('#step');
    await page.waitForFunction((pc) => (document.querySelector('#status')?.textContent ?? '')
      .startsWith(`paused at instruction ${pc}`), BREAK_PC + 1);
    assert.ok(await inView(BREAK_PC + 1));
    assert.equal(await highlighted(BREAK_PC), plain, 'the row before is not');
    assert.notEqual(await highlighted(BREAK_PC + 1), plain, 'the next row is highlighted');

    // The log's Copy gives every line, and so does Ctrl+A, Ctrl+C in the log pane.
    await page.click('#copy-verifier');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const lines = copied.trimEnd().split('\n');
    assert.ok(lines.length >= LAST_PC, `the whole log: ${lines.length} lines`);
    assert.equal(lines[0], '0: (b7) r0 = 0');
    assert.ok(lines.some((l) => l.startsWith(`${LAST_PC}: (95) exit`)), lines.slice(-3).join('\n'));
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await page.click('.pane.verifier-pane h3');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== '');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), copied);
    // And in the listing: every instruction, as its Copy button gives it.
    await page.click('.pane.bytecode h3');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    await page.waitForFunction(async () => (await navigator.clipboard.readText()).startsWith('   0: b7'));
    const listing = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(listing.trimEnd().split('\n').length, LAST_PC);
    assert.ok(listing.trimEnd().endsWith(`${LAST_PC}: 95 00 00 00 00 00 00 00  exit`), listing.slice(-80));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
