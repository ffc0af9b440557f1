// A bundle carrying active content (test/fixtures/hostile/bundle-evil): an SVG with an onload
// handler and a <script>, an HTML page and the script it loads. Built through the real CLI,
// served by the real static route over a socket, opened in headless Chromium: nothing of it
// may run on the site's origin, while the issue still shows the SVG as an image.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST } from '../../src/build/output.js';
import { registerSecurityHeaders } from '../../src/server/headers.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles } from '../../src/server/static.js';
import { describeWithChromium, launchChromium } from '../support/chromium.js';
import { execCliSync } from '../support/cli.js';
import { fixturesDir } from '../support/paths.js';
import { tempDir } from '../feeds/helpers.js';

const BUNDLE = path.join(fixturesDir, 'hostile', 'bundle-evil');
const SKIPPED = /^issues\/bundle-evil\/(evil\.html|evil\.js): not published: bundle files must be media \(jpg, .*, pdf, txt, csv\)$/;

let root: string;
let out: string;
let base: string;
let server: FastifyInstance;
let build: ReturnType<typeof execCliSync>;

function cli(...args: string[]) {
  return execCliSync(args, { cwd: root });
}

beforeAll(async () => {
  root = tempDir('pressroom-hostile-');
  cpSync(BUNDLE, path.join(root, 'issues', 'bundle-evil'), { recursive: true });
  out = path.join(root, 'public');
  // What a build before this fix left behind: the bundle's HTML and script, listed as ours.
  mkdirSync(path.join(out, 'issues', 'bundle-evil'), { recursive: true });
  for (const name of ['evil.html', 'evil.js']) copyFileSync(path.join(BUNDLE, name), path.join(out, 'issues', 'bundle-evil', name));
  writeFileSync(path.join(out, MANIFEST), 'issues/bundle-evil/evil.html\nissues/bundle-evil/evil.js\n');
  // And the same two files put into the output folder by hand (not ours, so a build keeps them).
  mkdirSync(path.join(out, 'extra'));
  for (const name of ['evil.html', 'evil.js']) copyFileSync(path.join(BUNDLE, name), path.join(out, 'extra', name));

  server = Fastify();
  let siteUrl = '';
  await registerSecurityHeaders(server, () => siteUrl);
  registerStaticRoute(server, new StaticFiles(out, { revalidateMs: 0 }));
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;
  siteUrl = base;
  build = cli('build', '--issues', 'issues', '--out', 'public', '--site-url', base);
});

afterAll(async () => {
  await server?.close();
});

describe('building a bundle with active content', () => {
  it('publishes its media files and skips its HTML and script, naming each once', () => {
    expect(build.status).toBe(0);
    const lines = String(build.stderr).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((line) => SKIPPED.exec(line)?.[1])).toEqual(['evil.html', 'evil.js']);
    const dir = path.join(out, 'issues', 'bundle-evil');
    for (const name of ['index.html', 'evil.svg', 'logo.png', 'notes.txt']) expect(existsSync(path.join(dir, name)), name).toBe(true);
    // Not published, and what an earlier build published is gone.
    for (const name of ['evil.html', 'evil.js']) expect(existsSync(path.join(dir, name)), name).toBe(false);
    expect(readFileSync(path.join(out, MANIFEST), 'utf8')).not.toMatch(/evil\.(html|js)/);
  });

  it('check names the same files, once each, and the issue stays valid', () => {
    const check = cli('check', '--no-preflight', '--issues', 'issues');
    expect(check.status).toBe(0);
    const lines = String(check.stderr).trim().split('\n');
    expect(lines.map((line) => SKIPPED.exec(line)?.[1])).toEqual(['evil.html', 'evil.js']);
    expect(check.stdout).toContain('1 valid issue (1 published, 0 scheduled, 0 drafts), 0 problems');
  });
});

describe('serving bundle files', () => {
  it('serves the SVG sandboxed, text as a download, and the skipped files not at all', async () => {
    const svg = await fetch(`${base}issues/bundle-evil/evil.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(svg.headers.get('content-security-policy')).toMatch(/^sandbox(;|$)/);
    expect(svg.headers.get('x-content-type-options')).toBe('nosniff');
    const png = await fetch(`${base}issues/bundle-evil/logo.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-disposition')).toBeNull();
    const notes = await fetch(`${base}issues/bundle-evil/notes.txt`);
    expect(notes.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(notes.headers.get('content-disposition')).toBe('attachment');
    for (const name of ['evil.html', 'evil.js']) expect((await fetch(`${base}issues/bundle-evil/${name}`)).status, name).toBe(404);
  });

  it('never serves a script in the output folder as JavaScript', async () => {
    const js = await fetch(`${base}extra/evil.js`);
    expect(js.headers.get('content-type')).toBe('application/octet-stream');
    expect(js.headers.get('content-disposition')).toBe('attachment');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describeWithChromium('bundle files in headless Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Paths of the requests the hostile scripts make when they run (`fetch('/pwned/...')`). */
  const pwned: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    context = await browser.newContext();
    // The control: the same SVG bytes served without our headers.
    await context.route(`${base}control/evil.svg`, (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: readFileSync(path.join(BUNDLE, 'evil.svg')) }));
    context.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/pwned/')) pwned.push(pathname);
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(() => {
    pwned.length = 0;
  });

  it('the fixture SVG does run script when served without a sandbox (the control)', async () => {
    const seen = page.waitForRequest((request) => request.url().startsWith(`${base}pwned/`));
    await page.goto(`${base}control/evil.svg`);
    await seen;
    expect(await page.title()).toBe('pwned by onload');
  });

  it('opening the served evil.svg runs none of its script', async () => {
    const res = await page.goto(`${base}issues/bundle-evil/evil.svg`);
    expect(res?.status()).toBe(200);
    // onload and the inline <script> would have run before the load event goto waits for.
    expect(await page.title()).toBe('diagram');
    // Requests are reported in order: one started by the SVG comes before this navigation's.
    await page.goto(`${base}index.html`);
    expect(pwned).toEqual([]);
  });

  it('the issue page still shows evil.svg (and the PNG) as images, and nothing runs', async () => {
    await page.goto(`${base}issues/bundle-evil/`);
    const images = await page.$$eval('img', (imgs) => imgs.map((img) => ({ src: new URL(img.src).pathname, width: img.naturalWidth })));
    expect(images).toEqual([
      { src: '/issues/bundle-evil/evil.svg', width: 120 },
      { src: '/issues/bundle-evil/logo.png', width: 4 },
    ]);
    expect(await page.title()).toContain('Bundle with hostile files');
    await page.goto(`${base}index.html`);
    expect(pwned).toEqual([]);
  });

  it('an HTML page in the output folder cannot run a script beside it', async () => {
    await page.goto(`${base}extra/evil.html`);
    expect(await page.title()).toBe('harmless page');
    await page.goto(`${base}index.html`);
    expect(pwned).toEqual([]);
  });
});
