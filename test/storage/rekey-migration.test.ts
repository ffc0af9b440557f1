// Migration 5 on both adapters: a database written under the old key (the raw address
// lower-cased) is re-keyed by the canonical address; spellings of one mailbox are merged into the
// oldest row, the others kept in merged_subscribers and logged, and suppression wins.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import * as PG from '../../src/storage/postgres/sql.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import * as LITE from '../../src/storage/sqlite/sql.js';
import { DuplicateSubscriberError, type Store } from '../../src/storage/store.js';
import { PG_BASE_URL, postgresAvailable, SchemaPool } from './pg-harness.js';

const REKEY_VERSION = 5;

// What an old database could hold: id, email as given, old key, status.
const LEGACY: Array<[number, string, string]> = [
  [1, 'ada@example.org', 'active'],
  [2, 'Ada@ｅxample.org', 'unsubscribed'], // fullwidth e: one mailbox with 1, unsubscribed
  [3, 'jose@exämple.org', 'active'],
  [4, 'jose@xn--exmple-cua.org', 'active'], // the same domain in punycode
  [5, 'josé@example.org', 'active'], // undeliverable (non-ASCII local part): left as it is
  [6, 'plain@example.org', 'pending'],
];

type Exec = (sql: string, params?: unknown[]) => Promise<unknown[]>;

/** Builds the schema up to the migration before 5 and fills it the way the old code did. */
async function legacyDatabase(exec: Exec, migrations: typeof LITE.MIGRATIONS, createMigrationsTable: string, ph: (i: number) => string) {
  await exec(createMigrationsTable);
  for (const m of migrations.filter((m) => m.version < REKEY_VERSION)) {
    await exec(m.sql);
    await exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${ph(1)}, ${ph(2)}, ${ph(3)})`, [m.version, m.name, '2025-01-01T00:00:00.000Z']);
  }
  for (const [id, email, status] of LEGACY) {
    await exec(`INSERT INTO subscribers (id, email, email_key, status, created_at) VALUES (${ph(1)}, ${ph(2)}, ${ph(3)}, ${ph(4)}, ${ph(5)})`, [
      id,
      email,
      email.toLowerCase(),
      status,
      '2025-01-01T00:00:00.000Z',
    ]);
  }
  await exec(`INSERT INTO campaigns (id, slug, title, created_at) VALUES (1, 'one', 'One', ${ph(1)})`, ['2025-01-02T00:00:00.000Z']);
  // A queued row for each spelling of jose: only the kept one may still be sent.
  for (const id of [3, 4]) {
    await exec(`INSERT INTO deliveries (campaign_id, subscriber_id, email, state, claimable_at) VALUES (1, ${ph(1)}, ${ph(2)}, 'queued', 0)`, [id, LEGACY[id - 1]![1]]);
  }
}

async function expectRekeyed(store: Store, exec: Exec, warnings: string[]) {
  expect(await store.countSubscribers()).toBe(4);
  expect(await store.findSubscriberByEmail('ada@example.org')).toMatchObject({ id: 1, email: 'ada@example.org', status: 'unsubscribed' });
  expect((await store.findSubscriberByEmail('JOSE@xn--exmple-cua.org'))?.id).toBe(3);
  expect((await store.findSubscriberByEmail('josé@example.org'))?.id).toBe(5);
  await expect(store.addSubscriber({ email: 'ada@ｅxample.org' })).rejects.toBeInstanceOf(DuplicateSubscriberError);
  const merged = (await exec('SELECT id, email, status, kept_id FROM merged_subscribers ORDER BY id')) as Array<Record<string, unknown>>;
  expect(merged.map((r) => ({ ...r, id: Number(r.id), kept_id: Number(r.kept_id) }))).toEqual([
    { id: 2, email: 'Ada@ｅxample.org', status: 'unsubscribed', kept_id: 1 },
    { id: 4, email: 'jose@xn--exmple-cua.org', status: 'active', kept_id: 3 },
  ]);
  const deliveries = (await exec('SELECT subscriber_id, state FROM deliveries ORDER BY subscriber_id')) as Array<Record<string, unknown>>;
  expect(deliveries.map((r) => [Number(r.subscriber_id), r.state])).toEqual([
    [3, 'queued'],
    [4, 'failed'],
  ]);
  expect(warnings).toHaveLength(3);
  expect(warnings[0]).toMatch(/migration 5: subscriber 2 "Ada@ｅxample.org" merged into subscriber 1 "ada@example.org" .*1 is now unsubscribed/);
  expect(warnings[1]).toMatch(/migration 5: subscriber 4 "jose@xn--exmple-cua.org" merged into subscriber 3/);
  expect(warnings[2]).toMatch(/migration 5: subscriber 5 "josé@example.org" cannot be mailed: it has non-ASCII characters before the @/);
}

function captureWarnings(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void lines.push(String(line)));
  return { lines, restore: () => spy.mockRestore() };
}

const pgAvailable = await postgresAvailable();

describe('migration 5: canonical address keys', () => {
  it('SQLite', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'pressroom-rekey-'));
    const file = path.join(root, 'pressroom.db');
    const db = new Database(file);
    // Statements with parameters are prepared; schema scripts (several statements) are run whole.
    const exec: Exec = async (sql, params) => (params ? (db.prepare(sql).run(...params), []) : (db.exec(sql), []));
    try {
      await legacyDatabase(exec, LITE.MIGRATIONS, LITE.SQL.createMigrationsTable, () => '?');
      db.close();
      const warnings = captureWarnings();
      const store = new SqliteStore(file);
      try {
        await store.migrate();
        expect(store.schemaVersion()).toBeGreaterThanOrEqual(REKEY_VERSION);
        const reader = new Database(file, { readonly: true });
        try {
          await expectRekeyed(store, async (sql) => reader.prepare(sql).all(), warnings.lines);
        } finally {
          reader.close();
        }
      } finally {
        warnings.restore();
        await store.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(!pgAvailable)('PostgreSQL', async () => {
    const schemas = new SchemaPool();
    const schema = schemas.next();
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(`SET search_path = "${schema}"`);
      const exec: Exec = async (sql, params) => (await client.query(sql, params)).rows;
      await legacyDatabase(exec, PG.MIGRATIONS, PG.SQL.createMigrationsTable, (i) => `$${i}`);
      const warnings = captureWarnings();
      const store = new PostgresStore(schemas.url(schema));
      try {
        await store.migrate();
        expect(await store.schemaVersion()).toBeGreaterThanOrEqual(REKEY_VERSION);
        await expectRekeyed(store, exec, warnings.lines);
      } finally {
        warnings.restore();
        await store.close();
      }
    } finally {
      await client.end();
      await schemas.dropAll();
    }
  });
});
