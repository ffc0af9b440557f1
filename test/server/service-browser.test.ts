// The service pages in real headless Chromium at phone width (375px), in English and Simplified
// Chinese: nothing scrolls sideways, every input and button sits inside the column, and the
// reader goes from unsubscribed back to subscribed by pressing the page's own button.
// Screenshots go to test-artifacts/service/. Without /usr/bin/chromium the suite is skipped
// locally, and fails when CI=true.
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signToken } from '../../src/email/tokens.js';
import { describeWithChromium, launchChromium } from '../support/chromium.js';
import { layoutOf, pageOn } from '../support/page-checks.js';
import { isoFromNow, SECRET, startHarness, writeIssue, type Harness } from './harness.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/service');
const LONG_TOPIC = 'ObservabilityAndDistributedTracingWithoutAnyBreakingOpportunity';

/** What must stay inside the column. */
const CONTROLS = 'input:not([type=hidden]), button, fieldset, label, p, h1';

for (const language of ['en', 'zh-CN'] as const) {
  describeWithChromium(`service pages in headless Chromium at 375px (${language})`, () => {
    let h: Harness;
    let browser: Browser;
    let page: Page;
    let base: string;

    beforeAll(async () => {
      h = await startHarness({
        rateLimit: { max: 1000, windowMs: 60_000 },
        configure: (config) => {
          config.site.language = language;
          config.site.title = language === 'en' ? 'The Remarkably Long-Named Weekly Newsletter of Things' : 'SOFAStack 社区每周精选与开源动态周报';
        },
      });
      await writeIssue(h.config, { slug: 'wide', date: isoFromNow(-60_000), tags: [LONG_TOPIC, 'SOFA Weekly', '周报'] });
      await h.server.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(h.server.app.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
      page = await pageOn(browser, base, { width: 375, height: 812 });
      mkdirSync(ARTIFACTS, { recursive: true });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    const fits = async (name: string) => {
      expect(await page.locator('html').getAttribute('lang')).toBe(language);
      expect(await layoutOf(page, CONTROLS), name).toEqual({ overflow: 0, outside: [] });
      await page.screenshot({ path: path.join(ARTIFACTS, `${language}-${name}-375.png`), fullPage: true });
    };

    it('every page fits the column, and the way back after unsubscribing works from the page', async () => {
      await page.goto(`${base}/subscribe`, { waitUntil: 'load' });
      expect(await page.locator('form#subscribe input[name=topics]').count()).toBe(3);
      await fits('subscribe');

      const s = await h.store.addSubscriber({ email: 'reader-with-a-rather-long-address@subdomain.example.org', status: 'pending', topics: [LONG_TOPIC] });
      await page.goto(`${base}/confirm?token=${signToken(SECRET, s.id, 'confirm', Date.now() + 60_000)}`, { waitUntil: 'load' });
      await fits('confirm');
      await Promise.all([page.waitForURL(/\/confirm\?/), page.click('form#confirm button')]);
      await page.waitForLoadState('load');
      expect((await h.store.getSubscriber(s.id))!.status).toBe('active');
      await fits('confirmed');

      await page.goto(`${base}/preferences?token=${signToken(SECRET, s.id, 'preferences')}`, { waitUntil: 'load' });
      expect(await page.locator(`form#preferences input[value="${LONG_TOPIC.toLowerCase()}"]`).isChecked()).toBe(true);
      await fits('preferences');

      await page.goto(`${base}/unsubscribe?token=${signToken(SECRET, s.id, 'unsubscribe')}`, { waitUntil: 'load' });
      await fits('unsubscribe');
      await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form#unsubscribe button')]);
      await page.waitForLoadState('load');
      expect((await h.store.getSubscriber(s.id))!.status).toBe('unsubscribed');
      expect(await page.locator('form#resubscribe button').count()).toBe(1);
      await fits('unsubscribed');

      const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form#resubscribe button')]);
      expect(answer.status()).toBe(200);
      await page.waitForLoadState('load');
      expect((await h.store.getSubscriber(s.id))!.status).toBe('active');
      await fits('resubscribed');
    }, 120_000);
  });
}
