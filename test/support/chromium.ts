// Real headless Chromium (Debian package `chromium`) for page tests. Without it the suites are
// skipped locally and fail when CI=true, so CI never passes by skipping them.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';

// The background-networking flags keep Chromium from calling out: this machine has no network.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export const describeWithChromium = existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian package chromium); page tests need it when CI=true`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

// A wide stand-in for the CDN cover images (no network here): 1600px must still fit a phone.
const WIDE_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="400"><rect width="1600" height="400" fill="#4a7"/></svg>';

/** Requests under `base` go through; images elsewhere get the wide stand-in; anything else elsewhere is refused. */
export async function standInForOtherHosts(context: BrowserContext, base: string): Promise<void> {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(base)) return route.continue();
    if (route.request().resourceType() === 'image') return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: WIDE_SVG });
    return route.abort();
  });
}

// Browser-side code is passed as a string: the project's tsconfig has no DOM types. `sample` is
// drawn in the page's own body font beside an unassigned code point: with no CJK font both come
// out as the same .notdef boxes. The control proves the method: two different missing code
// points draw the same boxes.
const DRAW_CJK = `((sample) => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (s) => {
    const c = document.createElement('canvas');
    c.width = 40 * s.length + 40;
    c.height = 40;
    const ctx = c.getContext('2d');
    ctx.font = '28px ' + font;
    ctx.fillText(s, 4, 30);
    return c.toDataURL();
  };
  const missing = (cp) => String.fromCodePoint(cp).repeat(sample.length);
  return { cjk: draw(sample) !== draw(missing(0x10fffd)), control: draw(missing(0x10fffc)) === draw(missing(0x10fffd)) };
})`;

/** Whether the page draws `sample` (CJK) with real glyphs, not missing-glyph boxes; expect `{ cjk: true, control: true }`. */
export function drawsCjk(page: Page, sample: string): Promise<{ cjk: boolean; control: boolean }> {
  return page.evaluate(`${DRAW_CJK}(${JSON.stringify(sample)})`) as Promise<{ cjk: boolean; control: boolean }>;
}
