// The scale-out proof: three `pressroom worker` processes share one campaign of 20,000 recipients
// in one PostgreSQL schema, sending to one loopback SMTP server. The campaign is created with
// `pressroom send --enqueue` (which sends nothing itself); one worker is killed with SIGKILL in
// the middle. At the server: every recipient has exactly one copy except at most maxConnections
// duplicates (messages the killed worker had handed over but not yet marked), all three workers
// sent part of the campaign (each connects with its own EHLO name), and the ledger agrees with
// the server, worker by worker.
import { rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSite, SLUG } from '../delivery/harness.js';
import { PG_BASE_URL, postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { execCli, startCli, type CliProcess } from '../support/cli.js';
import { preparePgWorkers } from '../support/pg-workers.js';
import { waitFor } from '../support/wait.js';

const available = await postgresAvailable();
const schemas = new SchemaPool();
const RECIPIENTS = 20_000;
const CONNECTIONS = 6; // per worker: the in-flight bound for a killed worker
// Long enough that a survivor on a loaded machine finishes each batch well within its lease; the
// victim's rows wait this long after the kill, while the survivors send the rest.
const LEASE_SECONDS = 15;
const BATCH = 150;
const WORKERS = ['w1', 'w2', 'w3'];
const VICTIM = 'w2';

const children: CliProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  if (available) await schemas.dropAll();
});

