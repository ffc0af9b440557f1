// Picks the adapter from the configuration and brings the schema up to date.
import path from 'node:path';
import { parseDatabaseUrl } from '../config/database-url.js';
import type { Config } from '../config/config.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** The process sends campaigns: SQLite keeps a small page cache (sqlite/sql.ts SENDER_CACHE_PRAGMA). */
  sending?: boolean;
}

/** DATABASE_URL postgres:// or postgresql:// -> PostgreSQL; otherwise SQLite (`<dataDir>/pressroom.db` by default). */
export async function openStore(config: Config, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(config.databaseUrl, 'DATABASE_URL');
  let store: Store;
  if (target.kind === 'postgres') {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    store = new PostgresStore(target.url);
  } else {
    // Imported like the PostgreSQL adapter, when chosen: a command on PostgreSQL never loads better-sqlite3.
    const { SqliteStore } = await import('./sqlite/sqlite-store.js');
    // Relative paths are relative to the data folder.
    store = new SqliteStore(path.resolve(config.dataDir, target.file ?? 'pressroom.db'), { sending: options.sending });
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
