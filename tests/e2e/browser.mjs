// What every end-to-end test starts from: Debian's Chromium, headless, driven by
// playwright-core (never `playwright install`).
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's headless Chromium with the flags a container needs; close it after. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Opens the app at `base` in a new page of `owner` (a browser or a browser context) and
 * waits until it has verified its first program; `errors` collects the page's uncaught errors. */
export async function openApp(owner, base, options = {}) {
  const page = await owner.newPage(options);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base);
  await page.waitForSelector('#verdict', { timeout: 20000 });
  return { page, errors };
}

/** Replaces the editor's text with a clipboard paste, as Ctrl+V gives the editor
 * (Playwright's insertText goes through execCommand, quadratic in Chromium: see BENCHMARKS.md). */
export function pasteSource(page, text) {
  return page.evaluate((text) => {
    const content = document.querySelector('#source .cm-content');
    content.focus();
    document.execCommand('selectAll');
    const data = new DataTransfer();
    data.setData('text/plain', text);
    content.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

/** Waits until the listing is `slots` lines long and shows its last row, `#insn-${slots - 1}`,
 * scrolled to the end: the listing is a virtual list, so that only the rows in view exist. */
export async function scrollListingToEnd(page, slots, timeout = 30000) {
  await page.waitForFunction((n) => document.querySelector('#listing .vlist-sizer')?.style.height === `${n * 16}px`,
    slots, { timeout });
  await page.$eval('#listing .vlist', (s) => { s.scrollTop = s.scrollHeight; });
  await page.waitForSelector(`#insn-${slots - 1}`, { timeout });
}
