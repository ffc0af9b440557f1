// bench/subscribers-page: the console's subscriber list over 1,000,000 subscribers, in SQLite or
// PostgreSQL. Each case is the real HTTP request (a signed-in session, through buildServer's every
// hook, the guard, the store and the Liquid page) and, in the same run, the raw SQL that page runs
// (a search's size probe, its keyset list of 51 rows and its count capped at 1,001;
// src/storage/core/subscriber-search.ts) on a plain connection of its own (better-sqlite3, or a
// pg client). Printed: median and p95 of each, and the ratio of the medians. The goal is a page
// under 100 ms.
// SQLite: the file is built once (a recursive CTE, ~10 s) and kept in bench/.work/subscribers-page.
// PostgreSQL: schema pressroom_bench_subscribers of PRESSROOM_BENCH_DATABASE_URL (default the test
// database), filled by generate_series (~30 s) and ANALYZEd, dropped at the end.
// Run: npx tsx bench/subscribers-page.ts [rows=1000000] [repeats=30] [sqlite|postgres]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { newSecret, secretHash } from '../src/accounts/secrets.js';
import { defaultConfig } from '../src/config/config.js';
import { createTransport } from '../src/delivery/transport.js';
import { silentLogger } from '../src/logging.js';
import { PAGE_SIZE } from '../src/server/admin/subscribers.js';
import { buildServer } from '../src/server/app.js';
import { COUNT_CAP } from '../src/server/subscriber-actions.js';
import { planFor, searchSizeStatement, subscriberCountStatement, subscriberListStatement } from '../src/storage/core/subscriber-search.js';
import { openStore } from '../src/storage/open.js';
import { SqliteDialect } from '../src/storage/sqlite/sqlite-dialect.js';
import type { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import type { SqlFragments } from '../src/storage/core/dialect.js';
import { PostgresDialect } from '../src/storage/postgres/postgres-dialect.js';
import type { SubscriberQuery } from '../src/storage/store.js';
import { CampaignRunner } from '../src/worker/runner.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const REPEATS = Number(process.argv[3] ?? 30);
const KIND = process.argv[4] ?? 'sqlite';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/subscribers-page');
mkdirSync(work, { recursive: true });

const config = defaultConfig(work);
config.site.url = 'http://127.0.0.1/';
config.secret = 'bench-secret-0123456789abcdef';
const PG_URL = process.env.PRESSROOM_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = 'pressroom_bench_subscribers';
if (KIND === 'postgres') config.databaseUrl = `${PG_URL}?schema=${PG_SCHEMA}`;
else if (KIND !== 'sqlite') throw new Error(`bench/subscribers-page: the 3rd argument is sqlite or postgres, not ${KIND}`);
const logger = silentLogger();
const store = await openStore(config);

// The list: 20 first names (so a name prefix such as "ada" matches 5%), 50 domains, statuses and
// topics in fixed shares (80% active; rust on half the rows, python on a quarter).
const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dev', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea', 'Mo', 'Nia', 'Oskar', 'Pia', 'Quinn', 'Rosa', 'Sam', 'Tove'];
const STATUS = `CASE WHEN i % 100 < 80 THEN 'active' WHEN i % 100 < 88 THEN 'unsubscribed' WHEN i % 100 < 93 THEN 'pending' WHEN i % 100 < 98 THEN 'bounced' ELSE 'complained' END`;
const ADDRESS = `'Reader' || i || '@example' || (i % 50) || '.org'`;

/** The raw side: the same statements ($1, $2 ... placeholders) on a connection of its own. */
interface Raw {
  label: string;
  fragments: SqlFragments;
  all(sql: string, params: unknown[]): Promise<unknown[]>;
  close(): Promise<void>;
}

