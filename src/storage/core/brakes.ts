// The brakes of a campaign, written once over the dialect: pause (by an operator, or by the
// campaign itself when its bounce or complaint rate is too high), resume, and cancel. A paused or
// cancelled campaign is never claimed from (the claim statements of both dialects check the
// campaign row); what a worker already holds is finished or given back by the worker
// (src/delivery/brakes.ts).
import type { CancelOutcome } from '../store.js';
import { finishCampaignIfDone } from './campaigns.js';
import type { Dialect } from './dialect.js';
import { recordCampaignEvent } from './events.js';

const SQL = {
  // Compare-and-set: only a campaign that is running (not paused, cancelled or finished) pauses.
  pause: `UPDATE campaigns SET paused_at = $2, pause_reason = $3
      WHERE id = $1 AND paused_at IS NULL AND cancelled_at IS NULL AND finished_at IS NULL
      RETURNING slug`,
  // pause_reason stays: a reason without paused_at says an automatic pause was overruled (see Campaign.pauseReason).
  resume: `UPDATE campaigns SET paused_at = NULL WHERE id = $1 AND paused_at IS NOT NULL AND cancelled_at IS NULL`,
  cancel: `UPDATE campaigns SET cancelled_at = coalesce(cancelled_at, $2), paused_at = NULL WHERE id = $1 AND finished_at IS NULL`,
  // Unsent rows end `cancelled`; rows `sending` under a live lease are their worker's to finish,
  // those whose lease has passed (their worker died) were never going to be finished by it. One
  // range scan of the claim index: every unfinished row has claimable_at set.
  cancelRows: `UPDATE deliveries SET state = 'cancelled', claimable_at = NULL, lease_until = NULL, next_attempt_at = NULL
      WHERE campaign_id = $1 AND claimable_at IS NOT NULL AND (state <> 'sending' OR claimable_at <= $2)`,
} as const;

export function pauseCampaign(db: Dialect, campaignId: number, reason: string | null, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const paused = await tx.one<{ slug: string }>(SQL.pause, [campaignId, now, reason]);
    if (paused) await recordCampaignEvent(tx, 'campaign.paused', { id: campaignId, slug: paused.slug, reason }, now);
    return paused !== undefined;
  });
}

export async function resumeCampaign(db: Dialect, campaignId: number): Promise<boolean> {
  return (await db.run(SQL.resume, [campaignId])) > 0;
}

/** Idempotent: a second call (after the workers gave their claims back, or a dead worker's lease ran out) cancels what is left. */
export async function cancelCampaign(db: Dialect, campaignId: number, now: Date): Promise<CancelOutcome> {
  const { applied, rows } = await db.transaction(async (tx) => {
    const applied = (await tx.run(SQL.cancel, [campaignId, now])) > 0;
    const rows = applied ? await tx.run(SQL.cancelRows, [campaignId, now.getTime()]) : 0;
    return { applied, rows };
  });
  return { applied, rows, finished: applied ? await finishCampaignIfDone(db, campaignId, now) : false };
}
