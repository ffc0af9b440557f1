// The ledger, written once over the dialect: one row per (campaign, subscriber), claimed with a
// lease (the claim itself is hand-written per dialect), marked with its SMTP outcome, re-queued by
// `pressroom retry`. `claimable_at` (epoch ms) is 0 when queued, next_attempt_at when retrying,
// lease_until while sending and NULL once final, so every claim is one range scan of the partial
// index (campaign_id, claimable_at). A row already `sent` is never moved by a late outcome.
import { departuresFrom, toDelivery } from '../ledger-rows.js';
import { permitsFrom } from '../permits.js';
import type { Delivery, DeliveryOutcome, SendPermits, SubscriberStatus } from '../store.js';
import { ACTIVE_SUBSCRIBER_IDS } from './audience.js';
import { markStarted, reopenCampaign } from './campaigns.js';
import { withFragments, type Dialect } from './dialect.js';
import { bounceSubscriber } from './subscribers.js';

const NOT_SENT = `campaign_id = $1 AND subscriber_id = $2 AND state <> 'sent'`;

const SQL = {
  // $1 campaign, $2 subscriber, $3 code, $4 response.
  markSent: `UPDATE deliveries SET state = 'sent', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = $3, smtp_response = $4, temporary = false
      WHERE campaign_id = $1 AND subscriber_id = $2`,
  markRetry: `UPDATE deliveries SET state = 'retry', claimable_at = $3, next_attempt_at = $3, lease_until = NULL,
        smtp_code = $4, smtp_response = $5, temporary = true
      WHERE ${NOT_SENT}`,
  markFailed: `UPDATE deliveries SET state = 'failed', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = $3, smtp_response = $4, bounced = $5, temporary = $6
      WHERE ${NOT_SENT}`,
  markUnknown: `UPDATE deliveries SET state = 'unknown', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL,
        smtp_code = $3, smtp_response = $4, temporary = false
      WHERE ${NOT_SENT}`,
  nextRetryAt: `SELECT min(claimable_at) AS at FROM deliveries
      WHERE campaign_id = $1 AND claimable_at IS NOT NULL AND state = 'retry'`,
  releaseClaims: `UPDATE deliveries SET state = 'queued', claimable_at = 0, lease_until = NULL, worker_id = NULL,
        attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
      WHERE campaign_id = $1 AND worker_id = $2 AND state = 'sending'`,
  requeueTemporaryFailures: `UPDATE deliveries SET state = 'queued', claimable_at = 0, next_attempt_at = NULL,
        lease_until = NULL, worker_id = NULL, attempts = 0, temporary = false
      WHERE campaign_id = $1 AND state = 'failed' AND temporary = true
        AND subscriber_id IN (${ACTIVE_SUBSCRIBER_IDS})`,
  requeueUnknownOutcomes: `UPDATE deliveries SET state = 'queued', claimable_at = 0, next_attempt_at = NULL,
        lease_until = NULL, worker_id = NULL, attempts = 0
      WHERE campaign_id = $1 AND state = 'unknown'
        AND subscriber_id IN (${ACTIVE_SUBSCRIBER_IDS})`,
} as const;

/** Statuses of the given ids ($1) that still exist (see departuresFrom). */
const subscriberStatusesSql = withFragments((f) => `SELECT s.id, s.status FROM subscribers s WHERE ${f.idIn('s.id', '$1')}`);

export async function claimBatch(db: Dialect, campaignId: number, workerId: string, limit: number, leaseMs: number, now: number): Promise<Delivery[]> {
  const rows = await db.claimDeliveries(campaignId, { workerId, limit, now, leaseUntil: now + leaseMs });
  if (rows.length > 0) await markStarted(db, campaignId, new Date(now));
  return rows.map(toDelivery);
}

export async function markSent(db: Dialect, campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
  await db.run(SQL.markSent, [campaignId, subscriberId, outcome.smtpCode, outcome.smtpResponse]);
}

/** The SQL markSentMany must match row by row (the dialects batch it their own way). */
export const MARK_SENT_SQL = SQL.markSent;

export async function markRetry(db: Dialect, campaignId: number, subscriberId: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
  await db.run(SQL.markRetry, [campaignId, subscriberId, nextAttemptAt, outcome.smtpCode, outcome.smtpResponse]);
}

export function markFailed(db: Dialect, campaignId: number, subscriberId: number, outcome: DeliveryOutcome & { bounced: boolean; temporary: boolean }): Promise<void> {
  return db.transaction(async (tx) => {
    const params = [campaignId, subscriberId, outcome.smtpCode, outcome.smtpResponse, outcome.bounced, outcome.temporary];
    const changed = await tx.run(SQL.markFailed, params);
    if (changed > 0 && outcome.bounced) await bounceSubscriber(tx, subscriberId);
  });
}

export async function markUnknown(db: Dialect, campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
  await db.run(SQL.markUnknown, [campaignId, subscriberId, outcome.smtpCode, outcome.smtpResponse]);
}

export async function departedSubscribers(db: Dialect, ids: number[]): Promise<Map<number, SubscriberStatus | 'removed'>> {
  if (ids.length === 0) return new Map();
  return departuresFrom(ids, await db.all<{ id: number; status: SubscriberStatus }>(subscriberStatusesSql(db.fragments), [db.list(ids)]));
}

export function releaseClaims(db: Dialect, campaignId: number, workerId: string): Promise<number> {
  return db.run(SQL.releaseClaims, [campaignId, workerId]);
}

export function requeueTemporaryFailures(db: Dialect, campaignId: number): Promise<number> {
  return requeue(db, SQL.requeueTemporaryFailures, campaignId);
}

export function requeueUnknownOutcomes(db: Dialect, campaignId: number): Promise<number> {
  return requeue(db, SQL.requeueUnknownOutcomes, campaignId);
}

/** Re-queued rows re-open a finished campaign. */
function requeue(db: Dialect, statement: string, campaignId: number): Promise<number> {
  return db.transaction(async (tx) => {
    const n = await tx.run(statement, [campaignId]);
    if (n > 0) await reopenCampaign(tx, campaignId);
    return n;
  });
}

export async function nextRetryAt(db: Dialect, campaignId: number): Promise<number | null> {
  return (await db.one<{ at: number | null }>(SQL.nextRetryAt, [campaignId]))?.at ?? null;
}

export async function takeSendPermits(db: Dialect, campaignId: number, want: number, ratePerSecond: number, burst: number, now: number | null): Promise<SendPermits> {
  const bucket = { campaignId, want: Math.max(0, Math.floor(want)), rate: ratePerSecond, burst: Math.max(1, burst), now };
  return permitsFrom(await db.takeTokens(bucket), want, ratePerSecond, burst);
}
