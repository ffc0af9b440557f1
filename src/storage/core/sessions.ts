// Console sessions, written once over the dialect. Only the SHA-256 of a session id is stored, so
// a copy of the database opens no session; whether a session is still good (lifetime, idle
// timeout) is decided by src/server/admin/session-policy.ts, not here.
import type { Role } from '../../domain/roles.js';
import type { Session } from '../accounts.js';
import type { Dialect } from './dialect.js';
import { mapOrNull } from './rows.js';

const SQL = {
  insert: `INSERT INTO sessions (id_hash, operator_id, csrf_secret, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)`,
  find: `SELECT s.operator_id, o.email, o.role, s.csrf_secret, s.created_at, s.last_seen_at, s.expires_at
      FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = $1`,
  touch: `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1`,
  end: `DELETE FROM sessions WHERE id_hash = $1`,
  endAll: `DELETE FROM sessions WHERE operator_id = $1`,
  purge: `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2`,
} as const;

interface SessionRow {
  operator_id: number;
  email: string;
  role: Role;
  csrf_secret: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

function toSession(r: SessionRow): Session {
  return {
    operatorId: r.operator_id,
    email: r.email,
    role: r.role,
    csrfSecret: r.csrf_secret,
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at),
  };
}

export async function createSession(db: Dialect, input: { idHash: string; operatorId: number; csrfSecret: string; expiresAt: number }, now: number): Promise<void> {
  await db.run(SQL.insert, [input.idHash, input.operatorId, input.csrfSecret, now, input.expiresAt]);
}

export async function findSession(db: Dialect, idHash: string): Promise<Session | null> {
  return mapOrNull(await db.one<SessionRow>(SQL.find, [idHash]), toSession);
}

export async function touchSession(db: Dialect, idHash: string, now: number): Promise<void> {
  await db.run(SQL.touch, [idHash, now]);
}

export async function endSession(db: Dialect, idHash: string): Promise<void> {
  await db.run(SQL.end, [idHash]);
}

export function endOperatorSessions(db: Dialect, operatorId: number): Promise<number> {
  return db.run(SQL.endAll, [operatorId]);
}

export function purgeSessions(db: Dialect, now: number, idleBefore: number): Promise<number> {
  return db.run(SQL.purge, [now, idleBefore]);
}
