// Migration 5's re-keying, applied the same way by both adapters inside the migration's
// transaction (the plan itself is src/storage/rekey.ts: SQL cannot do NFKC or IDNA).
import { describeRekey, planRekey, type KeyedSubscriber } from '../rekey.js';
import type { Sql } from './dialect.js';
import { cancelPendingDeliveries } from './subscribers.js';

const SQL = {
  subscriberKeys: `SELECT id, email, email_key, status FROM subscribers ORDER BY id`,
  // $1 kept id, $2 now, $3 merged id.
  archiveMerged: `INSERT INTO merged_subscribers (id, email, name, status, topics, created_at, source, kept_id, merged_at)
      SELECT id, email, name, status, topics, created_at, source, $1, $2 FROM subscribers WHERE id = $3`,
  deleteSubscriber: `DELETE FROM subscribers WHERE id = $1`,
  setKey: `UPDATE subscribers SET email_key = $2 WHERE id = $1`,
  // $1 id, $2 status, $3 now.
  suppress: `UPDATE subscribers SET status = $2,
        unsubscribed_at = CASE WHEN $2 = 'unsubscribed' THEN coalesce(unsubscribed_at, $3) ELSE unsubscribed_at END
      WHERE id = $1`,
} as const;

/** Canonical keys, duplicates merged into the oldest row, suppression kept; one warning per merged or undeliverable row. */
export async function rekeySubscribers(tx: Sql, where: string): Promise<void> {
  const plan = planRekey(await tx.all<KeyedSubscriber>(SQL.subscriberKeys));
  const now = new Date();
  for (const m of plan.merged) {
    await tx.run(SQL.archiveMerged, [m.keptId, now, m.id]);
    await cancelPendingDeliveries(tx, m.id, 'not sent: merged into another subscriber with the same address');
    await tx.run(SQL.deleteSubscriber, [m.id]);
  }
  for (const r of plan.rekeyed) await tx.run(SQL.setKey, [r.id, r.key]);
  for (const s of plan.suppressed) {
    await tx.run(SQL.suppress, [s.id, s.status, now]);
    await cancelPendingDeliveries(tx, s.id, `not sent: subscriber ${s.status} under another spelling`);
  }
  for (const line of describeRekey(plan)) console.warn(`pressroom: ${where}: ${line}`);
}
