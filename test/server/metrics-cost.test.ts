// What a /metrics scrape costs the store: figures are read at most once per interval, and one
// ledger aggregate covers every campaign. Counted through a wrapper around the real SQLite store.
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import { feedbackPolicy } from '../../src/domain/feedback.js';
import { FIGURES_MAX_AGE_MS } from '../../src/server/store-figures.js';
import { startHarness, type Harness } from './harness.js';

/** The real store, with every method call counted by name. */
function countingStore(store: Store, calls: Map<string, number>): Store {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function setUp() {
  const calls = new Map<string, number>();
  let clock = Date.parse('2026-06-01T00:00:00Z');
  h = await startHarness({ now: () => clock, configure: (c) => (c.metricsPublic = true), wrapStore: (s) => countingStore(s, calls) });
  const hh = h;
  /** Store calls made by one scrape, by method. */
  const scrape = async () => {
    calls.clear();
    const res = await hh.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return { body: res.body, calls: new Map(calls) };
  };
  return { hh, calls, scrape, advance: (ms: number) => (clock += ms) };
}

const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);

describe('/metrics store cost', () => {
  it('two scrapes within the interval read the store once', async () => {
    const { hh, scrape, advance } = await setUp();
    await hh.store.addSubscriber({ email: 'a@example.org' });
    const first = await scrape();
    expect(first.calls.get('ledgerTotals')).toBe(1);
    expect(first.body).toMatch(/^pressroom_subscribers\{status="active"\} 1$/m);

    await hh.store.addSubscriber({ email: 'b@example.org' });
    advance(FIGURES_MAX_AGE_MS - 1);
    const second = await scrape();
    expect(total(second.calls)).toBe(0);
    expect(second.body).toMatch(/^pressroom_subscribers\{status="active"\} 1$/m);

    advance(1);
    const third = await scrape();
    expect(third.calls.get('ledgerTotals')).toBe(1);
    expect(third.body).toMatch(/^pressroom_subscribers\{status="active"\} 2$/m);
  });

  it('concurrent scrapes share one read', async () => {
    const { hh, calls } = await setUp();
    calls.clear();
    const answers = await Promise.all([1, 2, 3].map(() => hh.server.app.inject({ method: 'GET', url: '/metrics' })));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(calls.get('ledgerTotals')).toBe(1);
    expect(calls.get('countSubscribers')).toBe(5);
  });

  it('costs the same few store calls for one campaign or forty, one of them the ledger aggregate', async () => {
    const { hh, scrape, advance } = await setUp();
    await hh.store.addSubscriber({ email: 'a@example.org' });
    await hh.store.createCampaign({ slug: 'c0', title: 'C0', topics: [] });
    const one = await scrape();
    for (let i = 1; i < 40; i++) await hh.store.createCampaign({ slug: `c${i}`, title: `C${i}`, topics: [] });
    advance(FIGURES_MAX_AGE_MS);
    const forty = await scrape();
    expect(forty.calls).toEqual(one.calls);
    expect(forty.calls.get('ledgerTotals')).toBe(1);
    expect(forty.calls.get('campaignStats')).toBeUndefined();
    expect(forty.calls.get('listCampaigns')).toBeUndefined();
    expect(forty.body).toMatch(/^pressroom_campaigns\{state="unfinished"\} 40$/m);
    expect(forty.body).toMatch(/^pressroom_messages_queued\{state="queued"\} 40$/m);
  });

  it("shows each recent campaign's sends, bounces and complaints with their rates, still from one read per interval", async () => {
    const { hh, scrape } = await setUp();
    await hh.store.importSubscribers(Array.from({ length: 20 }, (_, i) => ({ email: `r${i}@example.org` })));
    const { campaign } = await hh.store.createCampaign({ slug: 'issue-7', title: 'Issue 7', topics: [] });
    const rows = await hh.store.claimBatch(campaign.id, 'w', 100, 60_000);
    await hh.store.markSentMany(
      campaign.id,
      rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: 'ok' })),
    );
    const policy = feedbackPolicy(hh.config);
    const at = (i: number) => ({ by: 'token' as const, campaignId: campaign.id, subscriberId: rows[i]!.subscriberId });
    const base = { source: 'smtp' as const, status: null, diagnostic: null, occurredAt: new Date() };
    await hh.store.recordFeedback({ ...base, kind: 'hard-bounce', target: at(0), eventId: 'a' }, policy);
    await hh.store.recordFeedback({ ...base, kind: 'complaint', target: at(1), eventId: 'b' }, policy);
    const { body, calls } = await scrape();
    expect(calls.get('recentCampaignStats')).toBe(1);
    expect(body).toMatch(/^pressroom_campaign_messages\{campaign="issue-7",outcome="sent"\} 20$/m);
    expect(body).toMatch(/^pressroom_campaign_messages\{campaign="issue-7",outcome="hard_bounce"\} 1$/m);
    expect(body).toMatch(/^pressroom_campaign_messages\{campaign="issue-7",outcome="complaint"\} 1$/m);
    expect(body).toMatch(/^pressroom_campaign_feedback_rate\{campaign="issue-7",kind="hard_bounce"\} 0.05$/m);
    expect(body).toMatch(/^pressroom_campaign_feedback_rate\{campaign="issue-7",kind="complaint"\} 0.05$/m);
    expect(body).toMatch(/^pressroom_complaints_total 1$/m);
  });
});
