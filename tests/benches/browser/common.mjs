// Shared by the browser benchmarks (measurements, not tests; not part of `make test`):
// the e2e tests' Chromium (tests/e2e/browser.mjs), a page of the served playground, and
// how figures are summarised.
import { launchChromium, openApp } from '../../e2e/browser.mjs';

/** The base URL of a served dist/ (the first argument), as tests/scripts/e2e.sh serves it. */
export const base = process.argv[2] ?? 'http://127.0.0.1:8095/';

/** Debian's Chromium with a fresh page of the playground, loaded; close `browser` after. */
export async function openPlayground() {
  const browser = await launchChromium();
  const { page } = await openApp(browser, base, { viewport: { width: 1400, height: 1000 } });
  return { browser, page };
}

export { pasteSource } from '../../e2e/browser.mjs';

/** `median M ms (min A, max B)` of a list of milliseconds. */
export function summary(ms) {
  const xs = [...ms].sort((a, b) => a - b);
  return `median ${xs[xs.length >> 1].toFixed(1)} ms (min ${xs[0].toFixed(1)}, max ${xs[xs.length - 1].toFixed(1)})`;
}
