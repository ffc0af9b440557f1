// The built corpus archive in real headless Chromium at phone width: the index lists every
// issue, CJK text is present and drawn with real glyphs (not tofu), and no page scrolls
// sideways at 375px. Screenshots go to test-artifacts/archive/.
// Without /usr/bin/chromium the suite is skipped locally, and fails when CI=true.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, drawsCjk, launchChromium, standInForOtherHosts } from '../support/chromium.js';
import { buildSite } from '../../src/build/site.js';
import type { Issue } from '../../src/content/issue.js';
import { loadIssues } from '../../src/content/load.js';
import { CORPUS, siteConfig, tempDir } from '../feeds/helpers.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/archive');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8' };

describeWithChromium('archive in headless Chromium at 375px', () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let issues: Issue[];

  beforeAll(async () => {
    const out = tempDir('pressroom-archive-');
    const config = siteConfig({ title: 'SOFA Weekly 周报', description: 'SOFAStack 社区每周精选' });
    config.issuesDir = CORPUS;
    config.outDir = out;
    issues = (await loadIssues(config)).issues;
    await buildSite(config, issues);

    server = createServer((req, res) => {
      const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = path.join(out, rel);
      if (!file.startsWith(out)) return void res.writeHead(403).end();
      if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 1 });
    await standInForOtherHosts(context, base);
    page = await context.newPage();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  // Browser-side code is passed as strings: the project's tsconfig has no DOM types.
  const overflow = () => page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as Promise<number>;

  it('the index lists every published issue, newest first, in CJK, without sideways scrolling', async () => {
    await page.goto(base, { waitUntil: 'load' });
    const titles = await page.locator('ol.issues a.title').allTextContents();
    expect(titles).toHaveLength(issues.length);
    expect(titles[0]).toBe(issues[0]!.title.trim());
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright locator.innerText, not the DOM property (the rendered text is what is asserted)
    const text = await page.locator('body').innerText();
    expect(text).toContain('SOFAStack 社区每周精选');
    expect(text).toMatch(/[\u4e00-\u9fff]{4}/);
    expect(await page.locator('link[rel=alternate]').count()).toBe(3);
    expect(await page.locator('form.subscribe input[name=email]').count()).toBe(1);
    expect(await overflow()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'index-375.png'), fullPage: false });
  });

  it('CJK text is drawn with a real font, not missing-glyph boxes', async () => {
    await page.goto(base, { waitUntil: 'load' });
    const differs = await drawsCjk(page, '精选');
    expect(differs).toEqual({ cjk: true, control: true });
  });

  it('every issue page fits 375px and links to its neighbours', async () => {
    // Four tabs at a time, all at 375px, each page fully loaded (stand-in images included).
    const wide: string[] = [];
    const queue = [...issues];
    const tabs = await Promise.all([0, 1, 2, 3].map(() => page.context().newPage()));
    await Promise.all(
      tabs.map(async (tab) => {
        for (let issue = queue.shift(); issue; issue = queue.shift()) {
          await tab.goto(`${base}issues/${issue.slug}/`, { waitUntil: 'load' });
          const px = (await tab.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
          if (px > 0) wide.push(`${issue.slug} (+${px}px)`);
        }
        await tab.close();
      }),
    );
    expect(wide).toEqual([]);

    const middle = issues[1]!;
    await page.goto(`${base}issues/${middle.slug}/`, { waitUntil: 'load' });
    expect(await page.locator('h1').textContent()).toBe(middle.title);
    expect(await page.locator('a.newer').getAttribute('href')).toBe(`../../issues/${issues[0]!.slug}/`);
    expect(await page.locator('a.older').getAttribute('href')).toBe(`../../issues/${issues[2]!.slug}/`);
    const coverWidth = await page.locator('img.cover').evaluate((img) => img.getBoundingClientRect().width);
    expect(coverWidth).toBeGreaterThan(200);
    expect(coverWidth).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(ARTIFACTS, 'issue-375.png'), fullPage: true });
    await page.locator('a.older').click();
    await page.waitForURL(`${base}issues/${issues[2]!.slug}/`);
    expect(await page.locator('h1').textContent()).toBe(issues[2]!.title);
  }, 180_000);
});
