// End-to-end: hostile input. Each case gives a clear message, the page keeps working and
// the program in the editor survives; the page runs under its Content-Security-Policy and
// no case makes the browser report a violation of it.
// Also covered elsewhere: a truncated link and a damaged store (workspace.test.mjs), an
// endless program with the verifier off and its Stop (long-run.test.mjs).
// Serve dist/ first (scripts/e2e.sh does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, pasteSource, scrollListingToEnd } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';
const WORKSPACE_KEY = 'bpfplay.workspace';

const MINE = 'r0 = 7 ; mine\nexit';
/// A name that would run script if the page ever inserted it as HTML.
const HOSTILE_NAME = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
/// trace_printk of "<script>" (the string's 8 bytes, little-endian, then a NUL).
const HOSTILE_PRINTK = [
  '; <script>window.pwned = 3</script>',
  'r1 = 0x3e7470697263733c ll ; "<script>"',
  '*(u64 *)(r10 -16) = r1',
  'r1 = 0',
  '*(u64 *)(r10 -8) = r1',
  'r1 = r10',
  'r1 += -16',
  'r2 = 9',
  'call trace_printk',
  'r0 = 0',
  'exit',
].join('\n');

let browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser?.close());

/// A page in a fresh browser context that records page errors and CSP violations (the
/// `securitypolicyviolation` event and Chromium's console report). `init` runs before
/// the page's own scripts.
async function freshPage(init) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation',
      (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  if (init) await context.addInitScript(init);
  const page = await context.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e}`));
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { page, problems };
}

/// Nothing went wrong that the page did not handle, and no CSP violation.
async function assertClean({ page, problems }) {
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(problems, []);
  assert.equal(await page.evaluate(() => window.pwned), undefined, 'no injected script ran');
}

async function waitForApp(page, url = BASE) {
  await page.goto(url);
  await page.waitForSelector('#verdict', { timeout: 20000 });
}

/// The editor's text, line by line.
const programText = (page) => page.$eval('#source .cm-content', (el) =>
  [...el.querySelectorAll('.cm-line')].map((l) => l.textContent).join('\n'));

/// Waits until the editor holds `text` (the editor fills in after the first render).
const waitForProgram = (page, text, timeout = 20000) => page.waitForFunction((p) =>
  [...document.querySelectorAll('#source .cm-line')].map((l) => l.textContent).join('\n') === p,
  text, { timeout });

/// Replaces the editor's text as a paste does, and waits for the autosave to hold it.
async function typeProgram(page, text) {
  await page.click('#source .cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  await waitForProgram(page, text);
}

/// A share link (the format of core/src/workspace/link.rs) for a workspace document.
const linkOf = (document) =>
  `${BASE}#w=${deflateSync(Buffer.from(JSON.stringify(document))).toString('base64url')}`;

test('the page runs under a Content-Security-Policy without inline script or eval', async () => {
  const session = await freshPage();
  const { page } = session;
  await waitForApp(page);
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  const scriptSrc = /script-src ([^;]*)/.exec(policy)?.[1] ?? '';
  assert.match(scriptSrc, /'wasm-unsafe-eval'/, policy);
  assert.doesNotMatch(scriptSrc, /'unsafe-eval'|'unsafe-inline'|'nonce-|'sha256-/, policy);
  assert.equal(await page.$$eval('script', (s) => s.filter((e) => !e.src).length), 0, 'no inline script');
  await page.click('#run');
  await page.waitForFunction(() => /^exited: r0 = /.test(document.querySelector('#status')?.textContent ?? ''),
    null, { timeout: 20000 });
  await assertClean(session);

  // The check sees a violation when there is one: an injected inline script is refused.
  const refused = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), { once: true });
    const script = document.createElement('script');
    script.textContent = 'window.pwned = 4';
    document.body.append(script);
  }));
  assert.match(refused, /^script-src/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
});

