// What the webhook route tests share: a service (test/server/harness.ts) with a campaign sent to
// three readers, a log that can be read back, and a snapshot of what feedback may change.
import { pino } from 'pino';
import type { Config } from '../../src/config/config.js';
import type { WebhookOptions } from '../../src/webhooks/routes.js';
import { type Harness, startHarness } from '../server/harness.js';

export interface WebhookService {
  h: Harness;
  campaignId: number;
  /** reader0@example.org, reader1@example.org, reader2@example.org, by index. */
  ids: number[];
  logs: Array<{ level: number; msg: string; provider?: string }>;
  /** Warn lines (pino level 40) logged since the last call. */
  takeWarnings(): string[];
  /** Subscriber statuses and the campaign's feedback counts. */
  snapshot(): Promise<{ statuses: string[]; bounced: number; softBounced: number; complained: number }>;
  close(): Promise<void>;
}

export async function startWebhookService(configure: (config: Config) => void, webhooks?: WebhookOptions): Promise<WebhookService> {
  const logs: WebhookService['logs'] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const h = await startHarness({ configure, logger, webhooks });
  const T0 = new Date(Date.now() - 3_600_000);
  await h.store.importSubscribers(
    [0, 1, 2].map((i) => ({ email: `reader${i}@example.org` })),
    T0,
  );
  const { campaign } = await h.store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] }, T0);
  const rows = await h.store.claimBatch(campaign.id, 'w1', 10, 60_000, T0.getTime());
  await h.store.markSentMany(
    campaign.id,
    rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: '250 ok' })),
  );
  const ids: number[] = [];
  for (const i of [0, 1, 2]) ids.push((await h.store.findSubscriberByEmail(`reader${i}@example.org`))!.id);
  let seen = 0;
  return {
    h,
    campaignId: campaign.id,
    ids,
    logs,
    takeWarnings() {
      const warnings = logs.slice(seen).filter((l) => l.level === 40);
      seen = logs.length;
      return warnings.map((l) => l.msg);
    },
    async snapshot() {
      const statuses: string[] = [];
      for (const id of ids) statuses.push((await h.store.getSubscriber(id))!.status);
      const { bounced, softBounced, complained } = await h.store.campaignStats(campaign.id);
      return { statuses, bounced, softBounced, complained };
    },
    close: () => h.close(),
  };
}

export const UNTOUCHED = { statuses: ['active', 'active', 'active'], bounced: 0, softBounced: 0, complained: 0 };
