// End-to-end: long work does not freeze the page. An endless loop in the plain VM
// (no verifier) runs in slices between which the page handles input: the Stop button
// pauses it, and the editor takes typing while it runs. So does a batch of the console's
// `prog run ... repeat N`, which Stop ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openApp, pasteSource } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';

// The loop never reaches `exit`; a breakpoint there makes every instruction go through
// the interpreter's stepping path (a breakpoint test per instruction), so that the
// 10M-instruction fuel lasts long enough to act while it runs.
const ENDLESS = 'r0 = 0\nloop:\nr0 += 1\ngoto loop\nexit\n';

const executed = async (page) => {
  const text = await page.textContent('#status');
  const n = /after (\d+) (steps|instructions)/.exec(text);
  assert.ok(n, `status names a count: ${text}`);
  return Number(n[1]);
};

test('an endless loop runs in slices: Stop pauses it and the editor takes typing meanwhile', async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openApp(browser, BASE, { viewport: { width: 1400, height: 1000 } });
    await page.selectOption('#prog-type', 'plain');
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(ENDLESS);
    await page.waitForFunction(() => document.querySelectorAll('#listing .row').length === 4);
    await page.click('#insn-3');
    assert.ok(await page.$('#stop[disabled]'), 'Stop is disabled while nothing runs');

    // Stop: clicked as soon as the first slice has shown the run going (before the next
    // slice, whatever the machine's speed), the run pauses part-way and stays paused.
    await page.evaluate(() => new Promise((resolve) => {
      const status = document.querySelector('#status');
      const obs = new MutationObserver(() => {
        if (status.textContent.startsWith('running:')) {
          obs.disconnect();
          document.querySelector('#stop').click();
          resolve();
        }
      });
      obs.observe(status, { subtree: true, childList: true, characterData: true });
      document.querySelector('#run').click();
    }));
    await page.waitForSelector('#stop[disabled]', { timeout: 5000 });
    assert.match(await page.textContent('#status'), /^paused at instruction [12] after \d+ steps/);
    const stopped = await executed(page);
    assert.ok(stopped > 0 && stopped < 10_000_000, `stopped after ${stopped} instructions`);
    await page.waitForTimeout(300);
    assert.equal(await executed(page), stopped, 'a stopped run stays where it stopped');

    // Continue (F8 in the editor) and type at once: each key records whether the run was
    // going when the page handled it, and the keys reach the editor.
    await page.evaluate(() => {
      window.keysDuringRun = 0;
      document.addEventListener('keydown', () => {
        if (document.querySelector('#status').textContent.startsWith('running:')) window.keysDuringRun++;
      }, { capture: true });
    });
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    // Runs go through the fast loop (breakpoints included): the 10M-instruction fuel lasts
    // about 0.1 s, shorter than typing. A CPU 20 times slower, as DevTools' throttling
    // makes it, keeps the run going while the keys arrive.
    const devtools = await page.context().newCDPSession(page);
    await devtools.send('Emulation.setCPUThrottlingRate', { rate: 20 });
    await page.keyboard.press('F8');
    await page.keyboard.type('r1 = 1');
    await page.waitForFunction(() => document.querySelector('.cm-content')?.textContent.includes('r1 = 1'));
    assert.ok(await page.evaluate(() => window.keysDuringRun) > 0, 'keys were handled while the run went on');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a long prog run batch goes in slices: progress shows, the editor takes typing, Stop ends it', async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openApp(browser, BASE, { viewport: { width: 1400, height: 1000 } });
    await pasteSource(page, 'r0 = 2\nexit\n');
    await page.waitForFunction(() => document.querySelectorAll('#listing .row').length === 2);
    const command = async (line) => {
      await page.fill('#console-input', line);
      await page.press('#console-input', 'Enter');
    };
    await command('prog load current /sys/fs/bpf/p type socket_filter');
    await page.evaluate(() => {
      window.keysDuringBatch = 0;
      document.addEventListener('keydown', () => {
        if (document.querySelector('#batch')) window.keysDuringBatch++;
      }, { capture: true });
    });
    // A million runs: far more than a slice, so the batch is still going while we type.
    await command('prog run pinned /sys/fs/bpf/p packet hex 00 11 repeat 1000000');
    await page.waitForSelector('#batch', { timeout: 5000 });
    assert.match(await page.textContent('#batch'), /^prog run: \d+ of 1000000 runs$/);
    assert.equal(await page.$('#stop[disabled]'), null, 'Stop is enabled while the batch goes');
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('r1 = 1');
    await page.waitForFunction(() => document.querySelector('.cm-content')?.textContent.includes('r1 = 1'));
    assert.ok(await page.evaluate(() => window.keysDuringBatch) > 0, 'keys were handled while the batch went on');
    assert.ok(await page.$('#batch'), 'typing did not end the batch');

    await page.click('#stop');
    await page.waitForSelector('#batch', { state: 'detached', timeout: 5000 });
    const last = await page.evaluate(() => document.querySelector('#console-output').lastElementChild?.textContent ?? '');
    const done = /^stopped after (\d+) of 1000000 runs$/.exec(last);
    assert.ok(done, `the console says where the batch stopped: ${last}`);
    assert.ok(Number(done[1]) > 0 && Number(done[1]) < 1_000_000, last);
    assert.ok(await page.$('#stop[disabled]'), 'Stop is disabled again');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