test('a corrupted link and a garbage link: a message each, and the saved program stays', async () => {
  const session = await freshPage();
  const { page } = session;
  await waitForApp(page);
  await typeProgram(page, MINE);
  const document = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), WORKSPACE_KEY));
  const good = linkOf({ ...document, tabs: document.tabs.map((t) => ({ ...t, source: 'r0 = 1\nexit' })) });
  // One character of the payload changed, in the middle (deflate data or its checksum).
  const at = good.length - Math.floor((good.length - BASE.length - 3) / 2);
  const corrupted = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
  for (const link of [corrupted, `${BASE}#w=<script>window.pwned=5</script>`, `${BASE}#w=%E0%A4%A`]) {
    await page.goto('about:blank');
    await waitForApp(page, link);
    await page.waitForSelector('#notice', { timeout: 20000 });
    assert.match(await page.textContent('#notice'), /this share link cannot be opened: /, link);
    await waitForProgram(page, MINE);
  }
  await assertClean(session);
});

test('a link with <script> in names and printk strings shows them as text', async () => {
  const session = await freshPage();
  const { page } = session;
  await waitForApp(page);
  await typeProgram(page, MINE);
  const document = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), WORKSPACE_KEY));
  const hostile = {
    ...document,
    tabs: [{
      ...document.tabs[0], name: HOSTILE_NAME, source: HOSTILE_PRINTK,
      setup: { ...document.tabs[0].setup, prog_type: 'kprobe', privileged: true },
    }],
    active: 0,
  };
  await page.goto('about:blank');
  await waitForApp(page, linkOf(hostile));
  await waitForProgram(page, HOSTILE_PRINTK);
  assert.equal(await page.textContent('.tab.active .tab-name'), HOSTILE_NAME);
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#console-output')?.textContent.includes('<script>'),
    null, { timeout: 20000 });
  assert.equal(await page.$$eval('#app script, #app img', (e) => e.length), 0, 'nothing became markup');
  // The workspace it replaced is one click away.
  await page.click('#restore-previous');
  await waitForProgram(page, MINE);
  await assertClean(session);
});

test('a 4,096-instruction paste: listed, refused by name as Linux 4.4 does, and the page still answers', async () => {
  const session = await freshPage();
  const { page } = session;
  await waitForApp(page);
  const verdict = (pattern) => page.waitForFunction((p) => new RegExp(p).test(document.querySelector('#verdict')?.textContent ?? ''),
    pattern, { timeout: 30000 });
  const started = Date.now();
  await pasteSource(page, `r0 = 0\n${'r0 += 1\n'.repeat(4094)}exit`);
  await scrollListingToEnd(page, 4096);
  // 4.4's bpf_prog_load refuses insn_cnt >= BPF_MAXINSNS (4096).
  await verdict('^refused: EINVAL');
  console.log(`# 4,096-instruction paste: pasted, listed and verified in ${Date.now() - started} ms`);
  // The page answers: one line less is accepted, and survives a reload.
  await pasteSource(page, `r0 = 0\n${'r0 += 1\n'.repeat(4093)}exit`);
  await verdict('^accepted');
  await scrollListingToEnd(page, 4095);
  assert.equal(await page.$('#insn-4095'), null);
  await page.reload();
  await scrollListingToEnd(page, 4095);
  await verdict('^accepted');
  await assertClean(session);
});

/// Drops a file of `size` bytes (spaces, or `text`) on `selector`, as a drag from the desktop does.
const dropFile = (page, selector, name, { size = 0, text = '' }) => page.evaluate(([selector, name, size, text]) => {
  const data = new DataTransfer();
  data.items.add(new File([size ? new Uint8Array(size).fill(0x20) : text], name, { type: 'application/json' }));
  const target = document.querySelector(selector);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
  }
}, [selector, name, size, text]);

