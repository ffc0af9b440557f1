// `pressroom status`: campaigns as lines for people or as the API's JSON (campaignReport), and
// the counting words both it and `send` print.
import { campaignSummary } from '../domain/campaign-state.js';
import { percent } from '../domain/feedback.js';
import { storedCampaignReport } from '../storage/campaign-report.js';
import type { Campaign, CampaignStats, Store } from '../storage/store.js';
import { UsageError } from './common.js';

async function campaignsFor(store: Store, slug: string | undefined): Promise<Campaign[]> {
  if (!slug) return store.listCampaigns();
  const c = await store.getCampaign(slug);
  if (!c) throw new UsageError(`status: no campaign "${slug}" (campaigns are created by pressroom send)`);
  return [c];
}

export async function printStatusJson(store: Store, slug: string | undefined): Promise<void> {
  const reports = [];
  for (const c of await campaignsFor(store, slug)) reports.push(await storedCampaignReport(store, c));
  console.log(JSON.stringify(slug ? reports[0] : reports, null, 2));
}

export async function printStatus(store: Store, slug: string | undefined): Promise<void> {
  const campaigns = await campaignsFor(store, slug);
  if (campaigns.length === 0) {
    console.log('no campaigns yet');
    return;
  }
  for (const c of campaigns) {
    const s = await store.campaignStats(c.id);
    console.log(
      `${c.slug}: recipients ${c.recipients}, queued ${s.queued}, sending ${s.sending}, sent ${s.sent}, retrying ${s.retry}, ` +
        `failed ${s.failed}, bounced ${s.bounced}, unknown ${s.unknown}, started ${s.startedAt ?? '-'}, finished ${s.finishedAt ?? '-'}`,
    );
    console.log(`  ${stateLine(c, s)}`);
    console.log(`  transport ${c.transport ?? '- (the first sender records its own)'}`);
    if (s.unknown > 0) {
      console.log(`  ${plural(s.unknown, 'message')} lost after the final dot (may have arrived; not retried): pressroom retry ${c.slug} --unknown re-sends them`);
    }
    for (const w of await store.workerStats(c.id)) console.log(`  worker ${w.workerId}: sent ${w.sent}, sending ${w.sending}`);
  }
}

/** `state paused: <reason>; hard bounces 3 (1%), soft bounces 0 (0%), complaints 0 (0%), cancelled 0`. */
function stateLine(c: Campaign, s: CampaignStats): string {
  const m = campaignSummary(c, s);
  const state = m.pauseReason !== null ? `paused: ${m.pauseReason}` : m.state;
  return (
    `state ${state}; hard bounces ${m.hardBounces} (${percent(m.bounceRate)}), soft bounces ${m.softBounces} (${percent(m.softBounceRate)}), ` +
    `complaints ${m.complaints} (${percent(m.complaintRate)}), cancelled ${m.cancelled}`
  );
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
