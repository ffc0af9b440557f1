// The issue email of real corpus issues, rendered by headless Chromium at phone and desktop
// widths: nothing may overflow horizontally. Screenshots land in test-artifacts/email/.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadIssues } from '../../src/content/load.js';
import { prepareIssueEmail } from '../../src/email/issue-email.js';
import { describeWithChromium, launchChromium } from '../support/chromium.js';
import { emailConfig, REPO, SECRET } from './helpers.js';

const CORPUS = path.resolve(REPO, '../shared/corpus/sofa-weekly');
const ARTIFACTS = path.join(REPO, 'test-artifacts', 'email');

// Table, code block, the largest issue, a data: image, a recent one.
const SLUGS = ['sofa-weekly-20200508', 'sofa-weekly-0327', 'sofa-weekly-20200313', 'sofa-weekly-20210903', 'sofa-weekly-20221104'];

/** A 1200x300 PNG: every remote image is answered with it, so wide images are really tested. */
function widePng(width = 1200, height = 300): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.alloc(1 + width * 3, 0x88);
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describeWithChromium('email HTML in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('does not overflow at 375px or 600px for corpus issues', async () => {
    const config = emailConfig();
    config.issuesDir = CORPUS;
    const { issues } = await loadIssues(config);
    const png = widePng();
    let imagesServed = 0;
    for (const file of SLUGS) {
      const issue = issues.find((i) => i.slug === file);
      expect(issue, file).toBeDefined();
      const prepared = await prepareIssueEmail(config, issue!, SECRET);
      const { html } = prepared.partsFor({ id: 1, email: 'reader@example.org', name: '读者' });
      for (const width of [375, 600]) {
        const page = await browser.newPage({ viewport: { width, height: 800 } });
        // No network in tests: images get the wide local PNG, anything else is refused.
        await page.route('**/*', (route) => {
          if (route.request().resourceType() === 'image') {
            imagesServed++;
            return route.fulfill({ status: 200, contentType: 'image/png', body: png });
          }
          return route.abort();
        });
        await page.setContent(html, { waitUntil: 'load' });
        // Runs in the page (a string, so the Node-only typecheck needs no DOM types).
        const m = (await page.evaluate(`(() => {
          const el = document.scrollingElement || document.documentElement;
          const wide = [...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3)
            .map((e) => e.tagName.toLowerCase() + ' right=' + Math.round(e.getBoundingClientRect().right));
          const imgs = [...document.images].filter((i) => i.complete && i.naturalWidth > 0);
          return { scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, wide, loadedImages: imgs.length,
            widestImg: Math.max(0, ...imgs.map((i) => i.getBoundingClientRect().width)) };
        })()`)) as { scrollWidth: number; clientWidth: number; wide: string[]; loadedImages: number; widestImg: number };
        await page.screenshot({ path: path.join(ARTIFACTS, `${issue!.slug}-${width}.png`), fullPage: true });
        await page.close();
        expect(m.scrollWidth, `${file} at ${width}px: ${m.wide.join(', ')}`).toBeLessThanOrEqual(m.clientWidth);
        expect(m.widestImg).toBeLessThanOrEqual(width);
        if (m.loadedImages > 0) expect(m.widestImg).toBeGreaterThan(0);
      }
    }
    expect(imagesServed).toBeGreaterThan(0); // the wide image really was laid out somewhere
    expect(existsSync(path.join(ARTIFACTS, `${SLUGS[0]}-375.png`))).toBe(true);
  });
});
