// The one reading of DATABASE_URL / databaseUrl, in a module of its own: the configuration checks it
// when it loads, and openStore (which every store command loads) uses it without pulling in the
// other checks' dependencies.
import { redactUrlPassword } from './env.js';
import { ConfigError } from './errors.js';

/** Which store a DATABASE_URL names: PostgreSQL, or an SQLite file (null: the data folder's default). */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string | null };

/**
 * The one reading of DATABASE_URL / databaseUrl: postgres:// or postgresql://, or sqlite:PATH
 * (sqlite:///absolute too); unset means SQLite in the data folder. The password never appears in
 * a message. Checked when the configuration loads and used by openStore.
 */
export function parseDatabaseUrl(url: string | undefined, where: string): DatabaseTarget {
  if (url === undefined || url === '') return { kind: 'sqlite', file: null };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    if (!URL.canParse(url)) throw new ConfigError(`${where}: not a valid URL (expected postgres://user:password@host:5432/database)`);
    return { kind: 'postgres', url };
  }
  if (!/^sqlite:/i.test(url)) {
    throw new ConfigError(`${where}: "${redactUrlPassword(url)}" is not supported (expected postgres://... or sqlite:PATH, or unset for SQLite in the data folder)`);
  }
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  if (file === '') throw new ConfigError(`${where}: "${url}" names no file (expected sqlite:PATH)`);
  return { kind: 'sqlite', file };
}
