// Test access to the PostgreSQL server (127.0.0.1:5432, db `test`, user `postgres`, trust, or
// PRESSROOM_TEST_DATABASE_URL). Every test run works in schemas of its own with a random prefix and
// drops them at the end, so concurrent runs never see each other's rows.
// With CI=true an unreachable server is an error; otherwise the PostgreSQL tests are skipped with a
// visible message.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_BASE_URL = process.env.PRESSROOM_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_BASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL is required when CI=true but ${PG_BASE_URL} is unreachable: ${(err as Error).message}`);
    }
    console.warn(`\n*** SKIPPING PostgreSQL tests: ${PG_BASE_URL} is unreachable (${(err as Error).message}) ***\n`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Hands out fresh schema names for this run and drops them all in `dropAll`. */
export class SchemaPool {
  readonly prefix = `pressroom_t_${randomBytes(4).toString('hex')}`;
  private readonly names: string[] = [];

  next(): string {
    const name = `${this.prefix}_${this.names.length + 1}`;
    this.names.push(name);
    return name;
  }

  url(schema: string): string {
    const u = new URL(PG_BASE_URL);
    u.searchParams.set('schema', schema);
    return u.toString();
  }

  async dropAll(): Promise<void> {
    const client = new pg.Client({ connectionString: PG_BASE_URL });
    await client.connect();
    try {
      for (const n of this.names) await client.query(`DROP SCHEMA IF EXISTS "${n}" CASCADE`);
    } finally {
      await client.end();
    }
  }
}
