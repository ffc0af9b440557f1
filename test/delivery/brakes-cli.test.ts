// `pressroom pause|resume|cancel` and what `status` and `send` say about a braked campaign, as child
// processes against a real loopback SMTP server and a real SQLite file.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { runCli, siteEnv, startCli, type CliRun } from '../support/cli.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';
import { makeSite, readLedger, SLUG } from './harness.js';

const RECIPIENTS = 6;
let site: ReturnType<typeof makeSite>;
let server: TestSmtpServer;

function pressroom(args: string[]): Promise<CliRun> {
  return runCli(site, args, { logLevel: 'warn', env: { SMTP_URL: server.url } });
}

beforeAll(async () => {
  site = makeSite();
  const store = await openStore(site.config);
  await store.importSubscribers(Array.from({ length: RECIPIENTS }, (_, i) => ({ email: `sub${i}@example.org`, status: 'active' as const })));
  await store.close();
  server = await startTestSmtpServer({ rcpt: (a) => (a === 'sub5@example.org' ? { code: 550, message: '5.1.1 user unknown' } : null) });
});

afterAll(async () => {
  await server?.close();
  if (site) rmSync(site.dir, { recursive: true, force: true });
});

describe('pressroom pause / resume / cancel', () => {
  it('pauses, refuses to send while paused (exit 1), resumes, sends; status shows state, counts and rates', async () => {
    expect((await pressroom(['pause', 'nope'])).stderr).toBe('pressroom: pause: no campaign "nope" (see pressroom status)\n');
    expect((await pressroom(['pause', 'nope'])).code).toBe(2);
    expect((await pressroom(['send', SLUG, '--enqueue'])).code).toBe(0);

    const pause = await pressroom(['pause', SLUG]);
    expect(pause).toMatchObject({ code: 0, stderr: '' });
    expect(pause.stdout).toContain(`paused ${SLUG}: workers finish the messages in flight and stop within 10 s; pressroom resume ${SLUG} continues it`);
    const twice = await pressroom(['pause', SLUG]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(new RegExp(`^pressroom: campaign ${SLUG} is already paused \\(since .+\\)\\n$`));
    expect((await pressroom(['status', SLUG])).stdout).toContain('  state paused; hard bounces 0 (0%), soft bounces 0 (0%), complaints 0 (0%), cancelled 0\n');

    const refused = await pressroom(['send', SLUG]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`${SLUG}: paused; 0 sent now, 0/${RECIPIENTS} sent in all; pressroom resume ${SLUG} continues it`);
    expect(server.accepted()).toBe(0);

    const resume = await pressroom(['resume', SLUG]);
    expect(resume).toMatchObject({ code: 0, stderr: '' });
    expect(resume.stdout).toContain(`resumed ${SLUG}: ${RECIPIENTS} left to send; running workers pick it up within 10 s (or pressroom send ${SLUG})`);
    expect((await pressroom(['resume', SLUG])).stderr).toBe(`pressroom: campaign ${SLUG} is not paused\n`);

    const send = await pressroom(['send', SLUG]);
    expect(send.stdout).toContain(`${SLUG}: finished; ${RECIPIENTS - 1} sent now`);
    const status = await pressroom(['status', SLUG]);
    expect(status.stdout).toContain(`  state finished; hard bounces 1 (16.67%), soft bounces 0 (0%), complaints 0 (0%), cancelled 0\n`);
    const cancel = await pressroom(['cancel', SLUG]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(new RegExp(`^pressroom: campaign ${SLUG} is finished \\(at .+\\); nothing to cancel\\n$`));
  });

  it('cancel before anything was sent: every row cancelled, visible in status; a cancelled campaign cannot be resumed', async () => {
    const store = await openStore(site.config);
    await store.createCampaign({ slug: 'other-campaign', title: 'Other', topics: [] });
    await store.close();
    const cancel = await pressroom(['cancel', 'other-campaign']);
    expect(cancel).toMatchObject({ code: 0, stderr: '' });
    expect(cancel.stdout).toBe(`cancelled other-campaign: ${RECIPIENTS - 1} unsent messages will not be sent, 0 were; the campaign is finished\n`);
    const status = await pressroom(['status', 'other-campaign']);
    expect(status.stdout).toContain('other-campaign: recipients 5, queued 0, sending 0, sent 0');
    expect(status.stdout).toContain(`  state cancelled; hard bounces 0 (0%), soft bounces 0 (0%), complaints 0 (0%), cancelled ${RECIPIENTS - 1}\n`);
    const ledger = await readLedger(site.config, 'other-campaign');
    expect(new Set([...ledger.values()].map((r) => r.state))).toEqual(new Set(['cancelled']));
    expect((await pressroom(['resume', 'other-campaign'])).code).toBe(1);
  });

  it('a running send stops within a poll when another process pauses the campaign, exits 1, and after resume each recipient has one copy', async () => {
    const slug = 'long-send';
    const first = readFileSync(path.join(site.dir, 'issues', `${SLUG}.md`), 'utf8');
    writeFileSync(path.join(site.dir, 'issues', `${slug}.md`), first.replace(`slug: ${SLUG}`, `slug: ${slug}`));
    const late = Array.from({ length: 200 }, (_, i) => `late${i}@example.org`);
    const store = await openStore(site.config);
    await store.importSubscribers(late.map((email) => ({ email, status: 'active' as const })));
    await store.close();
    const before = server.accepted();
    // Slow enough to be paused in the middle, whatever the machine's load: once 30 are in, about 7 s
    // would remain (175 messages over 5 connections at 200 ms), and the pause lands within a poll (1 s).
    server.faults.replyDelayMs = () => (server.accepted() - before >= 30 ? 200 : 10);
    try {
      const env = { ...siteEnv(site, 'warn'), SMTP_URL: server.url, PRESSROOM_POLL_SECONDS: '1' };
      const send = startCli(['send', slug], { cwd: site.dir, env });
      await waitFor(() => server.accepted() - before >= 30, { what: 'the send to be under way', alive: send, timeout: 30_000 });
      const pause = await pressroom(['pause', slug]);
      expect(pause.code, pause.stderr).toBe(0);
      expect(await send.exited, send.output()).toBe(1);
      expect(send.stdout()).toMatch(new RegExp(`^${slug}: paused; \\d+ sent now, \\d+/205 sent in all; pressroom resume ${slug} continues it`, 'm'));
      const atPause = server.accepted() - before;
      expect(atPause).toBeLessThan(205);
      const ledger = await readLedger(site.config, slug);
      expect([...ledger.values()].filter((r) => r.state === 'sent').length).toBe(atPause);
      expect([...ledger.values()].filter((r) => r.state === 'sending').length).toBe(0);

      expect((await pressroom(['resume', slug])).code).toBe(0);
      const rest = await pressroom(['send', slug]);
      expect(rest.code, rest.stderr).toBe(0);
      expect(rest.stdout).toContain(`${slug}: finished; ${205 - atPause} sent now, 205/205 sent in all`);
    } finally {
      server.faults.replyDelayMs = undefined;
    }
    for (const email of late) expect(server.countFor(email), email).toBe(1);
    expect(server.accepted() - before).toBe(205);
  });
});
