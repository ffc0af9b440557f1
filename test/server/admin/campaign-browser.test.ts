// Sending from the console in real headless Chromium through the real server: open the issues
// page and an issue's preview (its HTML in the sandboxed frame), press Send with the keyboard,
// watch the live counts rise while the campaign sends to a real loopback SMTP server, pause and
// resume it, and see it to the end (errors by SMTP answer included). At 1280 and 375 px nothing
// scrolls sideways and every control has a label; screenshots go to test-artifacts/admin/.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../../support/chromium.js';
import { checkConsolePage, signIn } from '../../support/page-checks.js';
import { waitFor } from '../../support/wait.js';
import { writeIssue, type Harness } from '../harness.js';
import { ARTIFACTS, EDITOR, PASSWORD, startConsoleInChromium, type ConsoleInChromium } from './console-chromium.js';

const RECIPIENTS = 40;
const REFUSED = 'refused@example.org';

describeWithChromium('sending from the console in headless Chromium', () => {
  let c: ConsoleInChromium;
  let h: Harness;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    c = await startConsoleInChromium({
      smtp: { rcpt: (to) => (to === REFUSED ? { code: 550, message: `5.1.1 <${to}>: Recipient address rejected: User unknown` } : null) },
      configure: (config) => {
        config.smtp.rateLimit = 8; // about five seconds: time to watch, pause and resume
        config.pollSeconds = 1; // the worker picks the resumed campaign up within a second
      },
      seed: async (h) => {
        await h.store.importSubscribers([...Array.from({ length: RECIPIENTS - 1 }, (_, i) => ({ email: `reader${i}@example.org` })), { email: REFUSED }]);
        await writeIssue(h.config, { slug: 'live-issue', title: 'A live issue', date: '2026-01-05T09:00:00Z', body: 'Body of the live issue, as its readers get it.' });
        await writeIssue(h.config, { slug: 'later', date: '2099-01-01T09:00:00Z' });
        // The service's worker: it resumes a campaign once it is no longer paused (the issue is older than its first start: never mailed by itself).
        await h.newWorker().start();
      },
    });
    ({ h, page, base } = c);
  }, 60_000);

  afterAll(async () => c?.close());

  const check = (name: string) => checkConsolePage(page, name, ARTIFACTS);
  const figure = async (name: string) => (await page.locator(`dt:text-is("${name}") + dd`).textContent())?.trim() ?? '';
  const sentNow = async () => Number(await page.locator('[data-live="sent"]').textContent());

  it('previews an issue, sends a test, sends it, watches the counts rise, pauses, resumes, sees it finish and signs out', async () => {
    await signIn(page, base, EDITOR, PASSWORD);

    await page.getByRole('link', { name: 'Issues', exact: true }).click();
    await page.waitForURL(`${base}/admin/issues`);
    expect(await page.locator('tr', { hasText: 'Issue later' }).locator('td[data-label="Status"]').textContent()).toMatch(/^scheduled/);
    await check('issues');

    await page.getByRole('link', { name: 'A live issue' }).click();
    await page.waitForURL(`${base}/admin/issues/live-issue`);
    // The email's HTML in the sandboxed frame: it loaded, and it runs no script (sandbox without allow-scripts).
    await expect.poll(() => page.frameLocator('iframe.preview').locator('body').textContent(), { timeout: 15_000 }).toContain('Body of the live issue');
    expect(await page.locator('iframe.preview').getAttribute('sandbox')).toBe('');
    expect(await figure('Recipients now')).toBe(String(RECIPIENTS));
    await check('issue');
    // A full-page screenshot leaves the sandboxed (out-of-process) frame blank; the frame on its own shows it.
    await page.locator('iframe.preview').screenshot({ path: path.join(ARTIFACTS, 'issue-preview-frame-1280.png') });

    // A test copy first, to an address that is no subscriber: it arrives, and no campaign starts.
    await page.getByLabel('Send a test copy to').fill('proofreader@example.net');
    await page.getByRole('button', { name: 'Send test copy' }).click();
    await page.waitForLoadState('load');
    await waitFor(() => h.smtp.countFor('proofreader@example.net') === 1, { what: 'the test copy at the SMTP server' });
    expect(await h.store.getCampaign('live-issue')).toBeNull();

    // Send, with the keyboard.
    await page.getByRole('button', { name: `Send to ${RECIPIENTS} recipients` }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/admin/campaigns/live-issue`);
    // The live figures: sent rises while the campaign sends (the page is not reloaded for it).
    const firstSeen = await waitFor(
      async () => {
        const n = await sentNow();
        return n > 0 && n < RECIPIENTS - 10 ? n : null;
      },
      { what: 'the first messages sent' },
    );
    await waitFor(async () => (await sentNow()) > firstSeen, { what: 'sent to rise on the page' });
    expect(await figure('Rate')).toMatch(/^\d+(\.\d+)? per second$/);
    await check('campaign-sending');

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${base}/admin/campaigns/live-issue`);
    expect(await figure('State')).toBe('paused');
    expect((await h.store.getCampaign('live-issue'))!.pausedAt).not.toBeNull();
    const whilePaused = (await h.store.campaignStats((await h.store.getCampaign('live-issue'))!.id)).sent;
    expect(whilePaused).toBeLessThan(RECIPIENTS - 1);
    await check('campaign-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForURL(`${base}/admin/campaigns/live-issue`);
    // To the end: the stream's end reloads the page once, which then shows the finished campaign.
    await waitFor(async () => (await figure('State').catch(() => '')) === 'finished', { what: 'the campaign finished on the page', timeout: 40_000, ignoreErrors: true });
    expect(await figure('Sent')).toBe(String(RECIPIENTS - 1));
    expect(await figure('Failed')).toBe('1');
    expect(await page.locator('#live-errors td[data-label="Code"]').textContent()).toBe('550');
    expect(await page.locator('#live-errors td[data-label="Response"]').textContent()).toBe('5.1.1 <address>: recipient address rejected: user unknown');
    expect(h.smtp.duplicates()).toEqual([]);
    await check('campaign-finished');

    // Signing out ends the session: the console answers with the sign-in page again.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.goto(`${base}/admin/campaigns/live-issue`);
    expect(page.url()).toMatch(/\/admin\/login/);
  });
});
