// The console in real headless Chromium: sign in with the keyboard, see the campaigns list, pause
// a campaign with its button, sign out; at 1280 px and at 375 px nothing scrolls sideways and every
// control has a label. Screenshots go to test-artifacts/admin/. Without /usr/bin/chromium the suite
// is skipped locally, and fails when CI=true.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../../support/chromium.js';
import { checkConsolePage, signIn } from '../../support/page-checks.js';
import type { Harness } from '../harness.js';
import { ARTIFACTS, EDITOR, PASSWORD, startConsoleInChromium, type ConsoleInChromium } from './console-chromium.js';

describeWithChromium('the console in headless Chromium', () => {
  let c: ConsoleInChromium;
  let h: Harness;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    c = await startConsoleInChromium({
      configure: (config) => (config.site.title = 'The Remarkably Long-Named Weekly Newsletter of Things'),
      seed: async (h) => {
        for (const email of ['a@example.org', 'b@example.org']) await h.store.addSubscriber({ email });
        await h.store.createCampaign({ slug: '2026-11-13-operators', title: 'Operators, and a rather long title that has to wrap on a phone', topics: [] });
        await h.store.createCampaign({ slug: 'older', title: 'An older one', topics: [] });
      },
    });
    ({ h, page, base } = c);
  }, 60_000);

  afterAll(async () => c?.close());

  const check = (name: string) => checkConsolePage(page, name, ARTIFACTS);

  it('signs in with the keyboard, lists the campaigns, pauses one and signs out', async () => {
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    // The site's stylesheet applies (its .wrap column), and the sign-in page is keyboard usable.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.wrap')).marginLeft !== '0px'`)).toBe(true);
    await check('login');
    await signIn(page, base, EDITOR, PASSWORD);

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
