// bench/import: 100,000-row subscriber CSV -> SQLite, through the same code as
// `pressroom subscribers import` (streamed csv-parse, validation, chunked transactions), against a
// reference in the same run: a raw better-sqlite3 bulk insert of the same rows (one prepared
// statement, one transaction, no parsing or validation) into a table of the same shape.
// Also: the re-import of the same file (all duplicates), the whole CLI as a child process with its
// peak memory (and on a file 4x as long), and PostgreSQL when reachable. Run: npx tsx bench/import.ts [rows]
import { spawnSync } from 'node:child_process';
import { appendFileSync, createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { importSubscribersCsv } from '../src/storage/csv-import.js';
import { emailKey } from '../src/storage/email.js';
import { PostgresStore } from '../src/storage/postgres/postgres-store.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { MIGRATIONS, PRAGMAS } from '../src/storage/sqlite/sql.js';
import type { Store } from '../src/storage/store.js';

const ROWS = Number(process.argv[2] ?? 100_000);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench/.work/import');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const topicsPool = ['go', 'rust', 'k8s', 'cloud-native', '社区', 'security'];
const rows = Array.from({ length: ROWS }, (_, i) => ({
  email: `Reader.${i}@Example${i % 97}.org`,
  name: `Reader ${i}`,
  topics: i % 3 === 0 ? [] : [topicsPool[i % topicsPool.length]!, topicsPool[(i * 7) % topicsPool.length]!],
}));
const csvFile = path.join(work, 'subscribers.csv');
writeFileSync(csvFile, ['email,name,topics', ...rows.map((r) => `${r.email},${r.name},${r.topics.join(';')}`)].join('\n') + '\n');

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')} rows/s`;
}

async function timeCsvImport(store: Store): Promise<{ ms: number; added: number; duplicates: number }> {
  const t = performance.now();
  const r = await importSubscribersCsv(store, () => createReadStream(csvFile), { file: csvFile, onProblem: (p) => console.error(p) });
  return { ms: performance.now() - t, added: r.added, duplicates: r.duplicates };
}

// Reference: raw bulk insert of the same rows, same table and index, same pragmas.
function rawInsert(): number {
  const db = new Database(path.join(work, 'raw.db'));
  for (const p of PRAGMAS) db.pragma(p);
  db.exec(MIGRATIONS[0]!.sql);
  const insert = db.prepare(`INSERT INTO subscribers (email, email_key, name, status, topics, created_at, confirmed_at, source) VALUES (?, ?, ?, 'active', ?, ?, ?, 'raw')`);
  const now = new Date().toISOString();
  const t = performance.now();
  db.transaction(() => {
    for (const r of rows) insert.run(r.email, emailKey(r.email), r.name, JSON.stringify(r.topics), now, now);
  })();
  const ms = performance.now() - t;
  db.close();
  return ms;
}

console.log(`bench/import: ${ROWS.toLocaleString('en-US')} rows (${csvFile})`);
const rawMs = rawInsert();
console.log(`  reference  raw better-sqlite3 bulk insert      ${rawMs.toFixed(0).padStart(6)} ms  ${rate(ROWS, rawMs)}`);

const sqlite = new SqliteStore(path.join(work, 'pressroom.db'));
await sqlite.migrate();
const first = await timeCsvImport(sqlite);
console.log(`  pressroom  CSV import (SQLite)                 ${first.ms.toFixed(0).padStart(6)} ms  ${rate(ROWS, first.ms)}  added ${first.added}`);
const again = await timeCsvImport(sqlite);
console.log(`  pressroom  same file again (all duplicates)    ${again.ms.toFixed(0).padStart(6)} ms  ${rate(ROWS, again.ms)}  duplicates ${again.duplicates}`);
await sqlite.close();
console.log(`  ratio      raw insert rate / CSV import rate: ${(first.ms / rawMs).toFixed(2)}x (import does parse + validate + dedupe too)`);

// The whole CLI as an operator runs it, with its peak memory; then a file 4x as long with the V8
// heap capped at 48 MB: if the import held rows in memory it would die there. (Without the cap V8
// collects lazily and RSS drifts up with the work done, which says nothing about what is retained.)
// Baseline: the same CLI listing an empty store.
function cli(args: string[], dataDir: string, nodeArgs: string[] = []) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', path.join(root, 'bench/import-rss.mjs'), path.join(root, 'bin/pressroom.js'), 'subscribers', ...args], {
    env: { ...process.env, PRESSROOM_DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
  });
  const ms = performance.now() - t;
  const rssKb = Number(/peak-rss-kb (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, rssMb: Math.round(rssKb / 1024), status: r.status, out: r.stdout.trim() };
}
const base = cli(['list'], path.join(work, 'cli-empty'));
console.log(`  baseline   CLI listing an empty store          ${base.ms.toFixed(0).padStart(6)} ms  peak RSS ${base.rssMb} MB`);
const one = cli(['import', csvFile], path.join(work, 'cli-data'));
console.log(
  `  pressroom  whole CLI run (startup included)    ${one.ms.toFixed(0).padStart(6)} ms  ${rate(ROWS, one.ms)}  peak RSS ${one.rssMb} MB  exit ${one.status}: ${one.out}`,
);
const bigFile = path.join(work, 'subscribers-x4.csv');
writeFileSync(bigFile, 'email,name,topics\n');
for (let k = 0; k < 4; k++) {
  appendFileSync(bigFile, rows.map((r) => `x${k}.${r.email},${r.name},${r.topics.join(';')}`).join('\n') + '\n');
}
const big = cli(['import', bigFile], path.join(work, 'cli-data-x4'), ['--max-old-space-size=48']);
console.log(
  `  pressroom  CLI, ${(ROWS * 4).toLocaleString('en-US')} rows, heap capped at 48 MB  ${big.ms.toFixed(0).padStart(6)} ms  ${rate(ROWS * 4, big.ms)}  peak RSS ${big.rssMb} MB  exit ${big.status}: ${big.out}`,
);
console.log(
  `  memory     peak RSS: empty ${base.rssMb} MB, ${ROWS.toLocaleString('en-US')} rows ${one.rssMb} MB, ${(ROWS * 4).toLocaleString('en-US')} rows (48 MB heap) ${big.rssMb} MB`,
);

const pgUrl = process.env.PRESSROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `pressroom_bench_${process.pid}`;
const probe = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
try {
  await probe.connect();
  const store = new PostgresStore(`${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`);
  await store.migrate();
  const r = await timeCsvImport(store);
  console.log(`  pressroom  CSV import (PostgreSQL)             ${r.ms.toFixed(0).padStart(6)} ms  ${rate(ROWS, r.ms)}  added ${r.added}`);
  await store.close();
  await probe.query(`DROP SCHEMA "${schema}" CASCADE`);
} catch (err) {
  console.log(`  PostgreSQL skipped: ${(err as Error).message}`);
} finally {
  await probe.end().catch(() => {});
}
