// The brakes across processes: three `pressroom worker` processes share a campaign in one
// PostgreSQL schema, sending to one loopback SMTP server; one worker is killed with SIGKILL in the
// middle, then `pressroom pause` stops the other two within one poll: nothing more is accepted by
// the server, not even the dead worker's rows once their lease has passed. `pressroom resume`
// finishes the campaign: every recipient has exactly one copy, except at most maxConnections
// duplicates, all of them messages the killed worker had in flight. A second campaign is then
// cancelled in its middle: every row ends sent (one copy) or cancelled (none), and the campaign
// is finished. Setup as in workers.test.ts (the scale proof), with its helpers.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { makeSite, SLUG } from '../delivery/harness.js';
import { PG_BASE_URL, postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { execCli, startCli, type CliProcess, type EnvOverrides } from '../support/cli.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';

const available = await postgresAvailable();
const schemas = new SchemaPool();
const RECIPIENTS = 3000;
const CONNECTIONS = 4; // per worker: the in-flight bound for a killed worker
const LEASE_SECONDS = 8;
const BATCH = 40;
const WORKERS = ['w1', 'w2', 'w3'];
const VICTIM = 'w2';
const SURVIVORS = WORKERS.filter((w) => w !== VICTIM);
const SECOND = 'brakes-second-issue';

const children: CliProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  if (available) await schemas.dropAll();
});

