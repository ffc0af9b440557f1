// Named API tokens, written once over the dialect: a name, a role and the SHA-256 of the token
// (the token itself is shown once, when it is made, and never stored).
import type { Role } from '../../domain/roles.js';
import { DuplicateApiTokenError, type ApiToken } from '../accounts.js';
import type { Dialect } from './dialect.js';
import { iso, mapOrNull } from './rows.js';

const COLUMNS = `id, name, role, created_at, last_used_at`;

const SQL = {
  insert: `INSERT INTO api_tokens (name, token_hash, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING ${COLUMNS}`,
  list: `SELECT ${COLUMNS} FROM api_tokens ORDER BY name`,
  remove: `DELETE FROM api_tokens WHERE name = $1`,
  use: `UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 RETURNING ${COLUMNS}`,
} as const;

interface ApiTokenRow {
  id: number;
  name: string;
  role: Role;
  created_at: string | Date;
  last_used_at: string | Date | null;
}

function toApiToken(r: ApiTokenRow): ApiToken {
  return { id: r.id, name: r.name, role: r.role, createdAt: iso(r.created_at), lastUsedAt: iso(r.last_used_at) };
}

export async function addApiToken(db: Dialect, input: { name: string; tokenHash: string; role: Role }, now: Date): Promise<ApiToken> {
  const row = await db.one<ApiTokenRow>(SQL.insert, [input.name, input.tokenHash, input.role, now]);
  if (!row) throw new DuplicateApiTokenError(input.name);
  return toApiToken(row);
}

export async function listApiTokens(db: Dialect): Promise<ApiToken[]> {
  return (await db.all<ApiTokenRow>(SQL.list)).map(toApiToken);
}

export async function removeApiToken(db: Dialect, name: string): Promise<boolean> {
  return (await db.run(SQL.remove, [name])) > 0;
}

export async function useApiToken(db: Dialect, tokenHash: string, now: Date): Promise<ApiToken | null> {
  return mapOrNull(await db.one<ApiTokenRow>(SQL.use, [tokenHash, now]), toApiToken);
}
