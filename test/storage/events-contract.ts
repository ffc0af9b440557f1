// The outbound event queue on both adapters (run by sqlite.test.ts and postgres.test.ts): each
// change records its event once, in its own transaction; claims lease events so two processes
// never hold one; retries come due; erasure takes the events that carry the address; prune keeps
// what is still to be delivered.
import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src/domain/events.js';
import type { FeedbackPolicy } from '../../src/domain/feedback.js';
import type { Store } from '../../src/storage/store.js';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-03-01T00:00:00.000Z');
const POLICY: FeedbackPolicy = { softLimit: 3, softWindowDays: 30, minSample: 500, bouncePauseAbove: 0.05, complaintPauseAbove: 0.001 };

/** Every queued event, oldest first, as its receiver will read it. */
async function drainAll(store: Store, now = T0.getTime() + 1): Promise<EventPayload[]> {
  const claimed = await store.claimEvents('w1', 100, 60_000, now);
  for (const e of claimed) await store.markEventDelivered(e.id, 204);
  return claimed.sort((a, b) => a.id - b.id).map((e) => JSON.parse(e.payload) as EventPayload);
}

export function eventsContract(name: string, harness: Harness): void {
  describe(`${name} outbound event queue`, () => {
    it('records each subscriber change once: confirmed, unsubscribed, bounced, complained', async () => {
      const { store } = await harness.fresh();
      const a = await store.addSubscriber({ email: 'a@example.org', status: 'pending' }, T0);
      const b = await store.addSubscriber({ email: 'b@example.org' }, T0);
      const c = await store.addSubscriber({ email: 'c@example.org' }, T0);
      expect(await store.setSubscriberStatus(a.id, 'active', T0, 'pending')).toBe(true);
      expect(await store.setSubscriberStatus(a.id, 'active', T0, 'pending')).toBe(false); // a second click
      expect(await store.setSubscriberStatus(b.id, 'unsubscribed', T0)).toBe(true);
      expect(await store.setSubscriberStatus(b.id, 'unsubscribed', T0)).toBe(false); // one-click again
      const { campaign } = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] }, T0);
      await store.claimBatch(campaign.id, 'w1', 10, 60_000, T0.getTime());
      const complaint = { source: 'smtp' as const, status: null, diagnostic: null, occurredAt: T0, kind: 'complaint' as const };
      await store.recordFeedback({ ...complaint, target: { by: 'token', campaignId: campaign.id, subscriberId: c.id }, eventId: 'arf-1' }, POLICY, T0);
      await store.recordFeedback({ ...complaint, target: { by: 'token', campaignId: campaign.id, subscriberId: c.id }, eventId: 'arf-2' }, POLICY, T0);
      await store.recordFeedback({ ...complaint, kind: 'hard-bounce', target: { by: 'token', campaignId: campaign.id, subscriberId: a.id }, eventId: 'dsn-1' }, POLICY, T0);

      const events = await drainAll(store);
      expect(events.map((e) => e.type)).toEqual(['subscriber.confirmed', 'subscriber.unsubscribed', 'campaign.started', 'subscriber.complained', 'subscriber.bounced']);
      expect(events[0]).toEqual({ type: 'subscriber.confirmed', timestamp: T0.toISOString(), data: { subscriber: { id: a.id, email: 'a@example.org', status: 'active' } } });
      expect(events[2]!.data).toEqual({ campaign: { id: campaign.id, slug: 'issue-1' } });
      expect(events[3]!.data).toEqual({ subscriber: { id: c.id, email: 'c@example.org', status: 'complained' } });
      expect(await drainAll(store)).toEqual([]);
      await store.close();
    });

    it('records a campaign started once, paused with its reason, and finished', async () => {
      const { store } = await harness.fresh();
      await store.addSubscriber({ email: 'a@example.org' }, T0);
      const { campaign } = await store.createCampaign({ slug: 'issue-2', title: 'Issue 2', topics: [] }, T0);
      expect(await store.pauseCampaign(campaign.id, 'bounce rate 6% above 5%', T0)).toBe(true);
      expect(await store.pauseCampaign(campaign.id, 'again', T0)).toBe(false);
      await store.resumeCampaign(campaign.id);
      const [row] = await store.claimBatch(campaign.id, 'w1', 10, 60_000, T0.getTime());
      expect(await store.claimBatch(campaign.id, 'w1', 10, 60_000, T0.getTime())).toEqual([]);
      await store.markSentMany(campaign.id, [{ subscriberId: row!.subscriberId, smtpCode: 250, smtpResponse: '250 ok' }]);
      expect(await store.finishCampaignIfDone(campaign.id, T0)).toBe(true);
      expect(await store.finishCampaignIfDone(campaign.id, T0)).toBe(true);
      const events = await drainAll(store);
      expect(events.map((e) => [e.type, e.data])).toEqual([
        ['campaign.paused', { campaign: { id: campaign.id, slug: 'issue-2', reason: 'bounce rate 6% above 5%' } }],
        ['campaign.started', { campaign: { id: campaign.id, slug: 'issue-2' } }],
        ['campaign.finished', { campaign: { id: campaign.id, slug: 'issue-2' } }],
      ]);
      await store.close();
    });

    it('leases a claimed event to one worker, brings retries back when due, and keeps the message id on every attempt', async () => {
      const { store } = await harness.fresh();
      const s = await store.addSubscriber({ email: 'a@example.org' }, T0);
      await store.setSubscriberStatus(s.id, 'unsubscribed', T0);
      const now = T0.getTime() + 1;
      const [first] = await store.claimEvents('w1', 10, 60_000, now);
      expect(first).toMatchObject({ type: 'subscriber.unsubscribed', attempts: 1 });
      expect(first!.msgId).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(await store.claimEvents('w2', 10, 60_000, now)).toEqual([]);
      expect(await store.nextEventDueAt()).toBe(now + 60_000);
      await store.markEventRetry(first!.id, now + 5_000, 503, 'HTTP 503 Service Unavailable');
      expect(await store.claimEvents('w2', 10, 60_000, now + 4_999)).toEqual([]);
      const [again] = await store.claimEvents('w2', 10, 60_000, now + 5_000);
      expect(again).toMatchObject({ id: first!.id, msgId: first!.msgId, payload: first!.payload, attempts: 2 });
      await store.markEventFailed(again!.id, 410, 'HTTP 410 Gone');
      const report = await store.eventQueueReport();
      expect(report).toMatchObject({ queued: 0, retrying: 0, delivered: 0, failed: 1 });
      expect(report.recentFailures).toEqual([
        { msgId: first!.msgId, type: 'subscriber.unsubscribed', attempts: 2, lastStatus: 410, lastError: 'HTTP 410 Gone', createdAt: T0.toISOString() },
      ]);
      expect(await store.nextEventDueAt()).toBeNull();
      await store.close();
    });

    it('erasure deletes the events that carry the address; prune keeps undelivered events unless told', async () => {
      const { store } = await harness.fresh();
      const a = await store.addSubscriber({ email: 'gone@example.org' }, T0);
      const b = await store.addSubscriber({ email: 'kept@example.org' }, T0);
      await store.setSubscriberStatus(a.id, 'unsubscribed', T0);
      await store.setSubscriberStatus(b.id, 'unsubscribed', T0);
      expect(await store.eraseSubscriber('gone@example.org')).toBe(true);
      const [left] = await store.claimEvents('w1', 10, 60_000, T0.getTime() + 1);
      expect(left!.payload).toContain('kept@example.org');
      expect(await store.claimEvents('w1', 10, 60_000, T0.getTime() + 1)).toEqual([]);
      await store.markEventRetry(left!.id, T0.getTime() + 2, 500, 'HTTP 500');
      const later = new Date(T0.getTime() + 86_400_000);
      expect(await store.pruneEvents(later, false)).toBe(0);
      expect(await store.pruneEvents(later, true)).toBe(1);
      expect((await store.eventQueueReport()).retrying).toBe(0);
      await store.close();
    });
  });
}