describe.skipIf(!available)('pause, resume and cancel across three PostgreSQL workers, one SIGKILL', () => {
  it("pause stops every live worker and the dead one's rows stay put; resume sends each recipient once (within the kill's bound); cancel ends the rest", async () => {
    const { dir } = makeSite();
    const schema = schemas.next();
    const databaseUrl = schemas.url(schema);
    const perHelo = new Map<string, number>();
    // A little time per message, so each phase can be caught in its middle.
    const server = await startTestSmtpServer({ replyDelayMs: () => 15, onAccepted: ({ to, helo }) => perHelo.set(helo, (perHelo.get(helo) ?? 0) + to.length) });
    const db = new pg.Client({ connectionString: PG_BASE_URL });
    await db.connect();
    try {
      const configFile = path.join(dir, 'pressroom.config.json');
      writeFileSync(
        configFile,
        JSON.stringify({
          email: { templatesDir: path.resolve('emails'), fromAddress: 'news@example.org' },
          smtp: { maxConnections: CONNECTIONS, batchSize: BATCH, leaseSeconds: LEASE_SECONDS },
        }),
      );
      const firstIssue = readFileSync(path.join(dir, 'issues', `${SLUG}.md`), 'utf8');
      writeFileSync(path.join(dir, 'issues', `${SECOND}.md`), firstIssue.replace(`slug: ${SLUG}`, `slug: ${SECOND}`).replace('Delivery test issue', 'Second issue'));
      const store = new PostgresStore(databaseUrl, { max: 2 });
      await store.migrate();
      const emails = Array.from({ length: RECIPIENTS }, (_, i) => `reader${i}@example.org`);
      await store.importSubscribers(emails.map((email) => ({ email })));
      await store.close();

      const base: EnvOverrides = {
        DATABASE_URL: databaseUrl,
        PRESSROOM_CONFIG: configFile,
        PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
        PRESSROOM_SECRET: 'brakes-secret-0123456789abcdef',
        PRESSROOM_LOG_LEVEL: 'warn',
      };
      const workerEnv = (id: string): EnvOverrides => {
        mkdirSync(path.join(dir, id), { recursive: true });
        return {
          ...base,
          PRESSROOM_WORKER_ID: id,
          PRESSROOM_DATA_DIR: path.join(dir, id, 'data'),
          PRESSROOM_OUT_DIR: path.join(dir, id, 'public'),
          PRESSROOM_SCHEDULE: '0 0 1 1 *', // only the 1 s poll finds work (and the brakes are read as often)
          PRESSROOM_POLL_SECONDS: '1',
          SMTP_URL: `${server.url}?name=${id}&messageTimeout=3000&dataTimeout=3000`,
        };
      };
      const cli = (args: string[]) => execCli(args, { env: { ...base, PRESSROOM_DATA_DIR: path.join(dir, 'cli') }, cwd: dir });
      const workers = new Map(WORKERS.map((id) => [id, startCli(['worker', '--no-watch'], { env: workerEnv(id), cwd: dir })]));
      children.push(...workers.values());
      const logs = () => [...workers].map(([id, w]) => `--- ${id}\n${w.output().slice(-3000)}`).join('\n');
      await waitFor(() => [...workers.values()].every((w) => w.output().includes('Worker schedule:')), { what: 'the workers to start', timeout: 30_000, describe: logs });

      const q = async (sql: string, params: unknown[] = []) => (await db.query(sql.replaceAll('$schema', `"${schema}"`), params)).rows;
      const byWorker = async (slug: string) =>
        new Map(
          (
            await q(
              `SELECT d.worker_id, count(*) FILTER (WHERE d.state = 'sent')::int AS sent, count(*) FILTER (WHERE d.state = 'sending')::int AS sending
               FROM $schema.deliveries d JOIN $schema.campaigns c ON c.id = d.campaign_id WHERE c.slug = $1 AND d.worker_id IS NOT NULL GROUP BY d.worker_id`,
              [slug],
            )
          ).map((r) => [r.worker_id as string, r as { sent: number; sending: number }]),
        );
      const states = async (slug: string) =>
        Object.fromEntries(
          (
            await q(
              `SELECT d.state, count(*)::int AS n FROM $schema.deliveries d JOIN $schema.campaigns c ON c.id = d.campaign_id WHERE c.slug = $1 GROUP BY d.state ORDER BY d.state`,
              [slug],
            )
          ).map((r) => [r.state as string, r.n as number]),
        );
      const finished = async (slug: string) => (await q(`SELECT finished_at FROM $schema.campaigns WHERE slug = $1`, [slug]))[0]?.finished_at != null;

      expect((await cli(['send', SLUG, '--enqueue'])).code).toBe(0);
      // All three sending, a tenth done, and the victim holding claims.
      await waitFor(
        async () => {
          const by = await byWorker(SLUG);
          const total = [...by.values()].reduce((n, r) => n + r.sent, 0);
          return WORKERS.every((id) => (by.get(id)?.sent ?? 0) > 0) && total >= RECIPIENTS / 10 && (by.get(VICTIM)?.sending ?? 0) >= BATCH / 2;
        },
        { what: 'all three workers to be sending', timeout: 60_000, describe: logs, interval: 20 },
      );
      workers.get(VICTIM)!.child.kill('SIGKILL');
      expect(await workers.get(VICTIM)!.exited).toBe(-1);
      const heldAtKill = new Set(
        (await q(`SELECT s.email FROM $schema.deliveries d JOIN $schema.subscribers s ON s.id = d.subscriber_id WHERE d.worker_id = $1 AND d.state = 'sending'`, [VICTIM])).map(
          (r) => r.email as string,
        ),
      );
      expect(heldAtKill.size).toBeGreaterThan(0);

      // Pause: the survivors finish what they have in flight, give the rest back and send nothing more.
      const pause = await cli(['pause', SLUG]);
      expect(pause.code, pause.output).toBe(0);
      await waitFor(async () => [...(await byWorker(SLUG))].every(([id, r]) => id === VICTIM || r.sending === 0), {
        what: 'the survivors to give back their claims',
        timeout: 30_000,
        describe: logs,
      });
      const acceptedAtPause = server.accepted();
      const atPause = await states(SLUG);
      expect(atPause.sent).toBeLessThan(RECIPIENTS); // it really was paused in the middle
      expect(atPause.sending).toBe(heldAtKill.size); // only the dead worker's rows
      // Past the dead worker's lease, and two polls more: its rows are not reclaimed while paused.
      const [{ until }] = await q(`SELECT max(lease_until)::float8 AS until FROM $schema.deliveries WHERE worker_id = $1 AND state = 'sending'`, [VICTIM]);
      await waitFor(() => Date.now() > Number(until) + 2500, { what: "the dead worker's lease to pass", timeout: 30_000 });
      expect(server.accepted()).toBe(acceptedAtPause);
      expect(await states(SLUG)).toEqual(atPause);
      const pausedStatus = await cli(['status', SLUG]);
      expect(pausedStatus.output).toContain(`  state paused; hard bounces 0 (0%)`);

      // Resume: the survivors finish the campaign, the dead worker's rows included.
      const resume = await cli(['resume', SLUG]);
      expect(resume.code, resume.output).toBe(0);
      await waitFor(() => finished(SLUG), { what: 'the campaign to finish after resume', timeout: 60_000, describe: logs, interval: 200 });
      expect(await states(SLUG)).toEqual({ sent: RECIPIENTS });
      const reclaimed = await q(`SELECT d.worker_id, d.attempts FROM $schema.deliveries d JOIN $schema.subscribers s ON s.id = d.subscriber_id WHERE s.email = ANY($1)`, [
        [...heldAtKill],
      ]);
      for (const r of reclaimed) {
        expect(r.worker_id).not.toBe(VICTIM);
        expect(r.attempts).toBeGreaterThanOrEqual(2);
      }
      for (const e of emails) expect(server.countFor(e), e).toBeGreaterThanOrEqual(1);
      const dups = server.duplicates();
      expect(dups.length).toBeLessThanOrEqual(CONNECTIONS);
      for (const [email, n] of dups) {
        expect(n).toBe(2);
        expect(heldAtKill.has(email), `${email} was not in flight at the kill`).toBe(true);
      }
      expect(server.accepted()).toBe(RECIPIENTS + dups.length);
      const ledgerBy = await byWorker(SLUG);
      expect(perHelo.get(VICTIM)! - ledgerBy.get(VICTIM)!.sent).toBe(dups.length);
      for (const id of SURVIVORS) expect(perHelo.get(id), id).toBe(ledgerBy.get(id)!.sent);

      // A second campaign, cancelled in its middle: the survivors stop, the campaign is finished.
      const before = new Map(emails.map((e) => [e, server.countFor(e)]));
      expect((await cli(['send', SECOND, '--enqueue'])).code).toBe(0);
      await waitFor(async () => ((await states(SECOND)).sent ?? 0) >= RECIPIENTS / 10, {
        what: 'the second campaign to be sending',
        timeout: 60_000,
        describe: logs,
        interval: 20,
      });
      const cancel = await cli(['cancel', SECOND]);
      expect(cancel.code, cancel.output).toBe(0);
      expect(cancel.stdout).toMatch(new RegExp(`^cancelled ${SECOND}: \\d+ unsent messages will not be sent, \\d+ were; `));
      await waitFor(() => finished(SECOND), { what: 'the cancelled campaign to finish', timeout: 30_000, describe: logs, interval: 100 });
      const second = await states(SECOND);
      expect(Object.keys(second).sort()).toEqual(['cancelled', 'sent']);
      expect(second.sent! + second.cancelled!).toBe(RECIPIENTS);
      expect(second.sent).toBeLessThan(RECIPIENTS);
      const rows = await q(
        `SELECT s.email, d.state FROM $schema.deliveries d JOIN $schema.subscribers s ON s.id = d.subscriber_id JOIN $schema.campaigns c ON c.id = d.campaign_id WHERE c.slug = $1`,
        [SECOND],
      );
      const wrong = rows.filter((r) => server.countFor(r.email) - before.get(r.email)! !== (r.state === 'sent' ? 1 : 0));
      expect(wrong).toEqual([]);
      const status = await cli(['status', SECOND]);
      expect(status.output).toContain(`  state cancelled; hard bounces 0 (0%), soft bounces 0 (0%), complaints 0 (0%), cancelled ${second.cancelled}\n`);

      for (const id of SURVIVORS) {
        const w = workers.get(id)!;
        w.child.kill('SIGTERM');
        expect(await w.exited, w.output()).toBe(0);
      }
      console.log(
        `brakes proof: killed ${VICTIM} with ${heldAtKill.size} rows in flight; paused at ${atPause.sent} sent; duplicates ${dups.length} (bound ${CONNECTIONS}); ` +
          `second campaign cancelled at ${second.sent} sent, ${second.cancelled} cancelled`,
      );
    } finally {
      await db.end();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
