// The PostgreSQL adapter (`DATABASE_URL=postgres://...`), for several workers on several machines
// sharing one campaign. It opens the pool, supplies the PostgreSQL dialect
// (src/storage/postgres/postgres-dialect.ts) to the shared rules (src/storage/core/) and runs the
// migrations. Correctness rests on PostgreSQL itself: unique constraints for idempotent creation,
// FOR UPDATE SKIP LOCKED for claims, an advisory lock around migrations.
//
// Schema: `postgres://.../db?schema=NAME` puts every table in schema NAME (created if missing) by
// setting the connection's search_path; without it the server's default search_path is used.
import pg from 'pg';
import { rekeySubscribers } from '../core/rekey.js';
import { SqlStore } from '../core/sql-store.js';
import { StoreError } from '../store.js';
import { clientSql, PostgresDialect } from './postgres-dialect.js';
import { MIGRATIONS, SQL } from './sql.js';

export interface PostgresOptions {
  /** Pool size per process. */
  max?: number;
}

export class PostgresStore extends SqlStore {
  /** The schema named by `?schema=`, or null for the server default. */
  readonly schema: string | null;
  private readonly pool: pg.Pool;
  private readonly dialect: PostgresDialect;

  constructor(databaseUrl: string, options: PostgresOptions = {}) {
    const { url, schema, options: startupOptions } = splitSchema(databaseUrl);
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      types: { getTypeParser: parserFor },
      ...(startupOptions ? { options: startupOptions } : {}),
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on('error', () => {});
    const dialect = new PostgresDialect(pool, describe(url));
    super(dialect);
    this.schema = schema;
    this.pool = pool;
    this.dialect = dialect;
  }

  async migrate(): Promise<void> {
    const client = await this.dialect.connect();
    const lockKey = `pressroom:migrate:${this.schema ?? ''}`;
    try {
      // Several processes may start at once: one migrates, the others wait here and then find nothing to do.
      await client.query(SQL.lockMigrations, [lockKey]);
      try {
        if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
        await client.query(SQL.createMigrationsTable);
        const current = (await client.query<{ version: number }>(SQL.currentVersion)).rows[0]!.version;
        const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
        if (current > latest) {
          throw new StoreError(`${this.dialect.where}: database schema version ${current} is newer than this Pressroom understands (${latest}); upgrade Pressroom`);
        }
        for (const m of MIGRATIONS) {
          if (m.version <= current) continue;
          await client.query('BEGIN');
          try {
            await client.query(m.sql);
            if (m.rekeySubscribers) await rekeySubscribers(clientSql(client), this.dialect.where);
            await client.query(SQL.recordMigration, [m.version, m.name]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK');
            throw err;
          }
        }
      } finally {
        await client.query(SQL.unlockMigrations, [lockKey]);
      }
    } catch (err) {
      throw this.dialect.translate(err);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The applied schema version (for tests and `status`). */
  async schemaVersion(): Promise<number> {
    return (await this.dialect.one<{ version: number }>(SQL.currentVersion))!.version;
  }
}

const INT8_OID = 20;
// bigint -> number for this pool only (ids and epoch ms are far below 2^53), without touching pg's globals.
const parserFor = ((oid: number, format?: string) =>
  oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser;

/** Takes `schema` out of the URL (pg would not understand it) and checks it is a plain identifier. */
export function splitSchema(databaseUrl: string): { url: string; schema: string | null; options: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
  } catch {
    throw new StoreError(`DATABASE_URL: not a valid URL (expected postgres://user:password@host:5432/database)`);
  }
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { url: databaseUrl, schema: null, options: null };
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError(`DATABASE_URL: schema "${schema}" must be letters, digits and _ (not starting with a digit)`);
  }
  parsed.searchParams.delete('schema');
  // The schema becomes a startup option; options already in the URL (`?options=-c ...`) are kept.
  const given = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  const name = schema.toLowerCase();
  return { url: parsed.toString(), schema: name, options: `${given ? `${given} ` : ''}-c search_path=${name}` };
}

function describe(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
