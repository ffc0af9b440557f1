// The operator commands end to end: `pressroom send|status|retry` as child processes against a real
// loopback SMTP server and a real SQLite file.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { runCli, siteEnv, startCli, type CliRun, type EnvOverrides } from '../support/cli.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';
import { makeSite, readLedger, SLUG } from './harness.js';

let site: ReturnType<typeof makeSite>;
let server: TestSmtpServer;
let down = true; // sub3 and sub4 are refused with 451 while true

function pressroom(args: string[], extraEnv: EnvOverrides = {}): Promise<CliRun> {
  return runCli(site, args, { logLevel: 'warn', env: { SMTP_URL: server.url, ...extraEnv } });
}

beforeAll(async () => {
  site = makeSite();
  const store = await openStore(site.config);
  await store.importSubscribers([
    ...Array.from({ length: 8 }, (_, i) => ({ email: `sub${i}@example.org`, status: 'active' as const, topics: i === 7 ? ['other'] : [] })),
    { email: 'gone@example.org', status: 'active' as const },
    { email: 'pending@example.org', status: 'pending' as const },
  ]);
  await store.close();
  server = await startTestSmtpServer({
    rcpt: (a) => (a === 'gone@example.org' ? { code: 550 } : down && /^sub[34]@/.test(a) ? { code: 451 } : null),
  });
});

afterAll(async () => {
  await server?.close();
  if (site) rmSync(site.dir, { recursive: true, force: true });
});

