// `pressroom send SLUG --newcomers` end to end, as child processes against a real loopback SMTP
// server and a real SQLite file: the subscribers who joined after the campaign's snapshot get the
// issue exactly once; a second run adds nobody; nobody already mailed is mailed again. The issue's
// send_at is long past (far more than email.maxLatenessHours): an operator's `send` still sends it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { runCli, type CliRun } from '../support/cli.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { makeSite, SLUG } from './harness.js';

let site: ReturnType<typeof makeSite>;
let server: TestSmtpServer;

function pressroom(args: string[]): Promise<CliRun> {
  return runCli(site, args, { logLevel: 'warn', env: { SMTP_URL: server.url } });
}

async function addSubscribers(rows: Array<{ email: string; status?: 'active' | 'pending'; topics?: string[] }>): Promise<void> {
  const store = await openStore(site.config);
  try {
    await store.importSubscribers(rows.map((r) => ({ status: 'active' as const, ...r })));
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  site = makeSite();
  const file = path.join(site.dir, 'issues', `${SLUG}.md`);
  writeFileSync(file, readFileSync(file, 'utf8').replace('date: 2024-05-01T09:00:00+08:00', 'date: 2024-05-01T09:00:00+08:00\nsend_at: 2024-05-02T07:00:00+08:00'));
  await addSubscribers([{ email: 'first0@example.org' }, { email: 'first1@example.org' }, { email: 'first2@example.org' }]);
  server = await startTestSmtpServer();
});

afterAll(async () => {
  await server?.close();
  if (site) rmSync(site.dir, { recursive: true, force: true });
});

describe('pressroom send --newcomers', () => {
  it('needs a campaign, mails only who joined after the snapshot, exactly once', async () => {
    const early = await pressroom(['send', SLUG, '--newcomers']);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain(`send --newcomers: no campaign "${SLUG}" yet; pressroom send ${SLUG} creates it and mails everyone`);
    expect(server.accepted()).toBe(0);

    const first = await pressroom(['send', SLUG]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${SLUG}: finished; 3 sent now, 3/3 sent in all`);

    // After the snapshot: two join, one is still pending, one wants only another topic.
    await addSubscribers([
      { email: 'late0@example.org' },
      { email: 'late1@example.org', topics: ['News'] },
      { email: 'waiting@example.org', status: 'pending' },
      { email: 'elsewhere@example.org', topics: ['other'] },
    ]);
    const newcomers = await pressroom(['send', SLUG, '--newcomers']);
    expect(newcomers.code, newcomers.stderr).toBe(0);
    expect(newcomers.stdout).toContain(`campaign ${SLUG}: added 2 newcomers (5 recipients in all); sending to them`);
    expect(newcomers.stdout).toContain(`${SLUG}: finished; 2 sent now, 5/5 sent in all`);
    for (const email of ['first0', 'first1', 'first2', 'late0', 'late1']) expect(server.countFor(`${email}@example.org`), email).toBe(1);
    for (const email of ['waiting', 'elsewhere']) expect(server.countFor(`${email}@example.org`), email).toBe(0);

    const again = await pressroom(['send', SLUG, '--newcomers']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`campaign ${SLUG}: no newcomers (every matching active subscriber already has a row in its ledger); nothing sent`);
    expect(server.accepted()).toBe(5);
    expect(server.duplicates()).toEqual([]);

    const status = await pressroom(['status', SLUG]);
    expect(status.stdout).toMatch(new RegExp(`${SLUG}: recipients 5, queued 0, sending 0, sent 5,`));

    const both = await pressroom(['send', SLUG, '--newcomers', '--dry-run']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('send: --test, --dry-run, --enqueue and --newcomers exclude each other');
  });
});
