// The subscriber pages in real headless Chromium: upload a CSV with one bad line and read the
// line report (the page's script posts it to /api/subscribers/import), search, edit a subscriber,
// export the filtered list; at 1280 px and at 375 px nothing scrolls sideways and every control
// has a label. Screenshots go to test-artifacts/admin/. Without /usr/bin/chromium the suite is
// skipped locally, and fails when CI=true.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium } from '../../support/chromium.js';
import { checkConsolePage, signIn } from '../../support/page-checks.js';
import type { Harness } from '../harness.js';
import { ARTIFACTS, EDITOR, PASSWORD, startConsoleInChromium, type ConsoleInChromium } from './console-chromium.js';

const CSV = 'email,name,topics\nnew.reader@example.org,Newcomer Reader,rust\nnot-an-address,Broken,\nanother.reader@example.org,Another One,go;rust\n';

describeWithChromium('the subscriber pages in headless Chromium', () => {
  let c: ConsoleInChromium;
  let h: Harness;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    c = await startConsoleInChromium({
      acceptDownloads: true,
      seed: async (h) => {
        await h.store.importSubscribers(Array.from({ length: 70 }, (_, i) => ({ email: `reader${i}@a-rather-long-domain-name.example.org`, name: `Reader number ${i}` })));
      },
    });
    ({ h, page, base } = c);
  }, 60_000);

  afterAll(async () => c?.close());

  const check = (name: string) => checkConsolePage(page, name, ARTIFACTS);

  it('imports a CSV with a bad line, searches, edits a subscriber and exports', async () => {
    await signIn(page, base, EDITOR, PASSWORD);

    await page.getByRole('link', { name: 'Subscribers', exact: true }).click();
    await page.waitForURL(`${base}/admin/subscribers`);
    expect(await page.locator('tbody tr').count()).toBe(50);
    expect(await page.locator('#total').textContent()).toBe('70 subscribers match.');
    await check('subscribers');
    await page.getByRole('link', { name: 'Next page' }).click();
    expect(await page.locator('tbody tr').count()).toBe(20);

    // The upload: the script shows the form, sends the file and writes the per-line report.
    await page.goto(`${base}/admin/subscribers/import`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'readers.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    await page.locator('#report .summary').filter({ hasText: 'rows:' }).waitFor();
    expect(await page.locator('#report .summary').textContent()).toBe('3 rows: 2 added, 0 already on the list, 0 suppressed, 1 with problems.');
    expect(await page.locator('#report ul.problems li').allTextContents()).toEqual([expect.stringMatching(/^line 3: email: /)]);
    expect(await page.locator('#upload-progress').getAttribute('value')).toBe('100');
    await check('subscribers-import');
    expect(await h.store.findSubscriberByEmail('new.reader@example.org')).not.toBeNull();

    // Search by a name prefix, in another case.
    await page.goto(`${base}/admin/subscribers`);
    await page.getByLabel('Search address or name (starts with)').fill('NEWCOMER');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=NEWCOMER/);
    expect(await page.locator('tbody tr td[data-label="Address"]').allTextContents()).toEqual(['new.reader@example.org']);
    await page.getByLabel('Topic').fill('rust');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/topic=rust/);
    expect(await page.locator('tbody tr').count()).toBe(1);

    // Edit.
    await page.getByRole('link', { name: 'new.reader@example.org' }).click();
    await page.waitForURL(/\/admin\/subscribers\/\d+$/);
    await check('subscriber');
    await page.getByLabel('Name').fill('Renamed Reader');
    await page.getByLabel('Topics (comma-separated; empty: every issue)').fill('go, python');
    await page.getByLabel('Status').selectOption('unsubscribed');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/saved=1$/);
    expect(await page.locator('.notice').textContent()).toBe('Saved.');
    expect(await h.store.findSubscriberByEmail('new.reader@example.org')).toMatchObject({ name: 'Renamed Reader', topics: ['go', 'python'], status: 'unsubscribed' });

    // Export what the filter shows.
    await page.goto(`${base}/admin/subscribers?topic=rust`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export these as CSV' }).click()]);
    const file = path.join(ARTIFACTS, 'subscribers-export.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('email,name,topics,status,source,created_at,confirmed_at,unsubscribed_at');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['another.reader@example.org']);
  }, 60_000);
});
