// bench/import-ledger: the ledger at 1,000,000 recipients. Imports 1M subscribers (raw, quickly),
// times createCampaign's snapshot (INSERT ... SELECT), then claimBatch(500) at the start and near
// the end of the campaign, with the reference in the same run being the same claim after dropping
// the (campaign_id, claimable_at) index, to show what the index is worth. Prints the process's
// peak RSS: nothing here loads the list into memory. PostgreSQL too when reachable.
// Run: npx tsx bench/import-ledger.ts [rows]
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStore } from '../src/storage/postgres/postgres-store.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { Store } from '../src/storage/store.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/import-ledger');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const ms = (t: number) => `${(performance.now() - t).toFixed(1)} ms`;
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function claimTimes(store: Store, campaignId: number, worker: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const batch = await store.claimBatch(campaignId, `${worker}-${i}`, 500, 60_000);
    times.push(performance.now() - t);
    if (batch.length !== 500) throw new Error(`claimed ${batch.length}, expected 500`);
  }
  return median(times);
}

async function run(label: string, store: Store, fill: () => Promise<void>, markMostSent: (campaignId: number) => Promise<void>, dropIndex: () => Promise<void>) {
  console.log(`${label}:`);
  let t = performance.now();
  await fill();
  console.log(`  ${ROWS.toLocaleString('en-US')} subscribers inserted (raw SQL)        ${ms(t)}`);
  t = performance.now();
  const { campaign } = await store.createCampaign({ slug: 'million', title: 'Million', topics: ['go'] });
  console.log(`  createCampaign snapshot of ${campaign.recipients.toLocaleString('en-US')} recipients   ${ms(t)}`);
  const start = await claimTimes(store, campaign.id, 'start', 20);
  console.log(`  claimBatch(500) at the start, median of 20     ${start.toFixed(2)} ms`);
  t = performance.now();
  await markMostSent(campaign.id);
  console.log(`  (marked all but the last 20,000 rows sent     ${ms(t)})`);
  const end = await claimTimes(store, campaign.id, 'end', 20);
  console.log(`  claimBatch(500) near the end, median of 20     ${end.toFixed(2)} ms`);
  t = performance.now();
  const stats = await store.campaignStats(campaign.id);
  console.log(`  campaignStats                                  ${ms(t)}  (sent ${stats.sent}, sending ${stats.sending}, queued ${stats.queued})`);
  t = performance.now();
  await store.finishCampaignIfDone(campaign.id);
  console.log(`  finishCampaignIfDone                           ${ms(t)}`);
  await dropIndex();
  const noIndex = await claimTimes(store, campaign.id, 'noindex', 3);
  console.log(`  reference: same claim without the index, median of 3   ${noIndex.toFixed(2)} ms`);
  console.log(`  ratio: the index makes a late claim ${(noIndex / end).toFixed(0)}x faster`);
  await store.close();
}

console.log(`bench/import-ledger: ${ROWS.toLocaleString('en-US')} recipients`);
const file = path.join(work, 'pressroom.db');
const sqlite = new SqliteStore(file);
await sqlite.migrate();
const raw = new Database(file);
raw.pragma('busy_timeout = 10000');
await run(
  'SQLite',
  sqlite,
  async () => {
    // Every other subscriber wants everything; the rest only "go": all are recipients of a "go" issue.
    raw.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
      INSERT INTO subscribers (email, email_key, name, status, topics, created_at, source)
      SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active',
             CASE WHEN i % 2 = 0 THEN '[]' ELSE '["go"]' END, '2026-01-01T00:00:00.000Z', 'bench' FROM n`);
  },
  async (id) => {
    raw
      .prepare(`UPDATE deliveries SET state = 'sent', claimable_at = NULL
      WHERE campaign_id = ? AND state = 'queued' AND subscriber_id <= ?`)
      .run(id, ROWS - 20_000);
  },
  async () => {
    raw.exec('DROP INDEX deliveries_claimable');
  },
);
raw.close();

const pgUrl = process.env.PRESSROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `pressroom_bench_ledger_${process.pid}`;
const admin = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
try {
  await admin.connect();
  const store = new PostgresStore(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`);
  await store.migrate();
  await run(
    'PostgreSQL',
    store,
    async () => {
      await admin.query(`INSERT INTO "${schema}".subscribers (email, email_key, name, status, topics, created_at, source)
        SELECT 'r' || i || '@example.org', 'r' || i || '@example.org', 'Reader ' || i, 'active',
               CASE WHEN i % 2 = 0 THEN '{}'::text[] ELSE '{go}'::text[] END, now(), 'bench'
        FROM generate_series(1, ${ROWS}) AS i`);
      await admin.query(`ANALYZE "${schema}".subscribers`);
    },
    async (id) => {
      await admin.query(
        `UPDATE "${schema}".deliveries SET state = 'sent', claimable_at = NULL
        WHERE campaign_id = $1 AND state = 'queued' AND subscriber_id <= $2`,
        [id, ROWS - 20_000],
      );
      await admin.query(`VACUUM ANALYZE "${schema}".deliveries`);
    },
    async () => {
      await admin.query(`DROP INDEX "${schema}".deliveries_claimable`);
    },
  );
  await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
} catch (err) {
  console.log(`PostgreSQL skipped: ${(err as Error).message}`);
} finally {
  await admin.end().catch(() => {});
}
console.log(`peak RSS of this process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
