// The SQLite dialect: better-sqlite3 (synchronous) under the core's async interface. Statements
// are prepared once and cached by their text. An explicit transaction may await between its
// statements, so while one is open every other call on this file from this process waits for it
// to end: on this connection they would run inside it, and on another connection of the process
// they would block the thread on the write lock (busy_timeout) that only this thread can release.
// Other processes simply wait on the lock. A single statement runs at once.
import type Database from 'better-sqlite3';
import type { BucketRequest, ClaimRequest, Dialect, Params, Sql, SqlFragments, SubscriberValues } from '../core/dialect.js';
import { MARK_SENT_SQL } from '../core/ledger.js';
import { insertSubscriberParams, insertSubscriberSql } from '../core/subscribers.js';
import type { DeliveryRow } from '../ledger-rows.js';
import { DuplicateSubscriberError, InvalidEmailError, StoreError } from '../store.js';
import type { SystemMailRow } from '../system-mail-rows.js';
import { SQL, TRUNCATE_WAL } from './sql.js';

const SQLITE_FRAGMENTS: SqlFragments = {
  // Above every id ever handed out (migration 6), so an erased subscriber's id is never reused.
  newSubscriberId: `max(coalesce((SELECT max(id) FROM subscribers), 0), (SELECT value FROM id_high_water WHERE name = 'subscribers')) + 1`,
  // Topics are JSON text: '[]' is everything.
  topicsMatch: (column, param) => `(${column} = '[]' OR EXISTS (SELECT 1 FROM json_each(${column}) st JOIN json_each(${param}) ct ON st.value = ct.value))`,
  idIn: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
  textIn: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
  hasTopic: (column, param) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ${param})`,
  unindexed: (expr) => `+${expr}`,
  // BINARY, SQLite's default, is already byte order.
  bytewise: (expr) => expr,
  // BEGIN IMMEDIATE already holds the write lock.
  forUpdate: '',
};

/** Per database file in this process: the explicit transaction in progress, if any. */
interface Gate {
  /** Settles when the transaction in progress ends; null when none is. */
  open: Promise<void> | null;
}
const gates = new Map<string, Gate>();

function gateOf(file: string): Gate {
  let gate = gates.get(file);
  if (!gate) {
    gate = { open: null };
    gates.set(file, gate);
  }
  return gate;
}

export class SqliteDialect implements Dialect {
  readonly fragments = SQLITE_FRAGMENTS;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly gate: Gate;
  /** Statements inside the open transaction: they run at once. */
  private readonly inTransaction: Sql = {
    all: async <R>(text: string, params?: Params) => this.guard(() => this.prepared(text).all(...bind(params)) as R[]),
    one: async <R>(text: string, params?: Params) => this.guard(() => this.prepared(text).get(...bind(params)) as R | undefined),
    run: async (text: string, params?: Params) => this.guard(() => this.prepared(text).run(...bind(params)).changes),
  };

  constructor(
    private readonly db: Database.Database,
    readonly where: string,
  ) {
    this.gate = gateOf(where);
  }

  list(values: readonly (string | number)[]): string {
    return JSON.stringify(values);
  }

  all<R>(text: string, params?: Params): Promise<R[]> {
    return this.exclusive(() => this.prepared(text).all(...bind(params)) as R[]);
  }

  one<R>(text: string, params?: Params): Promise<R | undefined> {
    return this.exclusive(() => this.prepared(text).get(...bind(params)) as R | undefined);
  }

  run(text: string, params?: Params): Promise<number> {
    return this.exclusive(() => this.prepared(text).run(...bind(params)).changes);
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>, options: { snapshot?: boolean } = {}): Promise<T> {
    // Checked and taken with no await in between, so two waiters cannot both begin.
    while (this.gate.open) await this.gate.open;
    let end!: () => void;
    this.gate.open = new Promise((resolve) => (end = resolve));
    try {
      this.guard(() => this.db.exec(options.snapshot ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE'));
      try {
        const result = await fn(this.inTransaction);
        this.guard(() => this.db.exec('COMMIT'));
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.gate.open = null;
      end();
    }
  }

  insertSubscribers(rows: readonly SubscriberValues[], createdAt: Date): Promise<number> {
    const insert = insertSubscriberSql(this.fragments);
    return this.exclusive(() =>
      this.db
        .transaction(() => {
          let added = 0;
          for (const r of rows) added += this.prepared(insert).run(...bind(insertSubscriberParams(this, r, createdAt))).changes;
          return added;
        })
        .immediate(),
    );
  }

  claimDeliveries(campaignId: number, claim: ClaimRequest): Promise<DeliveryRow[]> {
    return this.exclusive(() => this.db.transaction(() => this.prepared(SQL.claimBatch).all({ campaignId, ...claim }) as DeliveryRow[]).immediate());
  }

  markSentMany(campaignId: number, marks: ReadonlyArray<{ subscriberId: number; smtpCode: number | null; smtpResponse: string | null }>): Promise<void> {
    // One commit (one WAL append) for all of them instead of one per row.
    return this.exclusive(() =>
      this.db
        .transaction(() => {
          const markSent = this.prepared(MARK_SENT_SQL);
          for (const m of marks) markSent.run(...bind([campaignId, m.subscriberId, m.smtpCode, m.smtpResponse]));
        })
        .immediate(),
    );
  }

  claimWebhookEvents(claim: ClaimRequest): Promise<unknown[]> {
    return this.exclusive(() => this.prepared(SQL.claimWebhookEvents).all({ ...claim }));
  }

  claimSystemMail(claim: ClaimRequest): Promise<SystemMailRow[]> {
    return this.exclusive(() => this.prepared(SQL.claimSystemMail).all({ ...claim }) as SystemMailRow[]);
  }

  takeTokens(bucket: BucketRequest): Promise<{ granted: number; tokens: number }> {
    // One machine shares this file, so its clock is the common one.
    const params = { ...bucket, now: bucket.now ?? Date.now() };
    return this.exclusive(() => this.prepared(SQL.takeSendPermits).get(params) as { granted: number; tokens: number });
  }

  /** The old pages of an erased subscriber still sit in the WAL until a checkpoint: copy them back and empty it now. */
  async purgeFreedPages(): Promise<void> {
    await this.exclusive(() => this.db.pragma(TRUNCATE_WAL));
  }

  /** Runs `fn` once no explicit transaction is open (it must not await). */
  private async exclusive<T>(fn: () => T): Promise<T> {
    while (this.gate.open) await this.gate.open;
    return this.guard(fn);
  }

  private prepared(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private guard<T>(fn: () => T): T {
    return guardSqlite(this.where, fn);
  }
}

/** $1, $2 ... bound as SQLite named parameters; Dates as ISO text, booleans as 0/1. */
function bind(params: Params | undefined): [Record<string, unknown>] | [] {
  if (!params || params.length === 0) return [];
  const named: Record<string, unknown> = {};
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    named[i + 1] = v instanceof Date ? v.toISOString() : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return [named];
}

/** Runs `fn`, turning SQLite's low-level failures into one clear line naming the file. */
export function guardSqlite<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translateError(file, err);
  }
}

export function translateError(file: string, err: unknown): unknown {
  if (err instanceof StoreError || err instanceof DuplicateSubscriberError || err instanceof InvalidEmailError) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const message = (err as Error).message;
    if (code.startsWith('SQLITE_READONLY')) {
      return new StoreError(`${file}: the database is read-only (${message}); check the permissions of the file and its folder`);
    }
    if (code.startsWith('SQLITE_CANTOPEN')) return new StoreError(`${file}: cannot open the database file (${message})`);
    if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
      return new StoreError(`${file}: not a usable SQLite database (${message})`);
    }
    if (code.startsWith('SQLITE_FULL')) return new StoreError(`${file}: the disk is full (${message})`);
    if (code.startsWith('SQLITE_BUSY')) return new StoreError(`${file}: the database stayed locked by another process (${message})`);
  }
  return err;
}
