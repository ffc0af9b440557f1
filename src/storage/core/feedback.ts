// What a bounce or complaint does, written once over the dialect for every reader (inbound SMTP,
// IMAP, webhooks). In one transaction: find the ledger row, record the event once per
// (source, event id), then mark the row and the subscriber. Hard bounce: the subscriber becomes
// `bounced`. Soft bounce: counted; policy.softLimit of them within policy.softWindowDays make it
// `bounced`. Complaint: `complained`, never mailed again. Each of the three suppresses the address.
import type { FeedbackEvent, FeedbackOutcome, FeedbackPolicy } from '../../domain/feedback.js';
import { emailKey } from '../email.js';
import type { SubscriberStatus } from '../store.js';
import type { Dialect, Sql } from './dialect.js';
import { recordSubscriberEvent } from './events.js';
import { bounceSubscriber, cancelPendingDeliveries } from './subscribers.js';
import { suppress } from './suppressions.js';

const SQL = {
  ledgerRow: `SELECT d.campaign_id, d.subscriber_id FROM deliveries d WHERE d.campaign_id = $1 AND d.subscriber_id = $2`,
  subscriberByKey: `SELECT id, email_key, status FROM subscribers WHERE email_key = $1`,
  subscriberById: `SELECT id, email_key, status FROM subscribers WHERE id = $1`,
  campaignBySlug: `SELECT id FROM campaigns WHERE slug = $1`,
  // The newest campaign this subscriber was sent (index deliveries_sent_to).
  newestSentTo: `SELECT campaign_id FROM deliveries WHERE subscriber_id = $1 AND state = 'sent' ORDER BY campaign_id DESC LIMIT 1`,
  insertEvent: `INSERT INTO feedback_events (source, event_id, kind, campaign_id, subscriber_id, status, diagnostic, occurred_at, recorded_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
      ON CONFLICT (source, event_id) DO NOTHING RETURNING id`,
  // $1 campaign, $2 subscriber, $3 status, $4 diagnostic.
  markHardBounce: `UPDATE deliveries SET bounced = true, feedback_status = $3, feedback_diagnostic = $4 WHERE campaign_id = $1 AND subscriber_id = $2`,
  markSoftBounce: `UPDATE deliveries SET soft_bounces = soft_bounces + 1, feedback_status = coalesce(feedback_status, $3),
        feedback_diagnostic = coalesce(feedback_diagnostic, $4)
      WHERE campaign_id = $1 AND subscriber_id = $2`,
  markComplaint: `UPDATE deliveries SET complained = true, feedback_status = coalesce(feedback_status, $3), feedback_diagnostic = $4
      WHERE campaign_id = $1 AND subscriber_id = $2`,
  // $1 subscriber, $2 since (the window's start).
  softBouncesSince: `SELECT count(*) AS n FROM feedback_events WHERE subscriber_id = $1 AND kind = 'soft-bounce' AND occurred_at >= $2`,
  complain: `UPDATE subscribers SET status = 'complained' WHERE id = $1 AND status <> 'complained' RETURNING email`,
} as const;

interface SubscriberHit {
  id: number;
  email_key: string;
  status: SubscriberStatus;
}

/** The ledger row and subscriber an event is about, or null when nothing here matches it. */
async function resolveTarget(tx: Sql, event: FeedbackEvent): Promise<{ campaignId: number | null; subscriberId: number; subscriber: SubscriberHit | undefined } | null> {
  const { target } = event;
  if (target.by === 'token') {
    const row = await tx.one<{ campaign_id: number; subscriber_id: number }>(SQL.ledgerRow, [target.campaignId, target.subscriberId]);
    if (!row) return null;
    return { campaignId: row.campaign_id, subscriberId: row.subscriber_id, subscriber: await tx.one<SubscriberHit>(SQL.subscriberById, [row.subscriber_id]) };
  }
  let key: string;
  try {
    key = emailKey(target.address);
  } catch {
    return null;
  }
  const subscriber = await tx.one<SubscriberHit>(SQL.subscriberByKey, [key]);
  if (!subscriber) return null;
  const named = target.campaignSlug ? await tx.one<{ id: number }>(SQL.campaignBySlug, [target.campaignSlug]) : undefined;
  let campaignId = named?.id ?? null;
  if (named) {
    const row = await tx.one<{ campaign_id: number }>(SQL.ledgerRow, [named.id, subscriber.id]);
    if (!row) campaignId = null;
  }
  if (campaignId === null) campaignId = (await tx.one<{ campaign_id: number }>(SQL.newestSentTo, [subscriber.id]))?.campaign_id ?? null;
  return { campaignId, subscriberId: subscriber.id, subscriber };
}

export function recordFeedback(db: Dialect, event: FeedbackEvent, policy: FeedbackPolicy, now: Date): Promise<FeedbackOutcome> {
  return db.transaction(async (tx) => {
    const found = await resolveTarget(tx, event);
    if (!found) return { result: 'unknown-recipient', campaignId: null, subscriberId: null };
    const { campaignId, subscriberId, subscriber } = found;
    const inserted = await tx.one<{ id: number }>(SQL.insertEvent, [
      event.source,
      event.eventId,
      event.kind,
      campaignId,
      subscriberId,
      event.status,
      event.diagnostic,
      event.occurredAt,
      now,
    ]);
    if (!inserted) return { result: 'duplicate', campaignId, subscriberId };
    const row = [campaignId, subscriberId, event.status, event.diagnostic];
    if (event.kind === 'hard-bounce') {
      if (campaignId !== null) await tx.run(SQL.markHardBounce, row);
      await bounce(tx, subscriber, now);
    } else if (event.kind === 'soft-bounce') {
      if (campaignId !== null) await tx.run(SQL.markSoftBounce, row);
      const since = new Date(now.getTime() - policy.softWindowDays * 86_400_000);
      const recent = await tx.one<{ n: number }>(SQL.softBouncesSince, [subscriberId, since]);
      if (Number(recent?.n ?? 0) >= policy.softLimit) await bounce(tx, subscriber, now);
    } else {
      if (campaignId !== null) await tx.run(SQL.markComplaint, row);
      if (subscriber) {
        const complained = await tx.one<{ email: string }>(SQL.complain, [subscriber.id]);
        if (complained) await recordSubscriberEvent(tx, 'subscriber.complained', { id: subscriber.id, email: complained.email, status: 'complained' }, now);
        await cancelPendingDeliveries(tx, subscriber.id, 'not sent: subscriber complained before sending');
        await suppress(tx, subscriber.email_key, 'complained', now);
      }
    }
    return { result: 'recorded', campaignId, subscriberId };
  });
}

/** A complaint is stronger than a bounce: a complained subscriber stays complained. */
async function bounce(tx: Sql, subscriber: SubscriberHit | undefined, now: Date): Promise<void> {
  if (!subscriber || subscriber.status === 'complained') return;
  await bounceSubscriber(tx, subscriber.id, now);
}
