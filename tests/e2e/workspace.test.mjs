// End-to-end: the workspace travels in a share link and survives a damaged store.
// Serve dist/ first (scripts/e2e.sh does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';

const PROGRAM = 'r0 = *(u32 *)(r1 +0) ; skb->len\nr0 += 1\nexit';
const PACKET = '02 00 00 00 00 02 02 00 00 00 00 01 08 00';

/// Waits until the editor holds `text`: the editor fills in after the first render, so
/// the notice can be on the page before the program is.
const waitForProgram = (page, text) => page.waitForFunction((p) => [...document.querySelectorAll('#source .cm-line')]
  .map((l) => l.textContent).join('\n') === p, text, { timeout: 20000 });

/// What the shared workspace must show wherever it is opened.
async function expectSharedWorkspace(page, card) {
  await waitForProgram(page, PROGRAM);
  assert.equal(await page.inputValue('#packet'), PACKET);
  const numbers = await page.$$eval(`${card} td.number`, (tds) => tds.map((t) => t.textContent).sort());
  assert.deepEqual(numbers, ['u64 42 / i64 42', 'u64 7 / i64 7']);
  assert.ok(await page.$('#insn-1.bp'), 'the breakpoint on instruction 1');
  assert.ok((await page.textContent('#bpffs')).includes('/sys/fs/bpf/shared'));
}

test('share link, a truncated link and a damaged store', async () => {
  const browser = await launchChromium();
  try {
    const errors = [];
    const author = await browser.newContext();
    const page = await author.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(BASE);
    await page.waitForSelector('#verdict', { timeout: 20000 });

    // Write a program.
    await page.click('#source .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(PROGRAM);
    await page.waitForFunction(() => document.querySelector('#insn-2'));
    // Create a map and add entries.
    await page.fill('#map-create [name=path]', '/sys/fs/bpf/shared');
    await page.fill('#map-create [name=name]', 'shared');
    await page.selectOption('#map-create [name=type]', 'hash');
    await page.click('#map-create button[type=submit]');
    const shared = page.locator('.map', { has: page.locator('h4', { hasText: / shared / }) });
    await shared.waitFor({ timeout: 10000 });
    const card = '#' + await shared.getAttribute('id');
    for (const [key, value] of [['1 0 0 0', '42 0 0 0 0 0 0 0'], ['2 0 0 0', 'hex 07 00 00 00 00 00 00 00']]) {
      const before = await page.$$eval(`${card} tr.entry`, (rows) => rows.length);
      await page.fill(`${card} .entry-key`, key);
      await page.fill(`${card} .entry-value`, value);
      await page.click(`${card} .entry-form button`);
      await page.waitForFunction(([c, n]) => document.querySelectorAll(`${c} tr.entry`).length === n + 1, [card, before]);
    }
    // Set a packet (applied when the field is left) and a breakpoint.
    await page.fill('#packet', '02 00 00 00 00 02  02 00 00 00 00 01 08 00');
    await page.press('#packet', 'Tab');
    await page.waitForFunction((p) => document.querySelector('#packet').value === p, PACKET);
    await page.click('#insn-1');
    await page.waitForSelector('#insn-1.bp');
    await expectSharedWorkspace(page, card);

    // Share: the address bar, the read-only field and its length.
    await page.click('#share');
    await page.waitForSelector('#share-url');
    const link = await page.inputValue('#share-url');
    assert.ok(link.startsWith(BASE + '#w='), link);
    assert.equal(page.url(), link, 'the address bar holds the link');
    assert.equal(await page.textContent('#share-length'), `${link.length} characters`);

    // The link in a new browser context, with empty storage.
    const reader = await browser.newContext();
    const other = await reader.newPage({ viewport: { width: 1400, height: 1000 } });
    other.on('pageerror', (e) => errors.push(String(e)));
    await other.goto(link);
    await other.waitForSelector('#verdict', { timeout: 20000 });
    await expectSharedWorkspace(other, card);
    assert.ok(!other.url().includes('#w='), 'the link is opened once, then the autosave takes over');

    // A truncated link: a message, and nothing is lost.
    const truncated = link.slice(0, BASE.length + Math.floor((link.length - BASE.length) / 2));
    await other.goto('about:blank');
    await other.goto(truncated);
    await other.waitForSelector('#notice', { timeout: 20000 });
    assert.match(await other.textContent('#notice'), /this share link cannot be opened: it is cut short/);
    await expectSharedWorkspace(other, card);

    // Damage the stored workspace and reload: the program text is still there.
    await other.evaluate(() => {
      const key = 'bpfplay.workspace';
      localStorage.setItem(key, localStorage.getItem(key).slice(0, -400));
    });
    await other.goto('about:blank');
    await other.goto(BASE);
    await other.waitForSelector('#notice', { timeout: 20000 });
    assert.match(await other.textContent('#notice'), /The saved workspace was damaged .* Kept every program; lost: /);
    await waitForProgram(other, PROGRAM);

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
