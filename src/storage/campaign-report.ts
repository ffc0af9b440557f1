// One campaign as `GET /api/campaigns/:slug`, `pressroom status --json` and the live stream show it:
// campaignReport (src/domain/campaign-state.ts) with the per-worker counts and the errors grouped
// by SMTP answer, read from the store in one place so the three cannot drift apart.
import { campaignReport } from '../domain/campaign-state.js';
import type { Campaign, Store } from './store.js';

export async function storedCampaignReport(store: Store, campaign: Campaign) {
  return { ...campaignReport(campaign, await store.campaignStats(campaign.id)), workers: await store.workerStats(campaign.id), errors: await store.campaignErrors(campaign.id) };
}
