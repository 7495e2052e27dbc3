// End-to-end at 1280x800: the debugger keys and Ctrl+Enter are the page's (their
// defaults prevented, also inside the editor), every pane shows the state of the
// current text, a rejected program's Run says why, and hex inputs say what they could
// not read. Serve dist/ first (scripts/e2e.sh does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium, openApp, pasteSource } from './browser.mjs';

const BASE = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8095/';

async function withPage(body) {
  const browser = await launchChromium();
  try {
    const { page, errors } = await openApp(browser, BASE, { viewport: { width: 1280, height: 800 } });
    if (await page.$('#intro-close')) await page.click('#intro-close');
    await body(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
}

const verdict = (page) => page.textContent('#verdict');

test('F8, F10, F11 and Ctrl+Enter are taken from the browser and the editor', async () => {
  await withPage(async (page) => {
    // Whether each key's default was prevented, read once its dispatch is over.
    await page.evaluate(() => {
      window.prevented = [];
      window.addEventListener('keydown', (e) => {
        if (e.key.startsWith('F')) setTimeout(() => window.prevented.push([e.key, e.defaultPrevented]));
      }, true);
    });
    await page.keyboard.press('F10');
    await page.waitForFunction(() => document.querySelector('#counter')?.textContent.startsWith('1 instruction executed'));
    await page.keyboard.press('F11');
    await page.keyboard.press('Shift+F11');
    await page.keyboard.press('F8');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('exited'));
    await page.waitForFunction(() => window.prevented.length >= 4);
    assert.deepEqual(await page.evaluate(() => window.prevented), [
      ['F10', true], ['F11', true], ['F11', true], ['F8', true],
    ]);

    // Ctrl+Enter inside the editor runs, and inserts no line.
    await page.click('#reset');
    const lines = await page.$$eval('.cm-line', (l) => l.length);
    await page.click('.cm-content');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('exited'));
    assert.equal(await page.$$eval('.cm-line', (l) => l.length), lines, 'no blank line inserted');
  });
});

test('an assembly error leaves no stale verdict; fixing the text verifies it again', async () => {
  await withPage(async (page) => {
    assert.equal(await verdict(page), 'accepted');
    await pasteSource(page, 'r0 = 0\nldh [12\nexit\n');
    await page.waitForFunction(() => document.querySelector('#verdict')?.textContent.startsWith('not assembled'));
    assert.match(await verdict(page), /^not assembled: line 2/);
    assert.ok(!(await page.textContent('#verifier')).includes('accepted'));
    assert.ok(await page.$('#asm-error'), 'the editor shows the error');
    await pasteSource(page, 'r0 = 0\nexit\n');
    await page.waitForFunction(() => document.querySelector('#verdict')?.textContent === 'accepted');
    assert.equal(await page.$('#asm-error'), null, 'the banner went with its cause');
  });
});

test('Run on a rejected program says why and offers the plain VM', async () => {
  await withPage(async (page) => {
    await pasteSource(page, 'r1 = 1\nexit\n');
    await page.waitForFunction(() => document.querySelector('#verdict')?.textContent === 'R0 !read_ok (EACCES)');
    await page.click('#run');
    await page.waitForSelector('#notice');
    assert.match(await page.textContent('#notice'), /verifier rejected the program \(R0 !read_ok \(EACCES\)\)/);
    await page.click('#run-unverified');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('exited: r0 = 0x0'));
  });
});

test('hex inputs read dumps and C arrays and say exactly what they could not read', async () => {
  await withPage(async (page) => {
    await page.fill('#packet', '0x02, 0x00, 0x0z');
    await page.press('#packet', 'Enter');
    await page.waitForSelector('#notice');
    assert.equal(
      (await page.textContent('#notice')).replace(/\s*✕$/, ''),
      'packet: line 1, column 16: `z` (in `0x0z`) is not a hex digit',
    );
    // The refused text stays in the field to be fixed; renders do not put the old value back.
    assert.equal(await page.inputValue('#packet'), '0x02, 0x00, 0x0z');
    await page.click('#notice');
    await page.fill('#packet', '0x02, 0x00, 0x1');
    await page.press('#packet', 'Enter');
    await page.waitForFunction(() => document.querySelector('#packet')?.value === '02 00 01');
    // Go to address with text that is not an address.
    await page.click('#step');
    await page.waitForSelector('#goto');
    await page.fill('#goto', 'zzz');
    await page.press('#goto', 'Enter');
    await page.waitForSelector('#goto-error');
    assert.match(await page.textContent('#goto-error'), /`zzz` is not an address/);
  });
});
