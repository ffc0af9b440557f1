// Pause, resume and cancel from HTTP (the API and the console's buttons): the same checks and
// the store's compare-and-set, in one place. The rules are src/domain/campaign-state.ts.
import { brakeRefusal, type BrakeAction } from '../domain/campaign-state.js';
import type { Campaign, Store } from '../storage/store.js';

export const BRAKE_ACTIONS: readonly BrakeAction[] = ['pause', 'resume', 'cancel'];

export type BrakeResult = { ok: true; campaign: Campaign } | { ok: false; status: 404 | 409; error: string };

/** Applies the brake and returns the campaign after it, or why not (404 unknown, 409 does not apply). */
export async function applyBrake(store: Store, slug: string, action: BrakeAction): Promise<BrakeResult> {
  const campaign = await store.getCampaign(slug);
  if (!campaign) return { ok: false, status: 404, error: `no campaign "${slug}"` };
  const refused = brakeRefusal(campaign, action);
  if (refused) return { ok: false, status: 409, error: refused };
  const applied = await brakeOnce(store, campaign.id, action);
  const after = (await store.getCampaign(slug)) ?? campaign;
  // The store's compare-and-set decides: someone else changed the campaign meanwhile.
  if (!applied) return { ok: false, status: 409, error: brakeRefusal(after, action) ?? `campaign ${slug} changed meanwhile` };
  return { ok: true, campaign: after };
}

async function brakeOnce(store: Store, campaignId: number, action: BrakeAction): Promise<boolean> {
  if (action === 'pause') return store.pauseCampaign(campaignId, null);
  if (action === 'resume') return store.resumeCampaign(campaignId);
  return (await store.cancelCampaign(campaignId)).applied;
}
