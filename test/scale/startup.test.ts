// Several processes starting at once against one fresh PostgreSQL schema: the migrations run once
// (advisory lock), and concurrent `pressroom send --enqueue` create the campaign exactly once (a
// unique constraint, not check-then-insert).
import path from 'node:path';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { MIGRATIONS } from '../../src/storage/postgres/sql.js';
import { makeSite, SLUG } from '../delivery/harness.js';
import { PG_BASE_URL, postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { execCli, type EnvOverrides } from '../support/cli.js';

const available = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (available) await schemas.dropAll();
});

const PROCESSES = 4;

describe.skipIf(!available)('processes starting at once on one PostgreSQL schema', () => {
  it(`${PROCESSES} processes migrate a fresh schema once, then create one campaign between them`, async () => {
    const { dir } = makeSite();
    const schema = schemas.next();
    const env: EnvOverrides = {
      DATABASE_URL: schemas.url(schema),
      PRESSROOM_CONFIG: path.join(dir, 'pressroom.config.json'),
      PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
      PRESSROOM_DATA_DIR: path.join(dir, 'data'),
      PRESSROOM_LOG_LEVEL: 'warn',
    };
    const db = new pg.Client({ connectionString: PG_BASE_URL });
    await db.connect();
    try {
      // Each `status` opens the store, which migrates: all start before any has finished.
      const statuses = await Promise.all(Array.from({ length: PROCESSES }, () => execCli(['status'], { env, cwd: dir })));
      for (const s of statuses) {
        expect(s.code, s.output).toBe(0);
        expect(s.output.trim()).toBe('no campaigns yet');
      }
      const applied = await db.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(applied.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));

      const store = new PostgresStore(schemas.url(schema), { max: 2 });
      await store.importSubscribers(Array.from({ length: 500 }, (_, i) => ({ email: `s${i}@example.org` })));
      await store.close();

      const sends = await Promise.all(Array.from({ length: PROCESSES }, () => execCli(['send', SLUG, '--enqueue'], { env, cwd: dir })));
      for (const s of sends) expect(s.code, s.output).toBe(0);
      const created = sends.filter((s) => s.output.includes(`created campaign ${SLUG} for 500 recipients`));
      const existing = sends.filter((s) => s.output.includes(`campaign ${SLUG} already exists (500 recipients); nothing changed`));
      expect(created).toHaveLength(1);
      expect(existing).toHaveLength(PROCESSES - 1);
      expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".campaigns`)).rows[0].n).toBe(1);
      expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".deliveries WHERE state = 'queued'`)).rows[0].n).toBe(500);
    } finally {
      await db.end();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