describe('pressroom send / status / retry', () => {
  it('walks through dry run, test send, send with failures, status, a second send, retry', async () => {
    // --dry-run: active subscribers whose topics match (sub7 wants only "other"; pending is out).
    const dry = await pressroom(['send', SLUG, '--dry-run']);
    expect(dry.stdout).toContain(`${SLUG} would go to 8 subscribers (dry run: no campaign created)`);
    expect(dry.code).toBe(0);
    expect((await pressroom(['status'])).stdout).toContain('no campaigns yet');

    // --test: one message to the given address, nothing in the ledger.
    const test = await pressroom(['send', SLUG, '--test', 'editor@example.org']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/sent a test of delivery-test-issue to editor@example.org via SMTP smtp:\/\/127\.0\.0\.1:\d+.*: 250 /);
    expect(server.countFor('editor@example.org')).toBe(1);
    expect((await pressroom(['status'])).stdout).toContain('no campaigns yet');

    // send, with maxAttempts 5 and retries far in the future we cannot wait for: use a config
    // with one attempt so the 451s end as temporary failures at once.
    const send = await pressroom(['send', SLUG], { PRESSROOM_CONFIG: await oneAttemptConfig() });
    expect(send.code).toBe(1); // some rows failed
    expect(send.stdout).toMatch(/delivery-test-issue: finished; 5 sent now, 5\/8 sent in all, 3 failed \(1 bounced\)/);
    expect(send.stdout).toContain('pressroom retry delivery-test-issue');
    for (const i of [0, 1, 2, 5, 6]) expect(server.countFor(`sub${i}@example.org`)).toBe(1);
    expect(server.countFor('sub7@example.org')).toBe(0);
    expect(server.countFor('gone@example.org')).toBe(0);

    const status = await pressroom(['status', SLUG]);
    expect(status.stdout).toMatch(/delivery-test-issue: recipients 8, queued 0, sending 0, sent 5, retrying 0, failed 3, bounced 1, unknown 0, started \S+Z, finished \S+Z/);
    expect(status.stdout).toMatch(/worker send@\S+: sent 5, sending 0/);

    // A second send of the finished campaign sends nothing and says so; nothing is wrong: exit 0.
    const again = await pressroom(['send', SLUG]);
    expect(again.stdout).toMatch(/campaign delivery-test-issue finished at .*: 5 sent, 3 failed \(1 bounced\); nothing left to send/);
    expect(again.code).toBe(0);
    expect(server.accepted()).toBe(1 + 5);

    // retry: the two temporary failures go out again, the bounced one does not.
    down = false;
    const retry = await pressroom(['retry', SLUG]);
    expect(retry.stdout).toContain('re-queued 2 temporary failures of delivery-test-issue');
    expect(retry.stdout).toMatch(/finished; 2 sent now, 7\/8 sent in all, 1 failed \(1 bounced\)/);
    expect(retry.code).toBe(1); // the bounce is still a failed row
    expect(server.countFor('sub3@example.org')).toBe(1);
    expect(server.countFor('sub4@example.org')).toBe(1);
    expect(server.countFor('gone@example.org')).toBe(0);
    const ledger = await readLedger(site.config);
    expect(ledger.get('gone@example.org')).toMatchObject({ state: 'failed', smtpCode: 550, bounced: true });
    expect(server.accepted()).toBe(1 + 7);
  }, 120_000);

  it('SIGTERM stops gracefully (in-flight finished, unsent claims given back) and send resumes', async () => {
    const store = await openStore(site.config);
    await store.importSubscribers(Array.from({ length: 1500 }, (_, i) => ({ email: `bulk${i}@example.org`, status: 'active' as const, topics: ['news'] })));
    await store.close();
    const other = path.join(site.dir, 'issues', 'second.md');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(other, '---\ntitle: Second\nslug: second\ndate: 2024-06-01T09:00:00Z\ntags: [news]\n---\n\nSecond issue.\n');
    const send = startCli(['send', 'second'], { cwd: site.dir, env: { ...siteEnv(site, 'warn'), SMTP_URL: server.url } });
    const before = server.accepted();
    await waitFor(() => server.accepted() - before >= 100, { what: '100 messages accepted', timeout: 100_000, interval: 5, alive: send });
    send.child.kill('SIGTERM');
    expect(await send.exited).toBe(1);
    expect(send.output()).toMatch(/second: stopped \(run send again to resume\); \d+ sent now/);
    const stopped = await readLedger(site.config, 'second');
    const states = [...stopped.values()].map((r) => r.state);
    expect(states.filter((s) => s === 'sending')).toEqual([]);
    const sentFirst = states.filter((s) => s === 'sent').length;
    expect(sentFirst).toBeGreaterThanOrEqual(100);
    expect(sentFirst).toBeLessThan(stopped.size);

    const resumed = await pressroom(['send', 'second']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`second: finished; ${stopped.size - sentFirst} sent now`);
    const ledger = await readLedger(site.config, 'second');
    for (const email of ledger.keys()) expect(server.countFor(email), email).toBe(email.startsWith('bulk') ? 1 : 2);
  }, 120_000);

  it('usage errors exit 2; without SMTP_URL the outbox is used; --enqueue only creates', async () => {
    const missing = await pressroom(['send', 'no-such-issue']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no valid issue with slug "no-such-issue"/);
    const both = await pressroom(['send', SLUG, '--dry-run', '--enqueue']);
    expect(both.code).toBe(2);

    const outboxTest = await pressroom(['send', SLUG, '--test', 'me@example.org'], { SMTP_URL: undefined });
    expect(outboxTest.code).toBe(0);
    const dir = path.join(site.config.dataDir, 'outbox', 'test');
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    expect(outboxTest.stderr).toMatch(/SMTP_URL is not set/);

    const enq = await pressroom(['send', SLUG, '--enqueue']);
    expect(enq.stdout).toMatch(/campaign delivery-test-issue already exists \(8 recipients\); nothing changed/);
  }, 120_000);
});

async function oneAttemptConfig(): Promise<string> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const file = path.join(site.dir, 'pressroom.one-attempt.json');
  const json = JSON.parse(readFileSync(path.join(site.dir, 'pressroom.config.json'), 'utf8'));
  json.smtp = { maxAttempts: 1 };
  writeFileSync(file, JSON.stringify(json));
  return file;
}
