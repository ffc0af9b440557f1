// `pressroom pause|resume|cancel` and what `status` and `send` say about a braked campaign, as child
// processes against a real loopback SMTP server and a real SQLite file.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { runCli, type CliRun } from '../support/cli.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
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
});
