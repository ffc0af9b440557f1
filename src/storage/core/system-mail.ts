// The confirm/welcome queue, written once over the dialect: claimed like the ledger (the claim is
// hand-written per dialect), and like the ledger a row already `sent` is never moved again.
import type { DeliveryOutcome, SystemMail, SystemMailKind } from '../store.js';
import { toSystemMail, type SystemMailRow } from '../system-mail-rows.js';
import type { Dialect, Sql } from './dialect.js';
import { SYSTEM_MAIL_COLUMNS } from './rows.js';

const SQL = {
  enqueueSystemMail: `INSERT INTO system_mail (kind, subscriber_id, state, created_at, claimable_at)
      VALUES ($1, $2, 'queued', $3, 0) RETURNING ${SYSTEM_MAIL_COLUMNS}`,
  // $1 id, $2 code, $3 response.
  markSystemMailSent: `UPDATE system_mail SET state = 'sent', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = $2, smtp_response = $3
      WHERE id = $1 AND state <> 'sent'`,
  markSystemMailFailed: `UPDATE system_mail SET state = 'failed', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = $2, smtp_response = $3
      WHERE id = $1 AND state <> 'sent'`,
  // $1 id, $2 next attempt (epoch ms), $3 code, $4 response.
  markSystemMailRetry: `UPDATE system_mail SET state = 'retry', claimable_at = $2, next_attempt_at = $2, lease_until = NULL,
        smtp_code = $3, smtp_response = $4
      WHERE id = $1 AND state <> 'sent'`,
  nextSystemMailAt: `SELECT min(claimable_at) AS at FROM system_mail WHERE claimable_at IS NOT NULL`,
  systemMailOf: `SELECT ${SYSTEM_MAIL_COLUMNS} FROM system_mail WHERE subscriber_id = $1 ORDER BY id`,
} as const;

export async function enqueueSystemMail(db: Dialect, kind: SystemMailKind, subscriberId: number, now: Date): Promise<SystemMail> {
  return toSystemMail((await db.one<SystemMailRow>(SQL.enqueueSystemMail, [kind, subscriberId, now]))!);
}

export async function claimSystemMail(db: Dialect, workerId: string, limit: number, leaseMs: number, now: number): Promise<SystemMail[]> {
  return (await db.claimSystemMail({ workerId, limit, now, leaseUntil: now + leaseMs })).map(toSystemMail);
}

export async function markSystemMailSent(db: Dialect, id: number, outcome: DeliveryOutcome): Promise<void> {
  await db.run(SQL.markSystemMailSent, [id, outcome.smtpCode, outcome.smtpResponse]);
}

export async function markSystemMailRetry(db: Dialect, id: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
  await db.run(SQL.markSystemMailRetry, [id, nextAttemptAt, outcome.smtpCode, outcome.smtpResponse]);
}

export async function markSystemMailFailed(db: Dialect, id: number, outcome: DeliveryOutcome): Promise<void> {
  await db.run(SQL.markSystemMailFailed, [id, outcome.smtpCode, outcome.smtpResponse]);
}

export async function nextSystemMailAt(db: Dialect): Promise<number | null> {
  return (await db.one<{ at: number | null }>(SQL.nextSystemMailAt))?.at ?? null;
}

/** One subscriber's confirm/welcome emails, for the per-person export. */
export async function systemMailOf(tx: Sql, subscriberId: number): Promise<SystemMail[]> {
  return (await tx.all<SystemMailRow>(SQL.systemMailOf, [subscriberId])).map(toSystemMail);
}
