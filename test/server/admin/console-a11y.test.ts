// axe-core in real headless Chromium over every console page, at 1280 and 375 px: no serious or
// critical violation (a failure prints each rule id with its nodes). Screenshots go to
// test-artifacts/admin/a11y-*.png. To cover a new console page, add its path to PAGES (and, for a
// page that needs data, a row in beforeAll). Also: nothing scrolls sideways at 375 px.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/password.js';
import { buildSite } from '../../../src/build/site.js';
import { describeWithChromium, launchChromium } from '../../support/chromium.js';
import { isoFromNow, startHarness, writeIssue, type Harness } from '../harness.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../../test-artifacts/admin');
const PASSWORD = 'correct horse battery staple';

/** Every console page, and whom the browser is signed in as (`nobody`: signed out). */
const PAGES: Array<{ name: string; path: string; as: 'nobody' | 'owner' | 'viewer' }> = [
  { name: 'sign-in', path: '/admin/login', as: 'nobody' },
  { name: 'campaigns', path: '/admin', as: 'owner' },
  { name: 'campaign', path: '/admin/campaigns/2026-11-13-operators', as: 'owner' },
  { name: 'campaign-viewer', path: '/admin/campaigns/2026-11-13-operators', as: 'viewer' },
  { name: 'health', path: '/admin/health', as: 'viewer' },
  { name: 'issues', path: '/admin/issues', as: 'viewer' },
  { name: 'issue', path: '/admin/issues/2026-11-13-operators', as: 'owner' },
  { name: 'issue-viewer', path: '/admin/issues/2026-11-13-operators', as: 'viewer' },
  { name: 'subscribers', path: '/admin/subscribers', as: 'owner' },
  { name: 'subscribers-viewer', path: '/admin/subscribers?q=a', as: 'viewer' },
  { name: 'subscriber', path: '/admin/subscribers/:subscriber', as: 'owner' },
  { name: 'subscribers-import', path: '/admin/subscribers/import', as: 'owner' },
  { name: 'operators', path: '/admin/operators', as: 'owner' },
  { name: 'tokens', path: '/admin/tokens', as: 'owner' },
  { name: 'forbidden', path: '/admin/operators', as: 'viewer' },
  { name: 'not-found', path: '/admin/no-such-page', as: 'owner' },
];

const WIDTHS = [1280, 375];

// Browser-side code is passed as strings: the project's tsconfig has no DOM types.
const RUN_AXE = `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
  .filter((v) => v.impact === 'serious' || v.impact === 'critical')
  .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) })))`;

const OVERFLOW = `document.documentElement.scrollWidth - document.documentElement.clientWidth`;

describeWithChromium('axe-core on every console page', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const contexts = new Map<string, { context: BrowserContext; page: Page }>();
  let subscriberId = 0;

  const signedInPage = async (as: 'nobody' | 'owner' | 'viewer'): Promise<Page> => {
    const known = contexts.get(as);
    if (known) return known.page;
    // bypassCSP: the pages' CSP (script-src 'self') would refuse the injected axe script; it stays on for every other test.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, bypassCSP: true });
    await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
    const page = await context.newPage();
    if (as !== 'nobody') {
      await page.goto(`${base}/admin/login`);
      await page.getByLabel('Email address').fill(`${as}@example.org`);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/admin`);
    }
    contexts.set(as, { context, page });
    return page;
  };

  beforeAll(async () => {
    h = await startHarness({ configure: (config) => (config.site.title = 'The Remarkably Long-Named Weekly Newsletter of Things') });
    await buildSite(h.config, []); // the site's style.css, which the console links
    const passwordHash = await hashPassword(PASSWORD);
    for (const role of ['owner', 'viewer'] as const) await h.store.addOperator({ email: `${role}@example.org`, role, passwordHash });
    await h.store.addOperator({ email: 'a-rather-long-address.for-the-phone-layout@subdomain.example.org', role: 'editor', passwordHash });
    for (const email of ['a@example.org', 'b@example.org']) subscriberId = (await h.store.addSubscriber({ email, name: 'A Reader', topics: ['SOFA Weekly'] })).id;
    await writeIssue(h.config, {
      slug: '2026-11-13-operators',
      date: isoFromNow(-60_000),
      title: 'Operators, and a rather long title that has to wrap on a phone',
      tags: ['SOFA Weekly'],
    });
    await h.store.createCampaign({ slug: '2026-11-13-operators', title: 'Operators, and a rather long title that has to wrap on a phone', topics: [] });
    await h.store.addApiToken({ name: 'deploy-from-ci', tokenHash: 'x'.repeat(64), role: 'editor' });
    const now = Date.now();
    await h.store.beatWorker(
      { workerId: 'worker@a-long-host-name.internal.example.org', mode: 'worker', host: 'a-long-host-name.internal.example.org', pid: 4242, startedAt: now },
      now,
      0,
    );
    base = (await h.server.app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('finds what it should on a page made to fail (the control: axe runs and is read)', async () => {
    const page = await signedInPage('nobody');
    await page.setContent('<!doctype html><html><body><img src="x.png"><button></button></body></html>');
    await page.addScriptTag({ content: axe.source });
    const ids = ((await page.evaluate(RUN_AXE)) as Array<{ id: string }>).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['image-alt', 'button-name']));
  });

  // One test per page, so a slow machine's time limit is per page, not for all 32 axe runs together.
  it.each(PAGES)('$name ($path as $as): no serious or critical violation at 1280 and 375 px', async ({ name, path: pagePath, as }) => {
    const found: Record<string, unknown> = {};
    const page = await signedInPage(as);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
      const res = await page.goto(`${base}${pagePath.replace(':subscriber', String(subscriberId))}`);
      expect(res?.status(), `${name}: ${pagePath}`).toBe(name === 'forbidden' ? 403 : name === 'not-found' ? 404 : 200);
      await page.addScriptTag({ content: axe.source });
      const violations = (await page.evaluate(RUN_AXE)) as unknown[];
      if (violations.length > 0) found[`at ${width}px`] = violations;
      const overflow = (await page.evaluate(OVERFLOW)) as number;
      if (overflow > 0) found[`at ${width}px scrolls sideways`] = `${overflow}px`;
      await page.screenshot({ path: path.join(ARTIFACTS, `a11y-${name}-${width}.png`), fullPage: true });
    }
    expect(found).toEqual({});
  });

  it('the page that shows a new token once passes too', async () => {
    const page = await signedInPage('owner');
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
      await page.goto(`${base}/admin/tokens`);
      await page.getByLabel('Name (letters, digits').fill(`made-at-${width}`);
      await page.getByRole('button', { name: 'Make the token' }).click();
      await page.getByLabel('The token').waitFor();
      await page.addScriptTag({ content: axe.source });
      expect(await page.evaluate(RUN_AXE), `at ${width}px`).toEqual([]);
      expect(await page.evaluate(OVERFLOW), `at ${width}px`).toBe(0);
      await page.screenshot({ path: path.join(ARTIFACTS, `a11y-token-made-${width}.png`), fullPage: true });
    }
  });
});
