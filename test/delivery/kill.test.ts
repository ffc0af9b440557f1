// The crash test: `pressroom send` in a child process is killed with SIGKILL at random points,
// restarted each time, until it finishes. The SMTP server then must hold exactly one copy per
// recipient, except for messages in flight at a kill: at most maxConnections per kill.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { startCli, type CliProcess } from '../support/cli.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { makeSite, readLedger, SLUG } from './harness.js';

const CLI = process.env.KILL_TEST_CLI; // another build's entry; by default the one in support/paths.ts
const RECIPIENTS = 3000;
const MAX_CONNECTIONS = 4;
const KILLS = 5;

const children = new Set<CliProcess>();
afterAll(() => {
  for (const c of children) c.child.kill('SIGKILL');
});

/** Seeded so a failure can be replayed: KILL_TEST_SEED=<n>. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('pressroom send under kill -9', () => {
  it('resumes after every SIGKILL; each recipient ends with one copy, duplicates bounded by maxConnections per kill', async () => {
    const seed = Number(process.env.KILL_TEST_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    const { dir, config } = makeSite();
    const configFile = path.join(dir, 'pressroom.config.json');
    const fileConfig = JSON.parse(readFileSync(configFile, 'utf8'));
    fileConfig.smtp = { maxConnections: MAX_CONNECTIONS, batchSize: 200 };
    writeFileSync(configFile, JSON.stringify(fileConfig));

    const store = await openStore(config);
    await store.importSubscribers(Array.from({ length: RECIPIENTS }, (_, i) => ({ email: `sub${i}@example.org`, status: 'active' as const })));
    await store.close();

    const server = await startTestSmtpServer();
    const env = {
      SMTP_URL: server.url,
      PRESSROOM_CONFIG: configFile,
      PRESSROOM_DATA_DIR: config.dataDir,
      PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
      PRESSROOM_LOG_LEVEL: 'warn',
      PRESSROOM_WORKER_ID: '',
    };
    const run = () => {
      const cli = startCli(['send', SLUG], { cwd: dir, env, cli: CLI });
      children.add(cli);
      const exited = cli.exited.then((code) => {
        children.delete(cli);
        return { code, signal: cli.child.signalCode, output: cli.output() };
      });
      return { child: cli.child, exited };
    };

    const killedAt: number[] = [];
    const phases: string[] = [];
    const t0 = performance.now();
    try {
      for (let k = 0; k < KILLS; k++) {
        const before = server.accepted();
        // Kill after a random number of further accepted messages (0..400), or at a random early
        // moment for the first kill (possibly before anything was claimed).
        const target = k === 0 ? 0 : 1 + Math.floor(random() * 400);
        const { child, exited } = run();
        const deadline = Date.now() + 20_000;
        while (server.accepted() - before < target && Date.now() < deadline && child.exitCode === null) {
          await new Promise((r) => setTimeout(r, 2));
        }
        if (k === 0) await new Promise((r) => setTimeout(r, 200 + random() * 600));
        if (child.exitCode !== null) break; // finished before we could kill it
        child.kill('SIGKILL');
        const { signal } = await exited;
        expect(signal).toBe('SIGKILL');
        killedAt.push(server.accepted());
        phases.push(`kill ${k + 1} at ${Math.round(performance.now() - t0)} ms`);
      }
      const final = await run().exited;
      phases.push(`finished at ${Math.round(performance.now() - t0)} ms`);
      expect(final.output).toMatch(/finished/);
      expect(final.code).toBe(0);
    } finally {
      await server.close();
    }

    const kills = killedAt.length;
    console.log(`kill test seed ${seed}: killed at ${killedAt.join(', ')} accepted; total accepted ${server.accepted()}; ${phases.join(', ')}`);
    expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(3);
    // Most kills hit the middle of the send, not only before or after it.
    expect(killedAt.filter((n) => n > 0 && n < RECIPIENTS).length, `seed ${seed}`).toBeGreaterThanOrEqual(3);

    const ledger = await readLedger(config);
    expect([...ledger.values()].filter((r) => r.state === 'sent').length).toBe(RECIPIENTS);
    let extra = 0;
    const missing: string[] = [];
    for (let i = 0; i < RECIPIENTS; i++) {
      const n = server.countFor(`sub${i}@example.org`);
      if (n === 0) missing.push(`sub${i}@example.org`);
      extra += Math.max(0, n - 1);
    }
    expect(missing, `seed ${seed}`).toEqual([]);
    expect(extra, `seed ${seed}: ${extra} duplicates over ${kills} kills`).toBeLessThanOrEqual(kills * MAX_CONNECTIONS);
    expect(server.accepted()).toBe(RECIPIENTS + extra);
  }, 120_000);
});
