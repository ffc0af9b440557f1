// Picks the adapter from the configuration and brings the schema up to date.
import path from 'node:path';
import type { Config } from '../config/config.js';
import { StoreError, type Store } from './store.js';

/** DATABASE_URL postgres:// or postgresql:// -> PostgreSQL; otherwise SQLite at `<dataDir>/pressroom.db`. */
export async function openStore(config: Config): Promise<Store> {
  const url = config.databaseUrl;
  let store: Store;
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    store = new PostgresStore(url);
  } else if (url && !/^sqlite:/i.test(url)) {
    throw new StoreError(`DATABASE_URL: "${redact(url)}" is not supported (expected postgres://... or sqlite:PATH, or unset for SQLite in the data folder)`);
  } else {
    // Imported like the PostgreSQL adapter, when chosen: a command on PostgreSQL never loads better-sqlite3.
    const { SqliteStore } = await import('./sqlite/sqlite-store.js');
    store = new SqliteStore(url ? sqlitePath(url, config) : path.join(config.dataDir, 'pressroom.db'));
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}

/** `sqlite:relative/or/absolute.db` or `sqlite:///absolute.db`; relative paths are relative to the data folder. */
function sqlitePath(url: string, config: Config): string {
  let p = url.replace(/^sqlite:/i, '');
  if (p.startsWith('//')) p = p.slice(2);
  if (!p) throw new StoreError(`DATABASE_URL: "${url}" names no file (expected sqlite:PATH)`);
  return path.resolve(config.dataDir, p);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