async function sqliteRaw(): Promise<Raw> {
  const file = (store as SqliteStore).file;
  if ((await store.countSubscribers()) !== ROWS) {
    const started = performance.now();
    const db = new Database(file);
    db.exec('DELETE FROM subscribers');
    db.prepare(
      `INSERT INTO subscribers (id, email, email_key, name, status, topics, created_at, confirmed_at, source)
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
       SELECT i, ${ADDRESS}, lower(${ADDRESS}), json_extract($names, '$[' || (i % 20) || ']') || ' Reader' || i, ${STATUS},
         CASE i % 4 WHEN 0 THEN '["rust"]' WHEN 1 THEN '["go","rust"]' WHEN 2 THEN '["python"]' ELSE '[]' END,
         '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'bench'
       FROM n`,
    ).run({ rows: ROWS, names: JSON.stringify(FIRST_NAMES) });
    db.close();
    console.log(`built ${ROWS.toLocaleString('en')} subscribers in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const raw = new Database(file, { readonly: true });
  const statements = new Map<string, Database.Statement>();
  const named = (params: unknown[]) => Object.fromEntries(params.map((v, i) => [i + 1, v]));
  return {
    label: `SQLite ${(raw.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}`,
    fragments: new SqliteDialect(raw, file).fragments,
    async all(sql, params) {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = raw.prepare(sql)));
      return statement.all(named(params));
    },
    async close() {
      raw.close();
    },
  };
}

async function postgresRaw(): Promise<Raw> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`SET search_path TO ${PG_SCHEMA}`);
  if ((await store.countSubscribers()) !== ROWS) {
    const started = performance.now();
    await client.query('DELETE FROM subscribers');
    await client.query(
      `INSERT INTO subscribers (id, email, email_key, name, status, topics, created_at, confirmed_at, source)
       SELECT i, ${ADDRESS}, lower(${ADDRESS}), (CAST($2 AS text[]))[(i % 20) + 1] || ' Reader' || i, ${STATUS},
         CASE i % 4 WHEN 0 THEN ARRAY['rust'] WHEN 1 THEN ARRAY['go', 'rust'] WHEN 2 THEN ARRAY['python'] ELSE CAST(ARRAY[] AS text[]) END,
         timestamptz '2026-01-01T00:00:00Z', timestamptz '2026-01-01T00:00:00Z', 'bench'
       FROM generate_series(1, CAST($1 AS int)) AS i`,
      [ROWS, FIRST_NAMES],
    );
    await client.query('ANALYZE subscribers');
    console.log(`built ${ROWS.toLocaleString('en')} subscribers in ${((performance.now() - started) / 1000).toFixed(1)} s (then ANALYZE)`);
  }
  const version = (await client.query('SHOW server_version')).rows[0].server_version as string;
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  return {
    label: `PostgreSQL ${version}`,
    fragments: new PostgresDialect(pool, 'bench').fragments,
    async all(sql, params) {
      return (await client.query(sql, params)).rows;
    },
    async close() {
      await client.query(`DROP SCHEMA ${PG_SCHEMA} CASCADE`);
      await client.end();
      await pool.end();
    },
  };
}

const raw = KIND === 'postgres' ? await postgresRaw() : await sqliteRaw();
const { fragments } = raw;

const transport = createTransport(config, logger);
const runner = new CampaignRunner({ store, transport, config, logger, secret: config.secret, workerId: 'bench' });
const server = await buildServer({ config, store, transport, logger, secret: config.secret, runner });
const base = await server.app.listen({ port: 0, host: '127.0.0.1' });

// A signed-in editor, as the sign-in page would make one.
const operator = (await store.findOperator('bench@example.org')) ?? (await store.addOperator({ email: 'bench@example.org', role: 'editor', passwordHash: 'unused' }));
const sessionId = newSecret();
await store.createSession({ idHash: secretHash(sessionId), operatorId: operator.id, csrfSecret: newSecret(), expiresAt: Date.now() + 3_600_000 });
const cookie = `pressroom_session=${sessionId}`;

interface Case {
  name: string;
  query: Omit<SubscriberQuery, 'limit'>;
}
const CASES: Case[] = [
  { name: 'first page', query: {} },
  { name: `deep keyset page (after id ${Math.floor(ROWS * 0.9).toLocaleString('en')})`, query: { afterId: Math.floor(ROWS * 0.9) } },
  { name: 'search: address prefix "reader77777"', query: { search: 'reader77777' } },
  { name: 'search: name prefix "ada" (5% of rows)', query: { search: 'ada' } },
  { name: 'search: address prefix "r" (every row)', query: { search: 'r' } },
  { name: 'search + status: "ada", complained', query: { search: 'ada', status: 'complained' } },
  { name: 'filter: status active + topic rust', query: { status: 'active', topic: 'rust' } },
  { name: 'filter + deep page (active, python, after 500,000)', query: { status: 'active', topic: 'python', afterId: Math.floor(ROWS / 2) } },
];

function urlOf(query: Case['query']): string {
  const params = new URLSearchParams();
  if (query.search) params.set('q', query.search);
  if (query.status) params.set('status', query.status);
  if (query.topic) params.set('topic', query.topic);
  if (query.afterId !== undefined) params.set('after', String(query.afterId));
  return `${base}/admin/subscribers?${params}`;
}

/** A search's size probe, as the store runs it first (null: no search). */
async function sizeOf(search: string | undefined, afterId?: number): Promise<number | null> {
  const size = searchSizeStatement(fragments, search, afterId);
  return size && Number(((await raw.all(size.sql, size.params))[0] as { n: number | string }).n);
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn(); // warm: statements prepared, pages cached
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p95: times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]! };
}

const ms = (n: number) => `${n.toFixed(2)} ms`;
console.log(`\n${ROWS.toLocaleString('en')} subscribers (${raw.label}), ${REPEATS} runs each, median / p95\n`);
console.log('| case | rows on page | console page (HTTP) | raw SQL (list + count) | page / raw |');
console.log('|---|---|---|---|---|');
let worst = 0;
for (const c of CASES) {
  const url = urlOf(c.query);
  let rows = 0;
  const page = await timed(async () => {
    const res = await fetch(url, { headers: { cookie } });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    rows = (html.match(/<tr>/g)?.length ?? 1) - 1;
  });
  // The same statements the store runs: a search's size probe, then the list in the plan it picks, and the count.
  const query = { ...c.query, limit: PAGE_SIZE + 1 };
  const sql = await timed(async () => {
    const list = subscriberListStatement(fragments, query, planFor(await sizeOf(c.query.search, c.query.afterId)));
    await raw.all(list.sql, list.params);
    const count = subscriberCountStatement(fragments, c.query, COUNT_CAP + 1, planFor(await sizeOf(c.query.search)));
    await raw.all(count.sql, count.params);
  });
  worst = Math.max(worst, page.median);
  console.log(`| ${c.name} | ${rows} | ${ms(page.median)} / ${ms(page.p95)} | ${ms(sql.median)} / ${ms(sql.p95)} | x${(page.median / sql.median).toFixed(1)} |`);
}
console.log(`\nslowest page median: ${ms(worst)} (goal: under 100 ms)`);
for (const c of CASES) {
  const list = subscriberListStatement(fragments, { ...c.query, limit: PAGE_SIZE + 1 }, planFor(await sizeOf(c.query.search, c.query.afterId)));
  const plan = (await raw.all(`${KIND === 'postgres' ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'} ${list.sql}`, list.params)) as Array<{ detail?: string; 'QUERY PLAN'?: string }>;
  console.log(`plan, ${c.name}: ${plan.map((p) => (p.detail ?? p['QUERY PLAN'] ?? '').trim()).join('; ')}`);
}

await raw.close();
await server.close();
await transport.close();
