// What a campaign is doing, and whether a brake applies to it: one rule for `pressroom status`,
// `pressroom pause|resume|cancel` and the API (src/server/api.ts), as pure functions over the
// campaign row and its counts.
import { feedbackRates } from './feedback.js';

interface CampaignFields {
  slug: string;
  startedAt: string | null;
  finishedAt: string | null;
  pausedAt: string | null;
  pauseReason: string | null;
  cancelledAt: string | null;
}

interface CampaignCounts {
  sent: number;
  cancelled: number;
  bounced: number;
  softBounced: number;
  complained: number;
  attempted: number;
}

/**
 * `queued`: nothing claimed yet; `sending`; `paused`; `cancelling`: cancelled, with messages still
 * in flight; `cancelled`: cancelled and nothing left in flight; `finished`: nothing left to send.
 */
export type CampaignState = 'queued' | 'sending' | 'paused' | 'cancelling' | 'cancelled' | 'finished';

export function campaignState(c: CampaignFields): CampaignState {
  if (c.cancelledAt !== null) return c.finishedAt !== null ? 'cancelled' : 'cancelling';
  if (c.finishedAt !== null) return 'finished';
  if (c.pausedAt !== null) return 'paused';
  return c.startedAt !== null ? 'sending' : 'queued';
}

export type BrakeAction = 'pause' | 'resume' | 'cancel';

/** Why the action does not apply to the campaign as it is (one line, for a 409 or exit 1), or null when it does. */
export function brakeRefusal(c: CampaignFields, action: BrakeAction): string | null {
  const state = campaignState(c);
  if (state === 'finished' || state === 'cancelled') return `campaign ${c.slug} is ${state} (at ${c.cancelledAt ?? c.finishedAt}); nothing to ${action}`;
  if (action === 'pause' && state === 'paused') return `campaign ${c.slug} is already paused (since ${c.pausedAt})`;
  if (action === 'pause' && state === 'cancelling') return `campaign ${c.slug} is being cancelled; nothing to pause`;
  if (action === 'resume' && state === 'cancelling') return `campaign ${c.slug} is cancelled; it cannot be resumed`;
  if (action === 'resume' && state !== 'paused') return `campaign ${c.slug} is not paused`;
  return null;
}

/** The figures `status` and the API show for a campaign: its state, and its feedback counts and rates (feedbackRates). */
export interface CampaignSummary {
  state: CampaignState;
  /** Why it paused itself; null for an operator's pause, and when not paused. */
  pauseReason: string | null;
  sent: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  bounceRate: number;
  softBounceRate: number;
  complaintRate: number;
  /** Rows never sent because the campaign was cancelled. */
  cancelled: number;
}

export function campaignSummary(c: CampaignFields, s: CampaignCounts): CampaignSummary {
  const state = campaignState(c);
  return {
    state,
    pauseReason: state === 'paused' ? c.pauseReason : null,
    sent: s.sent,
    hardBounces: s.bounced,
    softBounces: s.softBounced,
    complaints: s.complained,
    ...feedbackRates(s),
    cancelled: s.cancelled,
  };
}
