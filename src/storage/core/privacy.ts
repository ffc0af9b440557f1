// Erasure and the per-person export (GDPR), written once over the dialect. Which ledger rows carry
// an address and how it is cut out of stored SMTP replies are src/storage/erasure.ts.
import { emailKey } from '../email.js';
import { ERASED_REASON, sameAddress, scrubAddresses } from '../erasure.js';
import { toDelivery, type DeliveryRow } from '../ledger-rows.js';
import type { SubscriberExport } from '../store.js';
import { withFragments, type Dialect, type Sql } from './dialect.js';
import { DELIVERY_COLUMNS, toSubscriber, type SubscriberRow } from './rows.js';
import { findSubscriberRow, suppressLeaving } from './subscribers.js';
import { eraseSubscriberEvents } from './events.js';
import { systemMailOf } from './system-mail.js';

interface LedgerExportRow extends DeliveryRow {
  campaign: string;
  campaign_title: string;
  bounced: boolean | number;
  temporary: boolean | number;
}

// Candidate ledger rows of an address: $1 the subscriber's id, or by address ($2 as asked, $3 as
// stored) for rows left by an earlier plain removal (SQLite's lower() folds ASCII only), narrowed
// to the store's exact matching key in JavaScript (sameAddress). A full scan: erasure is rare.
const OF_ADDRESS = `d.subscriber_id = $1 OR (d.email <> '' AND lower(d.email) IN (lower($2), lower($3)))`;

const SQL = {
  ledgerRowsOf: `SELECT ${DELIVERY_COLUMNS.replace(/(\w+)/g, 'd.$1')}, d.bounced, d.temporary, c.slug AS campaign, c.title AS campaign_title
      FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
      WHERE ${OF_ADDRESS}
      ORDER BY d.campaign_id`,
  // $1 campaign, $2 subscriber, $3 scrubbed response; rows not yet sent end failed with $4 (the reason).
  eraseDelivery: `UPDATE deliveries SET email = '', name = NULL,
        smtp_response = CASE WHEN state IN ('queued', 'retry', 'sending') THEN $4 ELSE $3 END,
        smtp_code = CASE WHEN state IN ('queued', 'retry', 'sending') THEN NULL ELSE smtp_code END,
        temporary = CASE WHEN state IN ('queued', 'retry', 'sending') THEN false ELSE temporary END,
        claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        state = CASE WHEN state IN ('queued', 'retry', 'sending') THEN 'failed' ELSE state END,
        feedback_diagnostic = $5
      WHERE campaign_id = $1 AND subscriber_id = $2`,
  // A bounce's diagnostic often quotes the address ("550 5.1.1 <bob@example.org>: unknown").
  feedbackOf: `SELECT id, diagnostic FROM feedback_events WHERE subscriber_id = $1 AND diagnostic IS NOT NULL`,
  scrubFeedback: `UPDATE feedback_events SET diagnostic = $2 WHERE id = $1`,
  deleteSubscriber: `DELETE FROM subscribers WHERE id = $1`, // its system mail goes with it (ON DELETE CASCADE)
} as const;

// The lock keeps a worker from marking a row between the read and the scrub.
const lockLedgerRowsOfSql = withFragments(
  (f) => `SELECT d.campaign_id, d.subscriber_id, d.email, d.smtp_response, d.feedback_diagnostic FROM deliveries d WHERE ${OF_ADDRESS} ${f.forUpdate}`,
);

type Candidate = Pick<DeliveryRow, 'campaign_id' | 'subscriber_id' | 'email' | 'smtp_response'>;
type ErasedCandidate = Candidate & { feedback_diagnostic: string | null };

async function rowsOfAddress<R extends Candidate>(tx: Sql, statement: string, email: string, subscriber: SubscriberRow | undefined): Promise<R[]> {
  const candidates = await tx.all<R>(statement, [subscriber?.id ?? null, email, subscriber?.email ?? email]);
  return candidates.filter((r) => sameAddress(r.email, email));
}

export async function eraseSubscriber(db: Dialect, email: string): Promise<boolean> {
  const erased = await db.transaction(async (tx) => {
    const subscriber = await findSubscriberRow(tx, email, db.fragments.forUpdate);
    const rows = await rowsOfAddress<ErasedCandidate>(tx, lockLedgerRowsOfSql(db.fragments), email, subscriber);
    const addresses = [email, ...(subscriber ? [subscriber.email] : []), ...rows.map((r) => r.email)];
    for (const r of rows) {
      const scrubbed = [scrubAddresses(r.smtp_response, addresses), ERASED_REASON, scrubAddresses(r.feedback_diagnostic, addresses)];
      await tx.run(SQL.eraseDelivery, [r.campaign_id, r.subscriber_id, ...scrubbed]);
    }
    for (const id of new Set([subscriber?.id, ...rows.map((r) => r.subscriber_id)])) {
      if (id === undefined) continue;
      for (const event of await tx.all<{ id: number; diagnostic: string }>(SQL.feedbackOf, [id])) {
        await tx.run(SQL.scrubFeedback, [event.id, scrubAddresses(event.diagnostic, addresses)]);
      }
    }
    for (const id of new Set([subscriber?.id, ...rows.map((r) => r.subscriber_id)])) if (id !== undefined) await eraseSubscriberEvents(tx, id);
    if (subscriber) {
      await suppressLeaving(tx, emailKey(subscriber.email), subscriber.status, new Date());
      await tx.run(SQL.deleteSubscriber, [subscriber.id]);
    }
    return subscriber !== undefined || rows.length > 0;
  });
  if (erased) await db.purgeFreedPages();
  return erased;
}

export function exportSubscriber(db: Dialect, email: string): Promise<SubscriberExport | null> {
  return db.transaction(
    async (tx) => {
      const subscriber = await findSubscriberRow(tx, email);
      const rows = await rowsOfAddress<LedgerExportRow>(tx, SQL.ledgerRowsOf, email, subscriber);
      if (!subscriber && rows.length === 0) return null;
      return {
        subscriber: subscriber ? toSubscriber(subscriber) : null,
        deliveries: rows.map((r) => ({
          ...toDelivery(r),
          campaign: r.campaign,
          campaignTitle: r.campaign_title,
          bounced: Boolean(r.bounced),
          temporary: Boolean(r.temporary),
        })),
        systemMail: subscriber ? await systemMailOf(tx, subscriber.id) : [],
      };
    },
    { snapshot: true },
  );
}
