// The SQLite adapter: one file, WAL, better-sqlite3. It opens the file, supplies the SQLite dialect
// (src/storage/sqlite/sqlite-dialect.ts) to the shared rules (src/storage/core/) and runs the
// migrations. Each method is one short transaction; a claim is a single UPDATE ... RETURNING, so it
// is atomic against other processes on the same file (SQLite serialises writers; busy_timeout
// makes them wait, not fail).
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { rekeySubscribers } from '../core/rekey.js';
import { SqlStore } from '../core/sql-store.js';
import { StoreError } from '../store.js';
import { guardSqlite, SqliteDialect, translateError } from './sqlite-dialect.js';
import { MIGRATIONS, PRAGMAS, SENDER_CACHE_PRAGMA, SQL } from './sql.js';

export interface SqliteOptions {
  /** The connection sends campaigns: a small page cache (see SENDER_CACHE_PRAGMA). */
  sending?: boolean;
}

export class SqliteStore extends SqlStore {
  readonly file: string;
  private readonly connection: Database.Database;

  constructor(file: string, options: SqliteOptions = {}) {
    const resolved = path.resolve(file);
    const connection = openDatabase(resolved, options.sending ? [...PRAGMAS, SENDER_CACHE_PRAGMA] : PRAGMAS);
    super(new SqliteDialect(connection, resolved));
    this.file = resolved;
    this.connection = connection;
  }

  async migrate(): Promise<void> {
    await this.db.run(SQL.createMigrationsTable);
    // IMMEDIATE: two processes starting together serialise here instead of both migrating.
    await this.db.transaction(async (tx) => {
      const current = (await tx.one<{ version: number }>(SQL.currentVersion))!.version;
      const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
      if (current > latest) {
        throw new StoreError(`${this.file}: database schema version ${current} is newer than this Pressroom understands (${latest}); upgrade Pressroom`);
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        guardSqlite(this.file, () => this.connection.exec(m.sql));
        if (m.rekeySubscribers) await rekeySubscribers(tx, this.file);
        await tx.run(SQL.recordMigration, [m.version, m.name, new Date().toISOString()]);
      }
    });
  }

  async close(): Promise<void> {
    if (this.connection.open) this.connection.close();
  }

  /** The applied schema version (for tests and `status`). */
  schemaVersion(): number {
    return guardSqlite(this.file, () => (this.connection.prepare(SQL.currentVersion).get() as { version: number }).version);
  }
}

function openDatabase(file: string, pragmas: readonly string[]): Database.Database {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreError(`${dir}: cannot create the data directory (${(err as Error).message})`);
  }
  assertWritable(file);
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw translateError(file, err);
  }
  try {
    for (const p of pragmas) db.pragma(p);
  } catch (err) {
    db.close();
    throw translateError(file, err);
  }
  return db;
}

/**
 * Checks the permission bits as well as access(2): root ignores the bits, but a file an operator
 * made read-only is a mistake to report, not to write through.
 */
function assertWritable(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return; // does not exist yet: created on open
  }
  let writable = (mode & 0o222) !== 0;
  if (writable) {
    try {
      accessSync(file, constants.W_OK);
    } catch {
      writable = false;
    }
  }
  if (!writable) {
    throw new StoreError(`${file}: the database file is read-only (Pressroom must be able to write to it; check its permissions)`);
  }
}