test('a 100 MB file, uploaded or dropped on the editor, is refused by its size before it is read', async () => {
  const session = await freshPage();
  const { page } = session;
  await waitForApp(page);
  await typeProgram(page, MINE);
  const refused = 'huge.bpfplay.json: 100 MB is too large for a workspace file (at most 8 MB); not opened ✕';
  // Playwright passes buffers up to 50 MB only: the file goes through the disk.
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-e2e-'));
  const huge = join(dir, 'huge.bpfplay.json');
  writeFileSync(huge, Buffer.alloc(100 << 20, 0x20));
  try {
    await page.setInputFiles('#open-file', huge);
  } finally {
    rmSync(dir, { recursive: true });
  }
  await page.waitForSelector('#notice', { timeout: 20000 });
  assert.equal(await page.textContent('#notice'), refused);
  assert.equal(await programText(page), MINE);

  await page.click('#notice');
  await page.waitForSelector('#notice', { state: 'detached' });
  await dropFile(page, '#source .cm-content', 'huge.bpfplay.json', { size: 100 << 20 });
  await page.waitForSelector('#notice', { timeout: 20000 });
  assert.equal(await page.textContent('#notice'), refused);
  assert.equal(await programText(page), MINE, 'the editor did not take the file as text');
  assert.equal(page.url(), BASE, 'the browser did not leave the page for the file');

  // A workspace file dropped on the page opens, like an upload.
  const document = JSON.parse(await page.evaluate((k) => localStorage.getItem(k), WORKSPACE_KEY));
  const dropped = { ...document, tabs: document.tabs.map((t) => ({ ...t, source: 'r0 = 2 ; dropped\nexit' })) };
  await dropFile(page, '#listing', 'dropped.bpfplay.json', { text: JSON.stringify(dropped) });
  await waitForProgram(page, 'r0 = 2 ; dropped\nexit');
  await assertClean(session);
});

test('a map larger than the memory budget: ENOMEM, and the page keeps working', async () => {
  const session = await freshPage();
  const { page } = session;
  await waitForApp(page);
  await typeProgram(page, MINE);
  // 300,000 values of 1 KiB: about 293 MiB, over the 256 MiB budget.
  await page.selectOption('#map-create [name=type]', 'array');
  await page.fill('#map-create [name=key]', '4');
  await page.fill('#map-create [name=value]', '1024');
  await page.fill('#map-create [name=entries]', '300000');
  await page.fill('#map-create [name=name]', 'huge');
  await page.fill('#map-create [name=path]', '/sys/fs/bpf/huge');
  await page.click('#map-create button[type=submit]');
  // The form's command and its error go to the console, as if typed there.
  await page.waitForFunction(() => /ENOMEM/.test(document.querySelector('#console-output')?.textContent ?? ''),
    null, { timeout: 20000 });
  assert.equal(await page.$$eval('.map h4', (h) => h.filter((e) => / huge /.test(e.textContent)).length), 0);
  // A map that fits is still created.
  await page.fill('#map-create [name=entries]', '16');
  await page.fill('#map-create [name=name]', 'small');
  await page.fill('#map-create [name=path]', '/sys/fs/bpf/small');
  await page.click('#map-create button[type=submit]');
  await page.locator('.map', { has: page.locator('h4', { hasText: / small / }) }).waitFor({ timeout: 20000 });
  assert.equal(await programText(page), MINE);
  await assertClean(session);
});

test('full browser storage: the program stays in the editor and the page says it is not saved', async () => {
  const session = await freshPage(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (window.storageFull) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };
  });
  const { page } = session;
  await waitForApp(page);
  await typeProgram(page, MINE);
  await page.evaluate(() => { window.storageFull = true; });
  const edited = `${MINE}\n; edited while storage is full`;
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('\n; edited while storage is full');
  await page.waitForSelector('#notice', { timeout: 20000 });
  assert.match(await page.textContent('#notice'), /browser storage: the workspace was not saved \(.*quota/i);
  assert.equal(await programText(page), edited);
  // Storage comes back: the next change is saved again.
  await page.evaluate(() => { window.storageFull = false; });
  await page.keyboard.insertText('\nexit');
  await page.waitForFunction((k) => localStorage.getItem(k)?.includes('edited while storage is full'), WORKSPACE_KEY);
  await assertClean(session);
});

test('a store that is not JSON at all: a message, and a fresh workspace that works', async () => {
  const session = await freshPage();
  const { page } = session;
  await page.goto(BASE);
  await page.evaluate((k) => localStorage.setItem(k, '\u0000<script>window.pwned = 6</script>{{{'), WORKSPACE_KEY);
  await waitForApp(page);
  await page.waitForSelector('#notice', { timeout: 20000 });
  assert.match(await page.textContent('#notice'), /browser storage: the saved workspace could not be read at all/);
  await typeProgram(page, MINE);
  await page.click('#run');
  await page.waitForFunction(() => /^exited: r0 = 0x7 /.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 20000 });
  await assertClean(session);
});
