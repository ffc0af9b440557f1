// The whole service in real headless Chromium: open the archive, subscribe through its form,
// read the confirm email from a real loopback SMTP server, follow its link, see the subscriber
// active, drop a new issue file, let the worker (1-second cron + watcher) send it, open the issue
// email, click its unsubscribe link, press the button, see `unsubscribed`.
// Screenshots go to test-artifacts/e2e/. Without /usr/bin/chromium the suite is skipped locally,
// and fails when CI=true.
import { mkdirSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium } from '../support/chromium.js';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/logging.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { dateAfterStart, isoFromNow, linkIn, writeIssue } from '../server/harness.js';
import { projectRoot } from '../support/paths.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { freePort } from './ports.js';

const ARTIFACTS = path.join(projectRoot, 'test-artifacts/e2e');
const READER = 'reader@example.org';


describeWithChromium('subscribe, receive, unsubscribe in headless Chromium', () => {
  let root: string;
  let config: Config;
  let smtp: TestSmtpServer;
  let service: RunningService;
  let browser: Browser;
  let page: Page;
  let base: string;

  const mails = async (): Promise<ParsedMail[]> =>
    Promise.all(smtp.messages.filter((m) => m.to.includes(READER)).map((m) => simpleParser(m.raw)));
  const waitForMails = async (count: number): Promise<ParsedMail[]> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const got = await mails();
      if (got.length >= count) return got;
      if (Date.now() > deadline) throw new Error(`expected ${count} messages for ${READER}, got ${got.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-e2e-'));
    smtp = await startTestSmtpServer({ keepMessages: true });
    const port = await freePort();
    base = `http://127.0.0.1:${port}/`;
    config = defaultConfig(root);
    await mkdir(config.issuesDir, { recursive: true });
    Object.assign(config, { port, smtpUrl: smtp.url, secret: 'e2e-secret-0123456789abcdef', schedule: '*/1 * * * * *' });
    config.site.url = base;
    config.site.title = 'E2E Weekly';
    config.email.fromAddress = 'news@example.org';
    config.email.postalAddress = '1 Test Street';
    config.email.templatesDir = path.join(projectRoot, 'emails');
    await writeIssue(config, { slug: 'archive-issue', title: 'From the archive', date: isoFromNow(-7 * 86_400_000) });
    service = await startService({ config, mode: 'start', logger: silentLogger() });
    await service.firstTick;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await smtp?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('goes from the archive to an unsubscribed reader', async () => {
    // 1. The archive, served by our server.
    const home = await page.goto(base);
    expect(home!.status()).toBe(200);
    expect(home!.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(await page.textContent('body')).toContain('From the archive');
    await shot('01-archive');

    // 2. Subscribe through the archive's form.
    await page.fill('form.subscribe input[name="email"]', READER);
    await page.fill('form.subscribe input[name="name"]', 'Rea Der');
    await Promise.all([page.waitForURL(`${base}subscribe`), page.click('form.subscribe button[type="submit"]')]);
    expect(await page.textContent('h1')).toBe('Check your inbox');
    await shot('02-check-inbox');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('pending');

    // 3. The confirm email over SMTP; follow its link.
    const [confirm] = await waitForMails(1);
    const confirmLink = linkIn(confirm!, `${base}confirm?token=`);
    await page.goto(confirmLink);
    expect(await page.textContent('.status')).toBe('active');
    await shot('03-confirmed');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('active');
    await waitForMails(2); // the welcome email

    // 4. A new issue file; the worker picks it up and sends it.
    await writeIssue(config, { slug: 'brand-new', title: 'Brand new issue', date: await dateAfterStart(), body: 'Fresh **news**.' });
    const all = await waitForMails(3);
    const issueMail = all.find((m) => m.subject === 'Brand new issue');
    expect(issueMail).toBeDefined();
    expect(all.filter((m) => m.subject === 'Brand new issue')).toHaveLength(1);
    expect(all.some((m) => m.subject === 'From the archive')).toBe(false); // back catalogue: feeds only
    const headerLine = (key: string) => issueMail!.headerLines.find((h) => h.key === key)?.line ?? '';
    expect(headerLine('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(headerLine('list-unsubscribe')).toContain(`<${base}unsubscribe?token=`);

    // 5. Open the email, click its unsubscribe link, press the button.
    expect(typeof issueMail!.html).toBe('string');
    await page.setContent(issueMail!.html as string);
    await shot('04-issue-email');
    const link = page.locator(`a[href^="${base}unsubscribe?token="]`).first();
    await Promise.all([page.waitForURL(/\/unsubscribe\?token=/), link.click()]);
    expect(await page.locator('form#unsubscribe button').count()).toBe(1);
    await shot('05-unsubscribe-page');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('active');
    await Promise.all([page.waitForLoadState('load'), page.click('form#unsubscribe button')]);
    await page.waitForSelector('.status');
    expect(await page.textContent('.status')).toBe('unsubscribed');
    await shot('06-unsubscribed');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('unsubscribed');
  });
});
