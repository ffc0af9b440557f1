// Ledger rows as both adapters' SQL returns them (snake_case columns, epoch-ms numbers), and their
// mapping to what the rest of Pressroom sees.
import { isActive } from './core/audience.js';
import type { CampaignStats, Delivery, DeliveryState, LedgerTotals, SubscriberStatus } from './store.js';

export interface DeliveryRow {
  campaign_id: number;
  subscriber_id: number;
  email: string;
  name: string | null;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number | null;
  smtp_code: number | null;
  smtp_response: string | null;
  worker_id: string | null;
  lease_until: number | null;
}

export function toDelivery(r: DeliveryRow): Delivery {
  return {
    campaignId: r.campaign_id,
    subscriberId: r.subscriber_id,
    email: r.email,
    name: r.name,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    smtpCode: r.smtp_code,
    smtpResponse: r.smtp_response,
    workerId: r.worker_id,
    leaseUntil: r.lease_until,
  };
}

/** Store.departedSubscribers from the statuses of the ids that still exist: not active, or gone. */
export function departuresFrom(ids: number[], present: Array<{ id: number; status: SubscriberStatus }>): Map<number, SubscriberStatus | 'removed'> {
  const status = new Map(present.map((r) => [Number(r.id), r.status]));
  const departed = new Map<number, SubscriberStatus | 'removed'>();
  for (const id of ids) {
    const s = status.get(id);
    if (s === undefined || !isActive(s)) departed.set(id, s ?? 'removed');
  }
  return departed;
}

/** One row per state from the adapters' `campaignCounts` query. */
export interface StateCount {
  state: DeliveryState;
  n: number;
  bounced: number;
  soft_bounced: number;
  complained: number;
}

export function campaignStatsFrom(counts: StateCount[], startedAt: string | null, finishedAt: string | null): CampaignStats {
  const stats: CampaignStats = {
    queued: 0,
    sending: 0,
    sent: 0,
    retry: 0,
    failed: 0,
    unknown: 0,
    cancelled: 0,
    bounced: 0,
    softBounced: 0,
    complained: 0,
    attempted: 0,
    startedAt,
    finishedAt,
  };
  for (const r of counts) {
    // Counts come back as bigint text from some drivers' aggregates: Number() keeps the sums numeric.
    stats[r.state] = Number(r.n);
    stats.bounced += Number(r.bounced);
    stats.softBounced += Number(r.soft_bounced);
    stats.complained += Number(r.complained);
    if (r.state === 'failed') stats.attempted += Number(r.bounced);
  }
  stats.attempted += stats.sent;
  return stats;
}

/** From `ledgerCounts` (campaignCounts over every campaign) and `campaignTotals` (core/campaigns.ts). */
export function ledgerTotalsFrom(counts: StateCount[], campaigns: { total: number; finished: number }): LedgerTotals {
  const { startedAt: _s, finishedAt: _f, ...deliveries } = campaignStatsFrom(counts, null, null);
  return { deliveries, campaigns: { unfinished: campaigns.total - campaigns.finished, finished: campaigns.finished } };
}
