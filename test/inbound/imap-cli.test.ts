// `pressroom start` and `pressroom inbound` with inbound.imapUrl, as real processes against a real
// Dovecot: a DSN for a sent copy is read from the mailbox and bounces its subscriber, SIGTERM stops
// the poller with the rest (exit 0), a wrong password is one error line while the process runs
// on, and a mailbox without a bounce address is a one-line configuration error (exit 2).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { verpAddress, verpToken } from '../../src/email/verp.js';
import { openStore } from '../../src/storage/open.js';
import { runCli, siteEnv, startCli, type CliProcess } from '../support/cli.js';
import { describeWithDovecot, IMAP_PASSWORD, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { makeSite, type TestSite } from '../support/site.js';
import { dsn, statusOf } from './messages.js';

const BOUNCES = 'bounces@news.example.org';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A site whose one campaign was sent to `email`; returns the VERP address of that copy. */
async function sentSite(email: string): Promise<{ site: TestSite; returnPath: string }> {
  const site = makeSite();
  cleanup.push(() => rmSync(site.dir, { recursive: true, force: true }));
  // Polled often, so the test does not wait a minute (imapPollSeconds has no environment variable).
  const file = path.join(site.dir, 'pressroom.config.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), inbound: { imapPollSeconds: 0.5 } }));
  const store = await openStore(site.config);
  try {
    const subscriber = await store.addSubscriber({ email, status: 'active' });
    const { campaign } = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] });
    const rows = await store.claimBatch(campaign.id, 'w1', 10, 60_000, Date.now());
    await store.markSentMany(
      campaign.id,
      rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: '250 ok' })),
    );
    return { site, returnPath: verpAddress(BOUNCES, verpToken(site.config.secret!, { campaignId: campaign.id, subscriberId: subscriber.id })) };
  } finally {
    await store.close();
  }
}

describeWithDovecot('the bounce mailbox in the pressroom processes', () => {
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  function start(site: TestSite, args: string[], env: Record<string, string>): CliProcess {
    // The test server's certificate is self-signed: the process trusts it the way an operator would trust a private CA.
    const proc = startCli(args, { cwd: site.dir, env: { ...siteEnv(site, 'info'), NODE_EXTRA_CA_CERTS: dovecot.caFile, PRESSROOM_BOUNCE_ADDRESS: BOUNCES, ...env } });
    cleanup.push(() => proc.stop('SIGKILL'));
    return proc;
  }

  async function deliver(returnPath: string, email: string, mailbox: string): Promise<void> {
    await dovecot.session((imap) => imap.mailboxCreate(mailbox));
    const report = dsn({ id: `dsn-${mailbox}`, recipient: email, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' });
    await dovecot.append(Buffer.concat([Buffer.from(`Delivered-To: ${returnPath}\r\n`), report]), mailbox);
  }

  it('pressroom start polls the mailbox, bounces the subscriber of a DSN, and stops the poller on SIGTERM (exit 0)', async () => {
    const { site, returnPath } = await sentSite('reader@example.org');
    await deliver(returnPath, 'reader@example.org', 'start');
    const proc = start(site, ['start'], { PRESSROOM_PORT: '0', PRESSROOM_INBOUND_IMAP_URL: dovecot.url('imaps', { mailbox: 'start' }) });
    await proc.waitForOutput(new RegExp(`Polling the bounce mailbox imaps://bounces@127\\.0\\.0\\.1:${dovecot.tlsPort}/start every 0\\.5 s`));
    await proc.waitForOutput(/hard-bounce recorded/);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.output()).toMatch(/"msg":"stopped"/);
    expect(proc.output()).not.toContain(IMAP_PASSWORD);
    expect(await statusOf(site, 'reader@example.org')).toBe('bounced');
    expect((await dovecot.messages('start')).map((m) => m.flags)).toEqual([['$PressroomProcessed', '\\Seen']]);
  });

  it('pressroom inbound with only a mailbox polls it (over imap:// and STARTTLS) and runs no SMTP receiver', async () => {
    const { site, returnPath } = await sentSite('reader@example.org');
    await deliver(returnPath, 'reader@example.org', 'alone');
    const proc = start(site, ['inbound'], { PRESSROOM_INBOUND_IMAP_URL: dovecot.url('imap', { mailbox: 'alone' }) });
    await proc.waitForOutput(/Polling the bounce mailbox imap:\/\/bounces@127\.0\.0\.1:\d+\/alone every 0\.5 s/);
    await proc.waitForOutput(/hard-bounce recorded/);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.stdout()).not.toMatch(/SMTP receiver/);
    expect(await statusOf(site, 'reader@example.org')).toBe('bounced');
  });

  it('a mailbox without email.bounceAddress is a one-line configuration error, exit 2, before anything starts', async () => {
    const { site } = await sentSite('reader@example.org');
    const run = await runCli(site, ['start'], { env: { PRESSROOM_PORT: '0', PRESSROOM_INBOUND_IMAP_URL: dovecot.url('imaps') } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pressroom: email\.bounceAddress: the IMAP bounce-mailbox poller \(inbound\.imapUrl\) needs it .*\n$/);
    expect(run.stderr).not.toContain(IMAP_PASSWORD);
  });

  // Last: Dovecot slows down logins from an address after a refused one.
  it('a wrong password is one error line per poll, and pressroom start runs on until SIGTERM', async () => {
    const { site } = await sentSite('reader@example.org');
    const wrong = 'wrong-password-123';
    const proc = start(site, ['start'], { PRESSROOM_PORT: '0', PRESSROOM_INBOUND_IMAP_URL: dovecot.url('imaps', { password: wrong }) });
    await proc.waitForOutput(/bounce mailbox poll failed: login refused/);
    expect(proc.hasExited()).toBe(false);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.output()).not.toContain(wrong);
    expect(proc.output()).not.toMatch(/\n\s+at /); // no stack trace
  });
});
