// The PostgreSQL dialect: a pg Pool under the core's interface. Plain statements go to the pool
// (one statement = one transaction); transactions hold one client from BEGIN to COMMIT.
import type pg from 'pg';
import type { BucketRequest, ClaimRequest, Dialect, Params, Sql, SqlFragments, SubscriberValues } from '../core/dialect.js';
import type { DeliveryRow } from '../ledger-rows.js';
import { DuplicateSubscriberError, InvalidEmailError, StoreError } from '../store.js';
import type { SystemMailRow } from '../system-mail-rows.js';
import { SQL } from './sql.js';

// Big imports go to the server in chunks of this many rows (one statement each, one transaction).
const IMPORT_CHUNK = 5000;

const POSTGRES_FRAGMENTS: SqlFragments = {
  // The identity column never reuses a value.
  newSubscriberId: 'DEFAULT',
  // Topics are text[]: an empty array is everything.
  topicsMatch: (column, param) => `(cardinality(${column}) = 0 OR ${column} && CAST(${param} AS text[]))`,
  // ANY keeps it to primary-key lookups (an unnest join was planned as a hash join over every row).
  idIn: (column, param) => `${column} = ANY (CAST(${param} AS bigint[]))`,
  textIn: (column, param) => `${column} = ANY (CAST(${param} AS text[]))`,
  hasTopic: (column, param) => `${column} @> ARRAY[CAST(${param} AS text)]`,
  // No unindexed: the planner has statistics (ANALYZE, autovacuum) and picks the index by itself.
  bytewise: (expr) => `(${expr} COLLATE "C")`,
  forUpdate: 'FOR UPDATE',
};

/** Statements on one client (inside its transaction). */
export function clientSql(client: pg.PoolClient): Sql {
  return {
    all: async <R>(text: string, params?: Params) => (await client.query(text, params as unknown[])).rows as R[],
    one: async <R>(text: string, params?: Params) => (await client.query(text, params as unknown[])).rows[0] as R | undefined,
    run: async (text: string, params?: Params) => (await client.query(text, params as unknown[])).rowCount ?? 0,
  };
}

/** Import rows are created together, so a row is confirmed at creation or not at all. */
function confirmedAt(row: SubscriberValues, createdAt: Date): boolean {
  if (row.confirmedAt !== null && row.confirmedAt.getTime() !== createdAt.getTime()) {
    throw new StoreError('importSubscribers: a row confirmed at another time than its creation');
  }
  return row.confirmedAt !== null;
}

export class PostgresDialect implements Dialect {
  readonly fragments = POSTGRES_FRAGMENTS;

  constructor(
    private readonly pool: pg.Pool,
    readonly where: string,
  ) {}

  list(values: readonly (string | number)[]): readonly (string | number)[] {
    return values;
  }

  async all<R>(text: string, params?: Params): Promise<R[]> {
    return (await this.query(text, params)).rows as R[];
  }

  async one<R>(text: string, params?: Params): Promise<R | undefined> {
    return (await this.query(text, params)).rows[0] as R | undefined;
  }

  async run(text: string, params?: Params): Promise<number> {
    return (await this.query(text, params)).rowCount ?? 0;
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
    const client = await this.connect();
    try {
      await client.query(options.snapshot ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await fn(clientSql(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw this.translate(err);
    } finally {
      client.release();
    }
  }

  insertSubscribers(rows: readonly SubscriberValues[], createdAt: Date): Promise<number> {
    return this.transaction(async (tx) => {
      let added = 0;
      for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
        const chunk = rows.slice(i, i + IMPORT_CHUNK);
        added += await tx.run(SQL.importSubscribers, [
          chunk.map((r) => r.email),
          chunk.map((r) => r.emailKey),
          chunk.map((r) => r.name),
          chunk.map((r) => r.status),
          chunk.map((r) => JSON.stringify(r.topics)),
          chunk.map((r) => r.source),
          createdAt,
          chunk.map((r) => confirmedAt(r, createdAt)),
        ]);
      }
      return added;
    });
  }

  claimDeliveries(campaignId: number, claim: ClaimRequest): Promise<DeliveryRow[]> {
    // One statement = one transaction: the rows are locked, skipped by other claimers, updated, returned.
    return this.all<DeliveryRow>(SQL.claimBatch, [campaignId, claim.now, claim.workerId, claim.leaseUntil, claim.limit]);
  }

  async markSentMany(campaignId: number, marks: ReadonlyArray<{ subscriberId: number; smtpCode: number | null; smtpResponse: string | null }>): Promise<void> {
    await this.run(SQL.markSentMany, [campaignId, marks.map((m) => m.subscriberId), marks.map((m) => m.smtpCode), marks.map((m) => m.smtpResponse)]);
  }

  claimWebhookEvents(claim: ClaimRequest): Promise<unknown[]> {
    return this.all<unknown>(SQL.claimWebhookEvents, [claim.now, claim.workerId, claim.leaseUntil, claim.limit]);
  }

  claimSystemMail(claim: ClaimRequest): Promise<SystemMailRow[]> {
    return this.all<SystemMailRow>(SQL.claimSystemMail, [claim.now, claim.workerId, claim.leaseUntil, claim.limit]);
  }

  async takeTokens(b: BucketRequest): Promise<{ granted: number; tokens: number }> {
    return (await this.one<{ granted: number; tokens: number }>(SQL.takeSendPermits, [b.campaignId, b.want, b.rate, b.burst, b.now]))!;
  }

  /** Old row versions stay until (auto)vacuum reuses them; there is nothing to force here. */
  async purgeFreedPages(): Promise<void> {}

  async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private async query(text: string, params?: Params): Promise<pg.QueryResult> {
    try {
      return await this.pool.query(text, params as unknown[] | undefined);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /** Connection failures become one line naming the server (never the password). */
  translate(err: unknown): unknown {
    if (err instanceof StoreError || err instanceof DuplicateSubscriberError || err instanceof InvalidEmailError) return err;
    const e = err as { code?: string; message?: string };
    const connectionCodes = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EAI_AGAIN'];
    if (e.code && connectionCodes.includes(e.code)) {
      return new StoreError(`${this.where}: cannot connect to PostgreSQL (${e.code}: ${e.message})`);
    }
    if (e.code === '3D000' || e.code === '28P01' || e.code === '28000' || e.code === '42501') {
      return new StoreError(`${this.where}: PostgreSQL refused: ${e.message}`);
    }
    return err;
  }
}
