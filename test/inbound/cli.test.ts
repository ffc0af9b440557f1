// `pressroom inbound` and `pressroom start` with inbound.port, as real processes: a bounce over
// SMTP is recorded, SIGTERM stops them cleanly (exit 0), and a missing bounce address or secret
// is a one-line configuration error (exit 2) before anything listens.
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { runCli, siteEnv, startCli, type CliProcess } from '../support/cli.js';
import { makeSite, type TestSite } from '../support/site.js';
import { verpAddress, verpToken } from '../../src/email/verp.js';
import { fixture, statusOf } from './messages.js';

const BOUNCES = 'bounces@news.example.org';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A site whose one subscriber was sent a campaign; `verp`: that copy's VERP return path, where its bounce comes back. */
async function siteWith(email: string): Promise<TestSite & { verp: string }> {
  const site = makeSite();
  cleanup.push(() => rmSync(site.dir, { recursive: true, force: true }));
  const store = await openStore(site.config);
  const subscriber = await store.addSubscriber({ email, status: 'active' });
  const { campaign } = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] });
  await store.claimBatch(campaign.id, 'w', 10, 60_000);
  await store.markSent(campaign.id, subscriber.id, { smtpCode: 250, smtpResponse: '250 ok' });
  await store.close();
  return { ...site, verp: verpAddress(BOUNCES, verpToken(site.config.secret!, { campaignId: campaign.id, subscriberId: subscriber.id })) };
}

function start(site: TestSite, args: string[], env: Record<string, string>): CliProcess {
  const proc = startCli(args, { cwd: site.dir, env: { ...siteEnv(site, 'info'), PRESSROOM_BOUNCE_ADDRESS: BOUNCES, PRESSROOM_INBOUND_PORT: '0', ...env } });
  cleanup.push(() => proc.stop('SIGKILL'));
  return proc;
}

async function deliverExim(port: number, to: string): Promise<void> {
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await client.sendMail({ envelope: { from: '', to: [to] }, raw: fixture('exim-hard.eml') });
  } finally {
    client.close();
  }
}

describe('pressroom inbound', () => {
  it('accepts a bounce over SMTP, records it, and exits 0 on SIGTERM', async () => {
    const site = await siteWith('sub7@example.org'); // the Exim sample's failed recipient
    const proc = start(site, ['inbound'], {});
    await proc.waitForOutput(/Pressroom inbound SMTP receiver on 127\.0\.0\.1:\d+, for @news\.example\.org/);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(proc.stdout())![1]);
    await deliverExim(port, site.verp);
    await proc.waitForOutput(/hard-bounce recorded/);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.output()).toMatch(/"msg":"stopped"/);
    expect(await statusOf(site, 'sub7@example.org')).toBe('bounced');
  });

  it('refuses to start without email.bounceAddress, or without a secret the senders used: one line, exit 2', async () => {
    const site = await siteWith('a@example.org');
    const noBounce = await runCli(site, ['inbound'], { env: { PRESSROOM_INBOUND_PORT: '0' } });
    expect(noBounce.code).toBe(2);
    expect(noBounce.stderr).toMatch(/^pressroom: email\.bounceAddress: the inbound receiver needs it .*\n$/);

    writeFileSync(path.join(site.dir, 'pressroom.config.json'), JSON.stringify({ email: { fromAddress: 'news@example.org' } }));
    const noSecret = await runCli(site, ['inbound'], { env: { PRESSROOM_INBOUND_PORT: '0', PRESSROOM_BOUNCE_ADDRESS: BOUNCES } });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/^pressroom: secret: the inbound receiver needs the secret the senders sign VERP tokens with .*\n$/);
  });

  it('a port already in use is a one-line configuration error (exit 2)', async () => {
    const site = await siteWith('a@example.org');
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => holder.close(resolve)));
    const { port } = holder.address() as AddressInfo;
    const run = await runCli(site, ['inbound'], { env: { PRESSROOM_INBOUND_PORT: String(port), PRESSROOM_BOUNCE_ADDRESS: BOUNCES } });
    expect(run).toMatchObject({ code: 2, stderr: `pressroom: inbound.port: 127.0.0.1:${port} is already in use (choose another with PRESSROOM_INBOUND_PORT)\n` });
  });
});

describe('pressroom start with inbound.port', () => {
  it('runs the receiver beside the HTTP server, records a bounce, and stops both on SIGTERM', async () => {
    const site = await siteWith('sub7@example.org');
    const proc = start(site, ['start', '--port', '0'], { SMTP_URL: 'outbox:' });
    await proc.waitForOutput(/Inbound SMTP receiver on 127\.0\.0\.1:\d+/);
    const port = Number(/Inbound SMTP receiver on 127\.0\.0\.1:(\d+)/.exec(proc.stdout())![1]);
    await deliverExim(port, site.verp);
    await proc.waitForOutput(/hard-bounce recorded/);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(await statusOf(site, 'sub7@example.org')).toBe('bounced');
  });

  it('refuses to start without email.bounceAddress when inbound.port is set (exit 2, one line)', async () => {
    const site = await siteWith('a@example.org');
    const run = await runCli(site, ['start', '--port', '0'], { env: { PRESSROOM_INBOUND_PORT: '0', SMTP_URL: 'outbox:' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pressroom: email\.bounceAddress: the inbound receiver needs it .*\n$/);
  });
});
