// The outbound event queue (webhook_events, migration 11), written once over the dialect: an event
// is inserted inside the transaction of the change it reports (subscribers.ts, feedback.ts,
// campaigns.ts, brakes.ts), claimed like system mail (the claim is hand-written per dialect), and
// once delivered never moved again.
import { randomUUID } from 'node:crypto';
import type { CampaignEventData, EventPayload, EventQueueReport, EventType, QueuedEvent, SubscriberEventData } from '../../domain/events.js';
import type { Dialect, Sql } from './dialect.js';

const SQL = {
  insert: `INSERT INTO webhook_events (msg_id, type, payload, subscriber_id, created_at, state, claimable_at) VALUES ($1, $2, $3, $4, $5, 'queued', 0)`,
  markDelivered: `UPDATE webhook_events SET state = 'delivered', claimable_at = NULL, lease_until = NULL, last_status = $2, last_error = NULL, delivered_at = $3
      WHERE id = $1 AND state <> 'delivered'`,
  // $1 id, $2 next attempt (epoch ms), $3 status, $4 error.
  markRetry: `UPDATE webhook_events SET state = 'retry', claimable_at = $2, lease_until = NULL, last_status = $3, last_error = $4
      WHERE id = $1 AND state <> 'delivered'`,
  markFailed: `UPDATE webhook_events SET state = 'failed', claimable_at = NULL, lease_until = NULL, last_status = $2, last_error = $3
      WHERE id = $1 AND state <> 'delivered'`,
  counts: `SELECT state, count(*) AS n FROM webhook_events GROUP BY state`,
  recentFailures: `SELECT msg_id, type, attempts, last_status, last_error, created_at FROM webhook_events
      WHERE state IN ('failed', 'retry') ORDER BY id DESC LIMIT 10`,
  nextDueAt: `SELECT min(claimable_at) AS at FROM webhook_events WHERE claimable_at IS NOT NULL`,
  // Finished events older than the retention; with no endpoint configured, queued ones too.
  prune: `DELETE FROM webhook_events WHERE created_at < $1 AND (claimable_at IS NULL OR CAST($2 AS boolean))`,
  eraseSubscriber: `DELETE FROM webhook_events WHERE subscriber_id = $1`,
} as const;

async function record(tx: Sql, type: EventType, data: CampaignEventData | SubscriberEventData, now: Date, subscriberId: number | null): Promise<void> {
  const body: EventPayload = { type, timestamp: now.toISOString(), data };
  const payload = JSON.stringify(body);
  await tx.run(SQL.insert, [`msg_${randomUUID().replaceAll('-', '')}`, type, payload, subscriberId, now]);
}

export function recordCampaignEvent(tx: Sql, type: EventType, campaign: CampaignEventData['campaign'], now: Date): Promise<void> {
  return record(tx, type, { campaign }, now, null);
}

export function recordSubscriberEvent(tx: Sql, type: EventType, subscriber: SubscriberEventData['subscriber'], now: Date): Promise<void> {
  return record(tx, type, { subscriber }, now, subscriber.id);
}

/** The event a subscriber's new status tells about, if any (a confirm is pending -> active). */
export function subscriberEventFor(status: string, from: string | undefined): EventType | null {
  if (status === 'active') return from === 'pending' ? 'subscriber.confirmed' : null;
  if (status === 'unsubscribed') return 'subscriber.unsubscribed';
  if (status === 'bounced') return 'subscriber.bounced';
  if (status === 'complained') return 'subscriber.complained';
  return null;
}

interface QueuedRow {
  id: number;
  msg_id: string;
  type: EventType;
  payload: string;
  attempts: number;
}

export async function claimEvents(db: Dialect, workerId: string, limit: number, leaseMs: number, now: number): Promise<QueuedEvent[]> {
  const rows = (await db.claimWebhookEvents({ workerId, limit, now, leaseUntil: now + leaseMs })) as QueuedRow[];
  return rows.map((r) => ({ id: Number(r.id), msgId: r.msg_id, type: r.type, payload: r.payload, attempts: Number(r.attempts) }));
}

export async function markEventDelivered(db: Dialect, id: number, status: number, now: Date): Promise<void> {
  await db.run(SQL.markDelivered, [id, status, now]);
}

export async function markEventRetry(db: Dialect, id: number, nextAttemptAt: number, status: number | null, error: string): Promise<void> {
  await db.run(SQL.markRetry, [id, nextAttemptAt, status, error]);
}

export async function markEventFailed(db: Dialect, id: number, status: number | null, error: string): Promise<void> {
  await db.run(SQL.markFailed, [id, status, error]);
}

export async function nextEventDueAt(db: Dialect): Promise<number | null> {
  const at = (await db.one<{ at: number | null }>(SQL.nextDueAt))?.at;
  return at === null || at === undefined ? null : Number(at);
}

/** Removes events created before `before`: delivered and failed ones, and with `queuedToo` (no endpoint) every one. */
export async function pruneEvents(db: Dialect, before: Date, queuedToo: boolean): Promise<number> {
  return db.run(SQL.prune, [before, queuedToo]);
}

/** Erasure: the events that carry the subscriber's address go with them. */
export async function eraseSubscriberEvents(tx: Sql, subscriberId: number): Promise<void> {
  await tx.run(SQL.eraseSubscriber, [subscriberId]);
}

export async function eventQueueReport(db: Dialect): Promise<EventQueueReport> {
  const counts = new Map((await db.all<{ state: string; n: number }>(SQL.counts)).map((r) => [r.state, Number(r.n)]));
  const failures = await db.all<{ msg_id: string; type: EventType; attempts: number; last_status: number | null; last_error: string | null; created_at: string | Date }>(
    SQL.recentFailures,
  );
  return {
    queued: (counts.get('queued') ?? 0) + (counts.get('sending') ?? 0),
    retrying: counts.get('retry') ?? 0,
    delivered: counts.get('delivered') ?? 0,
    failed: counts.get('failed') ?? 0,
    recentFailures: failures.map((f) => ({
      msgId: f.msg_id,
      type: f.type,
      attempts: Number(f.attempts),
      lastStatus: f.last_status === null ? null : Number(f.last_status),
      lastError: f.last_error,
      createdAt: new Date(f.created_at).toISOString(),
    })),
  };
}
