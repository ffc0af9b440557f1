// SIGTERM in the middle of a send: `node bin/pressroom.js start` as a child process, a slow
// loopback SMTP server, and a campaign of 60. After the signal the process exits 0 having
// finished or released every message in flight (no `sending` rows left, the ledger agrees with
// the server); a restart resumes and finishes with exactly one copy per reader.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { openStore } from '../../src/storage/open.js';
import { WATERMARK_KEY } from '../../src/worker/state.js';
import { isoFromNow, writeIssue } from '../server/harness.js';
import { startCli, type CliProcess, type EnvOverrides } from '../support/cli.js';
import { projectRoot } from '../support/paths.js';
import { waitFor } from '../support/wait.js';

const READERS = 60;
const DELAY_MS = 120;

interface SlowSmtp {
  url: string;
  counts: Map<string, number>;
  accepted(): number;
  close(): Promise<void>;
}

/** Accepts every message, each after DELAY_MS, so a campaign takes a few seconds. */
async function startSlowSmtp(): Promise<SlowSmtp> {
  const counts = new Map<string, number>();
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onData(stream, session, cb) {
      stream.on('data', () => {});
      stream.on('end', () => {
        setTimeout(() => {
          for (const r of session.envelope.rcptTo) {
            const a = r.address.toLowerCase();
            counts.set(a, (counts.get(a) ?? 0) + 1);
            accepted += 1;
          }
          cb(null, 'Ok');
        }, DELAY_MS);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, counts, accepted: () => accepted, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('SIGTERM during a send', () => {
  let root: string;
  let config: Config;
  let smtp: SlowSmtp;
  let env: EnvOverrides;
  const emails = Array.from({ length: READERS }, (_, i) => `r${i}@example.org`);

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-sigterm-'));
    smtp = await startSlowSmtp();
    config = defaultConfig(root);
    await mkdir(config.issuesDir, { recursive: true });
    const configFile = path.join(root, 'pressroom.config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        site: { url: 'http://news.test/', title: 'Signal Weekly' },
        email: { fromAddress: 'news@news.test', postalAddress: '1 Test Street', templatesDir: path.join(projectRoot, 'emails') },
        smtp: { maxConnections: 2, batchSize: 10 },
      }),
    );
    // Subscribers and a watermark from an earlier start, so the issue below is due at once.
    const store = await openStore(config);
    await store.importSubscribers(emails.map((email) => ({ email, status: 'active' as const })));
    await store.setSetting(WATERMARK_KEY, String(Date.now() - 86_400_000));
    await store.close();
    await writeIssue(config, { slug: 'signal', title: 'Signal issue', date: isoFromNow(-3_600_000) });
    env = {
      PRESSROOM_CONFIG: configFile,
      PRESSROOM_ISSUES_DIR: config.issuesDir,
      PRESSROOM_OUT_DIR: config.outDir,
      PRESSROOM_DATA_DIR: config.dataDir,
      PRESSROOM_PORT: '0',
      PRESSROOM_SECRET: 'sigterm-secret-0123456789abcdef',
      SMTP_URL: smtp.url,
      PRESSROOM_LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    await smtp?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('finishes or releases in-flight sends, exits 0, and a restart sends the rest exactly once', async () => {
    const first = startChild(env, root);
    await waitWhileRunning(() => smtp.accepted() >= 10, first);
    first.child.kill('SIGTERM');
    const code = await first.exited;
    expect(code, first.output()).toBe(0);
    expect(first.output()).toContain('shutting down');
    expect(first.output()).toContain('"msg":"stopped"');

    const acceptedAtStop = smtp.accepted();
    expect(acceptedAtStop).toBeLessThan(READERS); // it really stopped in the middle
    const store = await openStore(config);
    try {
      const campaign = (await store.getCampaign('signal'))!;
      const stats = await store.campaignStats(campaign.id);
      expect(stats.sending).toBe(0); // nothing left claimed
      expect(stats.sent).toBe(acceptedAtStop); // the ledger agrees with the server
      expect(stats.sent + stats.queued).toBe(READERS);
      expect(stats.finishedAt).toBeNull();
    } finally {
      await store.close();
    }

    const second = startChild(env, root);
    await waitWhileRunning(() => smtp.accepted() >= READERS, second);
    // Let the worker record the outcome, then stop it the same way.
    const store2 = await openStore(config);
    try {
      await waitWhileRunning(async () => (await store2.campaignStats((await store2.getCampaign('signal'))!.id)).finishedAt !== null, second);
    } finally {
      await store2.close();
    }
    second.child.kill('SIGTERM');
    expect(await second.exited, second.output()).toBe(0);
    expect(smtp.accepted()).toBe(READERS);
    for (const email of emails) expect(smtp.counts.get(email), email).toBe(1);
  });
});

function startChild(env: EnvOverrides, cwd: string): CliProcess {
  return startCli(['start'], { env, cwd });
}

/** Waits while `proc` runs; a process that never gets there is killed. */
async function waitWhileRunning(check: () => boolean | Promise<boolean>, proc: CliProcess, timeout = 40_000): Promise<void> {
  try {
    await waitFor(check, { what: 'the condition', timeout, interval: 25, alive: proc });
  } catch (error) {
    await proc.stop('SIGKILL');
    throw error;
  }
}
