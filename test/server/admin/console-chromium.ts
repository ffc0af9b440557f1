// What the console's Chromium tests set up alike: the real server on loopback with the site's
// stylesheet built, an editor who can sign in, any data the test adds, and one browser tab that
// reaches only that server. Screenshots go to ARTIFACTS.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../../src/accounts/password.js';
import { buildSite } from '../../../src/build/site.js';
import { launchChromium } from '../../support/chromium.js';
import { pageOn } from '../../support/page-checks.js';
import { startHarness, type Harness, type HarnessOptions } from '../harness.js';

export const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts/admin');
export const EDITOR = 'editor@example.org';
export const PASSWORD = 'correct horse battery staple';

export interface ConsoleInChromium {
  h: Harness;
  browser: Browser;
  page: Page;
  /** http://127.0.0.1:PORT, no trailing slash. */
  base: string;
  close(): Promise<void>;
}

/** `seed` runs once the server listens (data, a worker); `acceptDownloads` for an export. */
export async function startConsoleInChromium(options: HarnessOptions & { seed?: (h: Harness) => Promise<unknown>; acceptDownloads?: boolean } = {}): Promise<ConsoleInChromium> {
  const { seed, acceptDownloads, ...harness } = options;
  const h = await startHarness(harness);
  await buildSite(h.config, []); // the site's style.css, which the console links
  await h.store.addOperator({ email: EDITOR, role: 'editor', passwordHash: await hashPassword(PASSWORD) });
  const base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
  await seed?.(h);
  const browser = await launchChromium();
  const page = await pageOn(browser, base, { acceptDownloads });
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    h,
    browser,
    page,
    base,
    async close() {
      await browser.close();
      await h.close();
    },
  };
}
