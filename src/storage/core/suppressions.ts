// The suppression list: who bounced, complained or unsubscribed stays suppressed even after the
// subscriber row is removed or erased, so a re-import does not mail them again. Only a hash of
// the canonical address is kept (no address survives an erasure). It is unkeyed on purpose: a
// keyed hash would make the whole list unreadable when the site secret is rotated.
import { createHash } from 'node:crypto';
import type { SubscriberStatus } from '../store.js';
import { withFragments, type Dialect, type Sql } from './dialect.js';

export type SuppressionReason = Extract<SubscriberStatus, 'unsubscribed' | 'bounced' | 'complained'>;

const SQL = {
  // The strongest reason wins: complained over bounced over unsubscribed (a complaint is never undone by a later unsubscribe).
  suppress: `INSERT INTO suppressions (address_hash, reason, created_at) VALUES ($1, $2, $3)
      ON CONFLICT (address_hash) DO UPDATE SET reason = CASE
        WHEN suppressions.reason = 'complained' OR excluded.reason = 'complained' THEN 'complained'
        WHEN suppressions.reason = 'bounced' OR excluded.reason = 'bounced' THEN 'bounced'
        ELSE excluded.reason END`,
  lift: `DELETE FROM suppressions WHERE address_hash = $1`,
} as const;

export function isSuppressionReason(status: SubscriberStatus): status is SuppressionReason {
  return status === 'unsubscribed' || status === 'bounced' || status === 'complained';
}

/** The stored form of a canonical address key (src/domain/address.ts). */
export function suppressionHash(emailKey: string): string {
  return createHash('sha256').update(`pressroom-suppression\0${emailKey}`).digest('hex');
}

export async function suppress(tx: Sql, emailKey: string, reason: SuppressionReason, now: Date): Promise<void> {
  await tx.run(SQL.suppress, [suppressionHash(emailKey), reason, now]);
}

/** The person confirmed a new sign-up themselves (double opt-in): they want mail again. */
export async function liftSuppression(tx: Sql, emailKey: string): Promise<void> {
  await tx.run(SQL.lift, [suppressionHash(emailKey)]);
}

const suppressedAmongSql = withFragments((f) => `SELECT address_hash FROM suppressions WHERE ${f.textIn('address_hash', '$1')}`);

/** Of these canonical keys, the ones suppressed. One query per chunk (an import passes 5,000 at a time). */
export async function suppressedKeys(db: Dialect, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const byHash = new Map(keys.map((k) => [suppressionHash(k), k]));
  const rows = await db.all<{ address_hash: string }>(suppressedAmongSql(db.fragments), [db.list([...byHash.keys()])]);
  return new Set(rows.map((r) => byHash.get(r.address_hash)!));
}
