// What the page tests check in Chromium, written once: whether anything sticks out sideways, the
// controls without an accessible name, and a console page at both widths. Browser-side code is
// passed as strings: the project's tsconfig has no DOM types.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The console's elements that must stay inside the viewport. */
export const CONSOLE_ELEMENTS = 'input:not([type=hidden]), button, select, textarea, iframe, pre, td, th, a, h1, dd, li';

/** The page's sideways overflow, and which of the visible `selector` elements reach outside the viewport (tag, name, right edge). */
export function layoutOf(page: Page, selector: string): Promise<{ overflow: number; outside: string[] }> {
  return page.evaluate(`((selector) => {
  const width = document.documentElement.clientWidth;
  const outside = [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length > 0 && (el.getBoundingClientRect().right > width + 0.5 || el.getBoundingClientRect().left < -0.5))
    .map((el) => el.tagName.toLowerCase() + (el.name ? '[' + el.name + ']' : '') + ' right=' + Math.round(el.getBoundingClientRect().right));
  return { overflow: document.documentElement.scrollWidth - width, outside };
})(${JSON.stringify(selector)})`) as Promise<{ overflow: number; outside: string[] }>;
}

/** Controls without an accessible name: an input with no <label>, a button with no text. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), button, select, textarea')]
  .filter((el) => el.tagName === 'BUTTON' ? el.textContent.trim() === '' : el.labels === null || el.labels.length === 0)
  .map((el) => el.outerHTML)`) as Promise<string[]>;
}

/** A console page as it is now: every control labelled; at 1280 and 375 px nothing sideways; a full-page screenshot of each into `artifacts`. */
export async function checkConsolePage(page: Page, name: string, artifacts: string): Promise<void> {
  expect(await unlabelledControls(page), `${name}: unlabelled controls`).toEqual([]);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
    expect(await layoutOf(page, CONSOLE_ELEMENTS), `${name} at ${width}px`).toEqual({ overflow: 0, outside: [] });
    await page.screenshot({ path: path.join(artifacts, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A tab that reaches only `base` (anything elsewhere is refused: no network here). */
export async function pageOn(browser: Browser, base: string, options: { width?: number; height?: number; acceptDownloads?: boolean } = {}): Promise<Page> {
  const { width = 1280, height = 800, acceptDownloads = false } = options;
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, acceptDownloads });
  await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
  return context.newPage();
}

/** Signs in with the keyboard alone (the sign-in page must be usable without a mouse) and waits for the campaigns list. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  if (new URL(page.url()).pathname !== '/admin/login') await page.goto(`${base}/admin/login`);
  await page.getByLabel('Email address').focus();
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/admin`);
}
