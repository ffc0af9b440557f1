// The console in real headless Chromium: sign in with the keyboard, see the campaigns list, pause
// a campaign with its button, sign out; at 1280 px and at 375 px nothing scrolls sideways and every
// control has a label. Screenshots go to test-artifacts/admin/. Without /usr/bin/chromium the suite
// is skipped locally, and fails when CI=true.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/password.js';
import { buildSite } from '../../../src/build/site.js';
import { describeWithChromium, launchChromium } from '../../support/chromium.js';
import { checkConsolePage, pageOn } from '../../support/page-checks.js';
import { startHarness, type Harness } from '../harness.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts/admin');
const PASSWORD = 'correct horse battery staple';

describeWithChromium('the console in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    h = await startHarness({ configure: (config) => (config.site.title = 'The Remarkably Long-Named Weekly Newsletter of Things') });
    await buildSite(h.config, []); // the site's style.css, which the console links
    await h.store.addOperator({ email: 'editor@example.org', role: 'editor', passwordHash: await hashPassword(PASSWORD) });
    for (const email of ['a@example.org', 'b@example.org']) await h.store.addSubscriber({ email });
    await h.store.createCampaign({ slug: '2026-11-13-operators', title: 'Operators, and a rather long title that has to wrap on a phone', topics: [] });
    await h.store.createCampaign({ slug: 'older', title: 'An older one', topics: [] });
    base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    page = await pageOn(browser, base);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const check = (name: string) => checkConsolePage(page, name, ARTIFACTS);

  it('signs in with the keyboard, lists the campaigns, pauses one and signs out', async () => {
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    // The site's stylesheet applies (its .wrap column), and the sign-in page is keyboard usable.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.wrap')).marginLeft !== '0px'`)).toBe(true);
    await check('login');
    await page.getByLabel('Email address').focus();
    await page.keyboard.type('editor@example.org');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/admin`);

    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    const first = rows.filter({ hasText: 'Operators, and a rather long title' });
    expect(await first.locator('td[data-label="State"]').textContent()).toBe('queued');
    expect(await first.locator('td[data-label="Recipients"]').textContent()).toBe('2');
    await check('campaigns');

    await first.getByRole('link').click();
    await page.waitForURL(`${base}/admin/campaigns/2026-11-13-operators`);
    await check('campaign');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${base}/admin/campaigns/2026-11-13-operators`);
    expect(await page.locator('dt:has-text("State") + dd').textContent()).toBe('paused');
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    expect((await h.store.getCampaign('2026-11-13-operators'))!.pausedAt).not.toBeNull();
    await check('campaign-paused');

    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${base}/admin/login`);
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
  });
});
