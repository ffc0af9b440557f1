// The whole service in real headless Chromium: open the archive, subscribe through its form,
// read the confirm email from a real loopback SMTP server, fetch its link as a mail scanner would
// (nothing changes), open it, press the button, see the subscriber active and get the welcome,
// drop a new issue file, let the worker (1-second cron + watcher) send it, open the issue email,
// click its unsubscribe link, press the button, see `unsubscribed`. Then a page on another
// origin tries to change someone's preferences through their browser, and is refused.
// Screenshots go to test-artifacts/e2e/. Without /usr/bin/chromium the suite is skipped locally,
// and fails when CI=true.
import { mkdirSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithChromium, launchChromium } from '../support/chromium.js';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { signToken } from '../../src/email/tokens.js';
import { silentLogger } from '../../src/logging.js';
import { startService, type RunningService } from '../../src/server/service.js';
import { dateAfterStart, isoFromNow, linkIn, writeIssue } from '../server/harness.js';
import { projectRoot } from '../support/paths.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';
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

  const mails = async (): Promise<ParsedMail[]> => Promise.all(smtp.messages.filter((m) => m.to.includes(READER)).map((m) => simpleParser(m.raw)));
  const waitForMails = async (count: number): Promise<ParsedMail[]> => {
    let got: ParsedMail[] = [];
    await waitFor(
      async () => {
        got = await mails();
        return got.length >= count;
      },
      { what: `${count} messages for ${READER}`, timeout: 30_000, interval: 100, describe: () => `got ${got.length}` },
    );
    return got;
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

    // 3. The confirm email over SMTP. A mail scanner fetching its link (GET, HEAD) changes
    // nothing; opening it shows one button; pressing it confirms and the welcome email arrives.
    const [confirm] = await waitForMails(1);
    const confirmLink = linkIn(confirm!, `${base}confirm?token=`);
    for (const method of ['GET', 'HEAD']) {
      const scanned = await fetch(confirmLink, { method });
      expect(scanned.status, method).toBe(200);
      expect((await service.store.findSubscriberByEmail(READER))!.status, method).toBe('pending');
    }
    await page.goto(confirmLink);
    expect(await page.textContent('h1')).toBe('Confirm your subscription');
    expect(await page.locator('form#confirm button').count()).toBe(1);
    await shot('03-confirm-page');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('pending');
    await Promise.all([page.waitForLoadState('load'), page.click('form#confirm button')]);
    await page.locator('h1', { hasText: "You're subscribed" }).waitFor();
    expect(await page.textContent('main')).toContain("You're subscribed to");
    await shot('03-confirmed');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('active');
    const [, welcome] = await waitForMails(2); // the welcome email, once
    expect(welcome!.subject).not.toBe(confirm!.subject);
    expect(await mails()).toHaveLength(2);

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
    await page.waitForSelector('form#resubscribe');
    expect(await page.textContent('.state')).toContain("You've unsubscribed from");
    await shot('06-unsubscribed');
    expect((await service.store.findSubscriberByEmail(READER))!.status).toBe('unsubscribed');
  });

  it('refuses a preferences change another site makes the browser send; our own form saves', async () => {
    const s = await service.store.addSubscriber({ email: 'victim@example.org', status: 'active', topics: ['keep'] });
    const prefs = `${base}preferences?token=${signToken(config.secret!, s.id, 'preferences')}`;
    // Another origin (localhost is another site than 127.0.0.1) with a form that posts itself.
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><form method="post" action="${prefs}"><input name="topics" value="spam"></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
      const [answer] = await Promise.all([page.waitForResponse((r) => r.url() === prefs && r.request().method() === 'POST'), page.goto(evilUrl)]);
      expect(answer.status()).toBe(403);
      await page.waitForURL(prefs);
      expect(await page.textContent('main')).toContain('sent from another site');
      await shot('07-cross-site-refused');
      expect((await service.store.getSubscriber(s.id))!.topics).toEqual(['keep']);
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
    // The subscriber's own page: untick, save.
    await page.goto(prefs);
    await page.uncheck('form#preferences input[value="keep"]');
    await Promise.all([page.waitForLoadState('load'), page.click('form#preferences button')]);
    expect(await page.textContent('h1')).toBe('Preferences saved');
    expect((await service.store.getSubscriber(s.id))!.topics).toEqual([]);
  });
});
