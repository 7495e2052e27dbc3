// End-to-end: the built app in real Chromium. Serve dist/ first (scripts/e2e.sh does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openApp } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';
const SHOT = process.env.E2E_SHOT ?? '../target/e2e-breakpoint.png';

test('open an example, run, step, step back, breakpoint, map forms, new tab, reload keeps pins and tabs', async () => {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openApp(browser, BASE, { viewport: { width: 1400, height: 1000 } });

    // Open an example and run it: r0 is shown in the status line.
    await page.selectOption('#example', 'answer.s');
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('exited: r0 = 0x2a'));

    // Step three times and back once: r0 holds 6 * 7 = 42 after two steps, 6 after one.
    await page.click('#reset');
    await page.click('#step');
    await page.click('#step');
    await page.click('#step');
    await page.keyboard.press('Shift+F11');
    await page.waitForFunction(() => document.querySelector('#counter')?.textContent.startsWith('2 instructions executed'));
    const r0 = await page.textContent('#reg-r0 .hex');
    assert.equal(r0, '0x000000000000002a');
    assert.ok(await page.$('#reg-r0.changed'), 'r0 is highlighted as changed');

    // A breakpoint on the second instruction (gutter of its source line), then continue.
    await page.click('#reset');
    await page.click('#insn-1');
    await page.keyboard.press('F8');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('paused at instruction 1'));
    await page.screenshot({ path: SHOT, fullPage: false });

    // Pin a map from the console; it survives a reload (saved with the workspace).
    await page.fill('#console-input', 'map create /sys/fs/bpf/kept type array key 4 value 8 entries 2 name kept');
    await page.press('#console-input', 'Enter');
    await page.waitForFunction(() => document.querySelector('#bpffs')?.textContent.includes('/sys/fs/bpf/kept'));
    // The maps panel's forms: create a map, add an entry, edit it, delete it, pin and unpin.
    await page.fill('#map-create [name=path]', '/sys/fs/bpf/formed');
    await page.fill('#map-create [name=name]', 'formed');
    await page.selectOption('#map-create [name=type]', 'hash');
    // The form is read from the DOM at submit: check what it holds, so that a failure
    // says whether the fields or the command went wrong.
    assert.equal(await page.inputValue('#map-create [name=path]'), '/sys/fs/bpf/formed');
    assert.equal(await page.inputValue('#map-create [name=name]'), 'formed');
    await page.click('#map-create button[type=submit]');
    const formed = page.locator('.map', { has: page.locator('h4', { hasText: / formed / }) });
    await formed.waitFor({ timeout: 10000 }).catch(async (e) => {
      await page.screenshot({ path: SHOT.replace(/\.png$/, '-failure.png'), fullPage: true });
      const consoleText = await page.textContent('#console-output').catch(() => '(no console)');
      throw new Error(`no card for the map the form created; console: ${consoleText.slice(-600)}; ${e}`);
    });
    const card = '#' + await formed.getAttribute('id');
    await page.fill(`${card} .entry-key`, '1 0 0 0');
    await page.fill(`${card} .entry-value`, '0x2a 0 0 0 0 0 0 0');
    await page.click(`${card} .entry-form button`);
    await page.waitForFunction((c) => document.querySelector(`${c} td.number`)?.textContent === 'u64 42 / i64 42', card);
    await page.click(`${card} button.edit`);
    assert.equal(await page.inputValue(`${card} .entry-value`), 'hex 2a 00 00 00 00 00 00 00');
    await page.fill(`${card} .entry-value`, 'hex ff ff ff ff ff ff ff ff');
    await page.click(`${card} .entry-form button`);
    await page.waitForFunction((c) => document.querySelector(`${c} td.number`)?.textContent.endsWith('i64 -1'), card);
    await page.click(`${card} button.delete`);
    await page.waitForFunction((c) => !document.querySelector(`${c} tr.entry`), card);
    await page.fill(`${card} .pin-path`, '/sys/fs/bpf/formed2');
    await page.click(`${card} .pin-form button`);
    await page.waitForFunction(() => document.querySelector('#bpffs')?.textContent.includes('/sys/fs/bpf/formed2'));
    await page.locator(`${card} .pin`, { hasText: '/sys/fs/bpf/formed2' }).locator('button.unpin').click();
    await page.waitForFunction(() => !document.querySelector('#bpffs')?.textContent.includes('/sys/fs/bpf/formed2'));

    // A second program in a new tab; both tabs survive the reload too.
    await page.click('#new-tab');
    await page.waitForFunction(() => document.querySelectorAll('.tabs .tab').length === 2);
    await page.reload();
    await page.waitForSelector('#bpffs');
    await page.waitForFunction(() => document.querySelector('#bpffs')?.textContent.includes('/sys/fs/bpf/kept'));
    const tabs = await page.$$eval('.tabs .tab-name', (b) => b.map((x) => x.textContent));
    assert.deepEqual(tabs, ['program1', 'program2']);
    assert.equal(await page.textContent('.tab.active .tab-name'), 'program2');

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
