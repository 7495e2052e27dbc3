// End-to-end at 1280x800: the console (follows output, history, completion, help),
// panes that never clip their content, the theme, the loading indicator, the favicon,
// the first-visit introduction, Copy and Ctrl+A. Serve dist/ first (scripts/e2e.sh does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';
const VIEWPORT = { width: 1280, height: 800 };

async function withBrowser(body) {
  const browser = await launchChromium();
  try { await body(browser); } finally { await browser.close(); }
}

/// A page of a fresh context (empty storage) on the app, errors collected.
async function open(browser, options = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(BASE);
  await page.waitForSelector('#verdict', { timeout: 20000 });
  return page;
}

async function runInConsole(page, command) {
  const before = await page.$$eval('#console-output > div', (d) => d.length);
  await page.fill('#console-input', command);
  await page.press('#console-input', 'Enter');
  await page.waitForFunction((n) => document.querySelectorAll('#console-output > div').length > n, before);
}

/// Elements inside panes whose content is wider than they are, unless they scroll it
/// on purpose (overflow-x auto or scroll).
const clipped = (page) => page.$$eval('.pane, .pane *', (els) => els
  .filter((e) => e.scrollWidth > e.clientWidth + 1)
  .filter((e) => !['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} ${e.scrollWidth}>${e.clientWidth}`));

test('the console follows output, keeps history, completes and answers help', async () => {
  await withBrowser(async (browser) => {
    const page = await open(browser);
    // The placeholder's examples work on the page as it opens.
    const placeholder = await page.getAttribute('#console-input', 'placeholder');
    const examples = placeholder.replace(/\(.*\)/, '').split('·').map((s) => s.trim()).filter(Boolean);
    assert.ok(examples.length >= 3, placeholder);
    for (const command of examples) await runInConsole(page, command);
    assert.deepEqual(await page.$$eval('#console-output .error', (e) => e.map((d) => d.textContent)), []);
    assert.ok((await page.textContent('#console-output')).includes('map dump MAP'), 'help lists the commands');
    await runInConsole(page, 'help fs');
    assert.equal(await page.$eval('#console-output', (o) => o.lastElementChild.textContent), 'fs mkdir|rmdir|unlink|ls PATH');

    // 256 entries: the command stays on the page and the output is followed to its end.
    await runInConsole(page, 'map dump id 1');
    const atEnd = (o) => o.scrollTop + o.clientHeight >= o.scrollHeight - 2;
    await page.waitForFunction(atEnd, await page.$('#console-output'));
    assert.ok(await page.$eval('#console-output', (o) =>
      [...o.children].some((d) => d.textContent === '> map dump id 1')), 'the command is kept');
    // Scrolled up to read: new output does not pull the reader down.
    await page.$eval('#console-output', (o) => { o.scrollTop = 0; o.dispatchEvent(new Event('scroll')); });
    await runInConsole(page, 'map show');
    assert.equal(await page.$eval('#console-output', (o) => o.scrollTop), 0);
    // Back at the end, it follows again.
    await page.$eval('#console-output', (o) => { o.scrollTop = o.scrollHeight; o.dispatchEvent(new Event('scroll')); });
    await runInConsole(page, 'prog show');
    assert.ok(await page.$eval('#console-output', atEnd));

    // History: ArrowUp walks back, ArrowDown comes back to the line being typed.
    await page.fill('#console-input', 'fs l');
    await page.press('#console-input', 'ArrowUp');
    assert.equal(await page.inputValue('#console-input'), 'prog show');
    await page.press('#console-input', 'ArrowUp');
    assert.equal(await page.inputValue('#console-input'), 'map show');
    await page.press('#console-input', 'ArrowDown');
    await page.press('#console-input', 'ArrowDown');
    assert.equal(await page.inputValue('#console-input'), 'fs l');
    // Completion: a command word, then a pinned path.
    await page.press('#console-input', 'Tab');
    assert.equal(await page.inputValue('#console-input'), 'fs ls ');
    await page.type('#console-input', '/s');
    await page.press('#console-input', 'Tab');
    assert.equal(await page.inputValue('#console-input'), 'fs ls /sys/fs/bpf/');
    await page.type('#console-input', 'a');
    await page.press('#console-input', 'Tab');
    assert.equal(await page.inputValue('#console-input'), 'fs ls /sys/fs/bpf/answer ');
    assert.deepEqual(page.errors, []);
  });
});

test('no pane clips its content at 1280x800, and the console is in view at 1920x1080', async () => {
  await withBrowser(async (browser) => {
    const page = await open(browser);
    await page.click('#intro-close');
    // Fill the panes: registers with a verifier column, memory, a map dump, a long lddw.
    await page.click('#step');
    await page.click('#step');
    await page.waitForSelector('#reg-r0');
    await runInConsole(page, 'map dump id 1');
    assert.ok((await page.textContent('#listing')).includes('r1 = map_fd(0) ll'));
    assert.deepEqual(await clipped(page), []);
    // The listing names helpers.
    assert.ok((await page.textContent('#listing')).includes('call bpf_map_lookup_elem'));
    // A share link in the header does not clip it either.
    await page.click('#share');
    await page.waitForSelector('#share-url');
    assert.deepEqual(await page.$$eval('header, header *', (els) => els
      .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible' && e.tagName !== 'INPUT')
      .map((e) => `${e.tagName}.${e.className}`)), []);

    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.reload();
    await page.waitForSelector('#console-input');
    const input = await page.$eval('#console-input', (e) => e.getBoundingClientRect().toJSON());
    assert.ok(input.bottom <= 1080 && input.top >= 0, `console input at ${input.top}..${input.bottom}`);
    assert.deepEqual(await clipped(page), []);
  });
});

test('a light OS preference gives a light page, and a chosen theme is kept', async () => {
  await withBrowser(async (browser) => {
    const background = (page) => page.$eval('#app', (a) => getComputedStyle(a).backgroundColor);
    const light = await open(browser, { colorScheme: 'light' });
    assert.equal(await light.getAttribute('#app', 'class'), 'light');
    assert.equal(await background(light), 'rgb(245, 246, 248)');
    const dark = await open(browser, { colorScheme: 'dark' });
    assert.equal(await dark.getAttribute('#app', 'class'), 'dark');
    assert.equal(await background(dark), 'rgb(27, 29, 34)');
    // Chosen on a light system: dark stays across a reload.
    await light.click('#theme');
    await light.waitForSelector('#app.dark');
    await light.reload();
    await light.waitForSelector('#verdict');
    assert.equal(await light.getAttribute('#app', 'class'), 'dark');
  });
});

test('loading indicator until the wasm starts, and a favicon', async () => {
  await withBrowser(async (browser) => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const failed = [];
    page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    // Hold the wasm back: the static page shows that it is loading.
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
    await page.goto(BASE);
    await page.waitForSelector('#loading', { state: 'visible' });
    assert.match(await page.textContent('#loading'), /loading/);
    release();
    await page.waitForSelector('#verdict', { timeout: 20000 });
    assert.equal(await page.isVisible('#loading'), false);
    const icon = await page.getAttribute('link[rel=icon]', 'href');
    const response = await page.request.get(new URL(icon, BASE).href);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /svg/);
    assert.deepEqual(failed, []);
  });
});

test('the introduction shows on a first visit, dismisses, stays dismissed and reopens', async () => {
  await withBrowser(async (browser) => {
    const page = await open(browser);
    await page.waitForSelector('#intro');
    assert.equal(await page.$$eval('#intro ol li', (l) => l.length), 5);
    assert.ok((await page.textContent('#intro')).includes('F8'));
    await page.click('#intro-close');
    await page.waitForSelector('#intro', { state: 'detached' });
    await page.reload();
    await page.waitForSelector('#verdict');
    assert.equal(await page.$('#intro'), null, 'dismissed across a reload');
    await page.click('#intro-open');
    await page.waitForSelector('#intro');
  });
});

test('examples by type with descriptions, Copy and Ctrl+A in a pane', async () => {
  await withBrowser(async (browser) => {
    const page = await open(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    const groups = await page.$$eval('#example optgroup', (g) => g.map((o) => o.label));
    assert.deepEqual(groups, ['socket_filter', 'kprobe', 'sched_cls', 'plain VM']);
    assert.equal(await page.textContent('#example-description'),
      'samples/bpf sockex1: an array map indexed by the IP protocol byte');
    // Copy puts the verifier log on the clipboard.
    await page.click('#copy-verifier');
    const log = await page.evaluate(() => navigator.clipboard.readText());
    assert.ok(log.startsWith('0: (bf) r6 = r1\n'), log);
    // Ctrl+A in the verifier pane selects its log only.
    await page.click('#verifier .log');
    await page.keyboard.press('Control+A');
    const selected = await page.evaluate(() => String(getSelection()));
    assert.ok(selected.startsWith('0: (bf) r6 = r1'), selected.slice(0, 80));
    assert.ok(!selected.includes('Bytecode') && !selected.includes('BYTECODE'), 'nothing outside the pane');
    // Editing, then choosing an example: the edits stay in their own tab.
    await page.click('#source .cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('r0 = 1\nexit');
    await page.waitForFunction(() => !document.querySelector('#insn-2'));
    await page.selectOption('#example', 'answer.s');
    await page.waitForFunction(() => document.querySelectorAll('.tab').length === 2);
    assert.match(await page.textContent('#notice'), /new tab, answer, so that your edits in program1 are kept/);
  });
});