describe.skipIf(!available)('three workers, one PostgreSQL campaign, one SIGKILL', () => {
  it(`sends ${RECIPIENTS} recipients exactly once (within the in-flight bound) and the ledger agrees with the server`, async () => {
    const { dir } = makeSite();
    const schema = schemas.next();
    const databaseUrl = schemas.url(schema);
    const perHelo = new Map<string, number>();
    const server = await startTestSmtpServer({ onAccepted: ({ to, helo }) => perHelo.set(helo, (perHelo.get(helo) ?? 0) + to.length) });
    const db = new pg.Client({ connectionString: PG_BASE_URL });
    await db.connect();
    try {
      // The lease (15 s) must exceed the longest send, which the configuration checks: 6 s + 6 s.
      const { base, workerEnv, emails, imported } = await preparePgWorkers({
        dir,
        databaseUrl,
        smtp: { maxConnections: CONNECTIONS, batchSize: BATCH, leaseSeconds: LEASE_SECONDS },
        recipients: RECIPIENTS,
        secret: 'scale-secret-0123456789abcdef',
        smtpUrl: server.url,
        smtpTimeoutMs: 6000,
      });
      expect(imported).toBe(RECIPIENTS);
      const workers = new Map(WORKERS.map((id) => [id, startCli(['worker', '--no-watch'], { env: workerEnv(id), cwd: dir })]));
      children.push(...workers.values());
      const logs = () => [...workers].map(([id, w]) => `--- ${id}\n${w.output().slice(-3000)}`).join('\n');
      await waitFor(() => [...workers.values()].every((w) => w.output().includes('Worker schedule:')), { what: 'the workers to start', timeout: 30_000, describe: logs });

      // Enqueue from the CLI: it creates the campaign and returns; it never connects to the SMTP server.
      const enqueue = await execCli(['send', SLUG, '--enqueue'], { env: { ...base, PRESSROOM_DATA_DIR: path.join(dir, 'cli') }, cwd: dir });
      expect(enqueue.code, enqueue.output).toBe(0);
      expect(enqueue.output).toContain(`created campaign ${SLUG} for ${RECIPIENTS} recipients; workers will send it`);

      const q = (sql: string) => db.query(sql.replaceAll('$schema', `"${schema}"`));
      const sentBy = async () =>
        new Map(
          (
            await q(`SELECT worker_id, count(*) FILTER (WHERE state = 'sent')::int AS sent, count(*) FILTER (WHERE state = 'sending')::int AS sending
                    FROM $schema.deliveries WHERE worker_id IS NOT NULL GROUP BY worker_id`)
          ).rows.map((r) => [r.worker_id as string, r as { sent: number; sending: number }]),
        );

      // Kill one worker in the middle: all three have sent some, a quarter is done, and the victim holds
      // at least half a batch of claims, so it cannot drain them in the moment between check and kill.
      await waitFor(
        async () => {
          const by = await sentBy();
          const total = [...by.values()].reduce((n, r) => n + r.sent, 0);
          return WORKERS.every((id) => (by.get(id)?.sent ?? 0) > 0) && total >= RECIPIENTS / 4 && (by.get(VICTIM)?.sending ?? 0) >= BATCH / 2;
        },
        { what: 'all three workers to be sending', timeout: 60_000, describe: logs, interval: 20 },
      );
      workers.get(VICTIM)!.child.kill('SIGKILL');
      expect(await workers.get(VICTIM)!.exited).toBe(-1);
      const atKill = (await sentBy()).get(VICTIM)!;
      expect(atKill.sending).toBeGreaterThan(0); // left in flight: reclaimed after the lease
      const heldAtKill = (await q(`SELECT subscriber_id FROM $schema.deliveries WHERE worker_id = '${VICTIM}' AND state = 'sending'`)).rows.map((r) => r.subscriber_id as string);
      const sentAtKill = (await q(`SELECT count(*)::int AS n FROM $schema.deliveries WHERE state = 'sent'`)).rows[0].n as number;
      expect(sentAtKill).toBeLessThan(RECIPIENTS); // it really was in the middle

      // The two survivors finish, including the victim's rows once their lease has passed.
      await waitFor(async () => (await q(`SELECT finished_at FROM $schema.campaigns WHERE slug = '${SLUG}'`)).rows[0]?.finished_at != null, {
        what: 'the campaign to finish',
        timeout: 60_000,
        describe: logs,
        interval: 200,
      });

      // `pressroom status` shows the campaign and each worker's share.
      const status = await execCli(['status', SLUG], { env: { ...base, PRESSROOM_DATA_DIR: path.join(dir, 'cli') }, cwd: dir });
      expect(status.code, status.output).toBe(0);
      const ledgerBy = await sentBy();
      expect(status.output).toContain(`${SLUG}: recipients ${RECIPIENTS}, queued 0, sending 0, sent ${RECIPIENTS}, retrying 0, failed 0`);
      for (const id of WORKERS) expect(status.output).toContain(`  worker ${id}: sent ${ledgerBy.get(id)!.sent}, sending 0`);

      for (const id of WORKERS.filter((w) => w !== VICTIM)) {
        const w = workers.get(id)!;
        w.child.kill('SIGTERM');
        expect(await w.exited, w.output()).toBe(0);
      }

      // The ledger: every row sent, once; the victim's in-flight rows were claimed a second time.
      const states = (await q(`SELECT state, count(*)::int AS n FROM $schema.deliveries GROUP BY state`)).rows;
      expect(states).toEqual([{ state: 'sent', n: RECIPIENTS }]);
      const reclaimed = await q(`SELECT worker_id, attempts FROM $schema.deliveries WHERE subscriber_id IN (${heldAtKill.join(',')})`);
      expect(reclaimed.rows).toHaveLength(heldAtKill.length);
      for (const r of reclaimed.rows) {
        expect(r.worker_id).not.toBe(VICTIM); // sent by a survivor after the lease
        expect(r.attempts).toBeGreaterThanOrEqual(2);
      }

      // The server: one copy each, except at most CONNECTIONS duplicates, all from the kill.
      for (const e of emails) expect(server.countFor(e), e).toBeGreaterThanOrEqual(1);
      const dups = server.duplicates();
      expect(dups.length).toBeLessThanOrEqual(CONNECTIONS);
      for (const [, n] of dups) expect(n).toBe(2);
      expect(server.accepted()).toBe(RECIPIENTS + dups.length);

      // Worker by worker: only the three workers connected (the enqueue sent nothing), each sent a
      // part; survivors' server counts equal their ledger counts; the victim's server count exceeds
      // its ledger count by exactly the duplicates (accepted, then killed before marking them).
      expect([...perHelo.keys()].sort()).toEqual(WORKERS);
      for (const id of WORKERS) expect(perHelo.get(id)!).toBeGreaterThan(0);
      for (const id of WORKERS.filter((w) => w !== VICTIM)) expect(perHelo.get(id), id).toBe(ledgerBy.get(id)!.sent);
      expect(perHelo.get(VICTIM)! - ledgerBy.get(VICTIM)!.sent).toBe(dups.length);
      console.log(
        `scale proof: sent per worker (ledger) ${WORKERS.map((id) => `${id}=${ledgerBy.get(id)!.sent}`).join(' ')}; ` +
          `killed ${VICTIM} with ${atKill.sending} rows in flight after ${sentAtKill} sent; duplicates ${dups.length} (bound ${CONNECTIONS})`,
      );
    } finally {
      await db.end();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
