// Operators (the console's logins), written once over the dialect: unique by canonical address
// like subscribers (src/storage/email.ts), and the failure count and lock of the login lockout,
// each changed in one statement so two wrong passwords at once both count.
import type { Role } from '../../domain/roles.js';
import { DuplicateOperatorError, type LoginFailurePolicy, type Operator, type OperatorWithPassword } from '../accounts.js';
import { addressColumns, emailKey } from '../email.js';
import type { Dialect } from './dialect.js';
import { iso, mapOrNull } from './rows.js';

const COLUMNS = `id, email, role, password_hash, failed_logins, locked_until, created_at`;

const SQL = {
  insert: `INSERT INTO operators (email, email_key, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (email_key) DO NOTHING RETURNING ${COLUMNS}`,
  remove: `DELETE FROM operators WHERE email_key = $1`,
  list: `SELECT ${COLUMNS} FROM operators ORDER BY email_key`,
  find: `SELECT ${COLUMNS} FROM operators WHERE email_key = $1`,
  setRole: `UPDATE operators SET role = $2 WHERE email_key = $1 RETURNING ${COLUMNS}`,
  setPassword: `UPDATE operators SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE email_key = $1 RETURNING id`,
  endSessions: `DELETE FROM sessions WHERE operator_id = $1`,
  // $1 id, $2 failures that lock, $3 locked until. Both CASEs read the row as it was.
  failure: `UPDATE operators SET
        failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
        locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
      WHERE id = $1`,
  success: `UPDATE operators SET failed_logins = 0, locked_until = NULL WHERE id = $1`,
} as const;

interface OperatorRow {
  id: number;
  email: string;
  role: Role;
  password_hash: string;
  failed_logins: number;
  locked_until: number | null;
  created_at: string | Date;
}

function toOperator(r: OperatorRow): OperatorWithPassword {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    passwordHash: r.password_hash,
    failedLogins: r.failed_logins,
    lockedUntil: r.locked_until === null ? null : Number(r.locked_until),
    createdAt: iso(r.created_at),
  };
}

/** Without the hash: what lists and the CLI show. */
function withoutPassword({ passwordHash: _, ...operator }: OperatorWithPassword): Operator {
  return operator;
}

export async function addOperator(db: Dialect, input: { email: string; role: Role; passwordHash: string }, now: Date): Promise<Operator> {
  const { email, emailKey: key } = addressColumns(input.email);
  const row = await db.one<OperatorRow>(SQL.insert, [email, key, input.role, input.passwordHash, now]);
  if (!row) throw new DuplicateOperatorError(input.email);
  return withoutPassword(toOperator(row));
}

/** Its sessions go with it (ON DELETE CASCADE). */
export async function removeOperator(db: Dialect, email: string): Promise<boolean> {
  return (await db.run(SQL.remove, [emailKey(email)])) > 0;
}

export async function listOperators(db: Dialect): Promise<Operator[]> {
  return (await db.all<OperatorRow>(SQL.list)).map((r) => withoutPassword(toOperator(r)));
}

export async function findOperator(db: Dialect, email: string): Promise<OperatorWithPassword | null> {
  return mapOrNull(await db.one<OperatorRow>(SQL.find, [emailKey(email)]), toOperator);
}

/** The role is read with each session (sessions.ts joins it), so the change holds at the operator's next request. */
export async function setOperatorRole(db: Dialect, email: string, role: Role): Promise<Operator | null> {
  return mapOrNull(await db.one<OperatorRow>(SQL.setRole, [emailKey(email), role]), (r) => withoutPassword(toOperator(r)));
}

export function setOperatorPassword(db: Dialect, email: string, passwordHash: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const row = await tx.one<{ id: number }>(SQL.setPassword, [emailKey(email), passwordHash]);
    if (!row) return false;
    await tx.run(SQL.endSessions, [row.id]);
    return true;
  });
}

export async function recordLoginFailure(db: Dialect, operatorId: number, policy: LoginFailurePolicy, now: number): Promise<void> {
  await db.run(SQL.failure, [operatorId, policy.maxFailures, now + policy.lockMs]);
}

export async function recordLoginSuccess(db: Dialect, operatorId: number): Promise<void> {
  await db.run(SQL.success, [operatorId]);
}
