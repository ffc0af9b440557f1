// Search on the built corpus archive in real headless Chromium, served by the service's own static
// files route with its real security headers (CSP script-src 'self'): a Chinese and an English query
// typed into the search page list the issues whose text has them, a query in the URL runs on load,
// a result opens its issue, and the page logs no error (a blocked script or a failed fetch would).
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import type { Issue } from '../../src/content/issue.js';
import { loadIssues } from '../../src/content/load.js';
import { plainTextOf } from '../../src/feeds/text.js';
import { registerSecurityHeaders } from '../../src/server/headers.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles } from '../../src/server/static.js';
import { describeWithChromium, launchChromium, standInForOtherHosts } from '../support/chromium.js';
import { CORPUS, siteConfig, tempDir } from '../feeds/helpers.js';

describeWithChromium('search in headless Chromium over the built corpus', () => {
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let issues: Issue[];
  const errors: string[] = [];

  beforeAll(async () => {
    const out = tempDir('pressroom-search-');
    server = Fastify();
    await registerSecurityHeaders(server, () => base);
    registerStaticRoute(server, new StaticFiles(out, { revalidateMs: 0 }));
    await server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;

    const config = siteConfig({ title: 'SOFA Weekly 周报', language: 'zh-CN', url: base });
    config.issuesDir = CORPUS;
    config.outDir = out;
    issues = (await loadIssues(config)).issues;
    await buildSite(config, issues);

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    // Issue pages show covers from a CDN: a stand-in image, so a result's page loads without errors.
    await standInForOtherHosts(context, base);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The slugs of the issues whose text (or title) contains every one of `words`, case aside. */
  const containing = (...words: string[]) =>
    issues.filter((issue) => words.every((word) => `${issue.title} ${plainTextOf(issue.html)}`.toLowerCase().includes(word.toLowerCase()))).map((issue) => issue.slug);

  const resultSlugs = async () => (await page.locator('ol.issues a.title').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).map((href) => href!.split('/')[2]);

  async function search(query: string) {
    await page.goto(`${base}search/`, { waitUntil: 'load' });
    await page.locator('input[name=q]').fill(query);
    await page.locator('input[name=q]').press('Enter');
    await page.locator('.search-status').filter({ hasText: /\S/ }).waitFor();
  }

  it('a Chinese query lists every issue that has the phrase, with the count in Chinese', async () => {
    const expected = containing('服务网格');
    expect(expected.length).toBeGreaterThan(3);
    await search('服务网格');
    const found = await resultSlugs();
    // Pairs must all match, so a few issues with 服务 and 网格 apart may come too; none with the phrase is missed.
    expect(found.length).toBe(Math.min(50, await page.evaluate('Number(/\\d+/.exec(document.querySelector(".search-status").textContent)[0])')));
    for (const slug of expected) expect(found, slug).toContain(slug);
    expect(await page.locator('.search-status').textContent()).toMatch(/^找到 \d+ 期。$/);
    expect(errors).toEqual([]);
  });

  it('an English query finds the same issues as a case-blind scan of the text, and a result opens its issue', async () => {
    const expected = containing('layotto', 'sidecar');
    expect(expected.length).toBeGreaterThan(0);
    await search('Layotto sidecar');
    expect((await resultSlugs()).sort()).toEqual(expected.sort());
    const first = page.locator('ol.issues a.title').first();
    const title = await first.textContent();
    await first.click();
    await page.waitForURL(/\/issues\/[^/]+\/$/);
    expect(await page.locator('h1').textContent()).toBe(title);
    expect(errors).toEqual([]);
  });

  it('runs the query in the URL on load, and says so when nothing matches', async () => {
    await page.goto(`${base}search/?q=${encodeURIComponent('zzqx不存在的词')}`, { waitUntil: 'load' });
    await page.locator('.search-status').filter({ hasText: /\S/ }).waitFor();
    expect(await page.locator('.search-status').textContent()).toBe('没有找到匹配的内容。');
    expect(await page.locator('ol.issues li').count()).toBe(0);
    expect(await page.locator('input[name=q]').inputValue()).toBe('zzqx不存在的词');
    expect(errors).toEqual([]);
  });
});
