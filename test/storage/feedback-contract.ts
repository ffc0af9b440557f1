// What a bounce or complaint does to the ledger, the subscriber and the suppression list, held to
// the same assertions on both adapters (run by sqlite.test.ts and postgres.test.ts).
import { describe, expect, it } from 'vitest';
import type { FeedbackEvent, FeedbackPolicy } from '../../src/domain/feedback.js';
import type { Store } from '../../src/storage/store.js';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;
const POLICY: FeedbackPolicy = { softLimit: 3, softWindowDays: 30, minSample: 500, bouncePauseAbove: 0.05, complaintPauseAbove: 0.001 };

/** A campaign sent to `n` subscribers (all marked sent), as a relay that answers 250 leaves it. */
async function sentCampaign(store: Store, slug: string, n: number): Promise<{ campaignId: number; ids: number[] }> {
  if ((await store.countSubscribers()) === 0) {
    await store.importSubscribers(
      Array.from({ length: n }, (_, i) => ({ email: `reader${i}@example.org` })),
      T0,
    );
  }
  const { campaign } = await store.createCampaign({ slug, title: slug, topics: [] }, T0);
  const rows = await store.claimBatch(campaign.id, 'w1', 1000, 60_000, T0.getTime());
  await store.markSentMany(
    campaign.id,
    rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: '250 ok' })),
  );
  return { campaignId: campaign.id, ids: rows.map((r) => r.subscriberId).sort((a, b) => a - b) };
}

function event(over: Partial<FeedbackEvent> & Pick<FeedbackEvent, 'kind' | 'target' | 'eventId'>): FeedbackEvent {
  return { source: 'smtp', status: null, diagnostic: null, occurredAt: T0, ...over };
}

export function feedbackContract(name: string, harness: Harness): void {
  describe(`${name} bounces, complaints and suppression`, () => {
    it('a hard bounce by token marks the row and the subscriber once; a replay changes nothing', async () => {
      const { store } = await harness.fresh();
      const { campaignId, ids } = await sentCampaign(store, 'issue-1', 3);
      const bounce = event({
        kind: 'hard-bounce',
        target: { by: 'token', campaignId, subscriberId: ids[0]! },
        eventId: '<dsn-1@mx.example.org>',
        status: '5.1.1',
        diagnostic: 'smtp; 550 5.1.1 <reader0@example.org>: user unknown',
      });
      expect(await store.recordFeedback(bounce, POLICY, T0)).toEqual({ result: 'recorded', campaignId, subscriberId: ids[0] });
      expect(await store.recordFeedback(bounce, POLICY, T0)).toEqual({ result: 'duplicate', campaignId, subscriberId: ids[0] });
      expect((await store.getSubscriber(ids[0]!))?.status).toBe('bounced');
      expect((await store.getSubscriber(ids[1]!))?.status).toBe('active');
      const stats = await store.campaignStats(campaignId);
      expect(stats).toMatchObject({ sent: 3, bounced: 1, softBounced: 0, complained: 0, attempted: 3 });
      const exported = await store.exportSubscriber('reader0@example.org');
      expect(exported?.deliveries[0]).toMatchObject({ state: 'sent', bounced: true });
      await store.close();
    });

    it('a token naming no ledger row and an address nobody has are unknown recipients, and store nothing', async () => {
      const { store } = await harness.fresh();
      const { campaignId, ids } = await sentCampaign(store, 'issue-1', 2);
      const stray = event({ kind: 'hard-bounce', target: { by: 'token', campaignId: campaignId + 7, subscriberId: ids[0]! }, eventId: 'x1' });
      expect((await store.recordFeedback(stray, POLICY, T0)).result).toBe('unknown-recipient');
      const nobody = event({ kind: 'complaint', target: { by: 'address', address: 'nobody@example.org' }, eventId: 'x2', source: 'ses' });
      expect((await store.recordFeedback(nobody, POLICY, T0)).result).toBe('unknown-recipient');
      const junk = event({ kind: 'complaint', target: { by: 'address', address: 'not an address' }, eventId: 'x3', source: 'ses' });
      expect((await store.recordFeedback(junk, POLICY, T0)).result).toBe('unknown-recipient');
      expect(await store.campaignStats(campaignId)).toMatchObject({ bounced: 0, complained: 0 });
      expect((await store.getSubscriber(ids[0]!))?.status).toBe('active');
      await store.close();
    });

    it('a complaint by address lands on the newest campaign sent to it, or the one named', async () => {
      const { store } = await harness.fresh();
      const first = await sentCampaign(store, 'issue-1', 2);
      const second = await sentCampaign(store, 'issue-2', 2);
      const complaint = event({ kind: 'complaint', source: 'ses', target: { by: 'address', address: 'READER1@example.org' }, eventId: 'ses-1', diagnostic: 'abuse' });
      expect(await store.recordFeedback(complaint, POLICY, T0)).toMatchObject({ result: 'recorded', campaignId: second.campaignId });
      expect((await store.findSubscriberByEmail('reader1@example.org'))?.status).toBe('complained');
      const named = event({ kind: 'complaint', source: 'ses', target: { by: 'address', address: 'reader0@example.org', campaignSlug: 'issue-1' }, eventId: 'ses-2' });
      expect(await store.recordFeedback(named, POLICY, T0)).toMatchObject({ result: 'recorded', campaignId: first.campaignId });
      expect(await store.campaignStats(first.campaignId)).toMatchObject({ complained: 1, bounced: 0 });
      expect(await store.campaignStats(second.campaignId)).toMatchObject({ complained: 1, bounced: 0 });
      // The same event id from another source is another event.
      expect((await store.recordFeedback({ ...complaint, source: 'postmark' }, POLICY, T0)).result).toBe('recorded');
      // A later hard bounce does not turn a complaint into a bounce.
      const late = event({ kind: 'hard-bounce', target: { by: 'address', address: 'reader1@example.org' }, eventId: 'late' });
      await store.recordFeedback(late, POLICY, T0);
      expect((await store.findSubscriberByEmail('reader1@example.org'))?.status).toBe('complained');
      await store.close();
    });

    it('soft bounces count: softLimit of them within the window make the subscriber bounced, older ones do not', async () => {
      const { store } = await harness.fresh();
      const { campaignId, ids } = await sentCampaign(store, 'issue-1', 1);
      const id = ids[0]!;
      const soft = (n: number, at: Date) =>
        store.recordFeedback(
          event({ kind: 'soft-bounce', target: { by: 'token', campaignId, subscriberId: id }, eventId: `soft-${n}`, status: '4.2.2', occurredAt: at }),
          POLICY,
          at,
        );
      await soft(1, new Date(T0.getTime() - 40 * DAY)); // outside the 30-day window by the third
      await soft(2, new Date(T0.getTime() - 5 * DAY));
      await soft(3, T0);
      expect((await store.getSubscriber(id))?.status).toBe('active');
      expect(await store.campaignStats(campaignId)).toMatchObject({ softBounced: 1, bounced: 0 });
      await soft(4, new Date(T0.getTime() + DAY));
      expect((await store.getSubscriber(id))?.status).toBe('bounced');
      await store.close();
    });

    it('bounced, complained and unsubscribed addresses stay suppressed after removal and erasure; a re-import skips and counts them', async () => {
      const { store } = await harness.fresh();
      const { campaignId, ids } = await sentCampaign(store, 'issue-1', 4);
      await store.recordFeedback(
        event({ kind: 'hard-bounce', target: { by: 'token', campaignId, subscriberId: ids[0]! }, eventId: 'b', diagnostic: '550 5.1.1 <reader0@example.org> unknown' }),
        POLICY,
        T0,
      );
      await store.recordFeedback(event({ kind: 'complaint', target: { by: 'token', campaignId, subscriberId: ids[1]! }, eventId: 'c' }), POLICY, T0);
      await store.setSubscriberStatus(ids[2]!, 'unsubscribed', T0);
      expect(await store.removeSubscriber('reader0@example.org')).toBe(true);
      expect(await store.eraseSubscriber('reader1@example.org')).toBe(true);
      expect(await store.eraseSubscriber('reader2@example.org')).toBe(true);
      const again = ['Reader0@example.org', 'reader1@EXAMPLE.org', 'reader2@example.org', 'reader3@example.org', 'new@example.org'].map((email) => ({ email }));
      expect(await store.importSubscribers(again, T0)).toEqual({ added: 1, duplicates: 1, suppressed: 3 });
      expect(await store.findSubscriberByEmail('reader0@example.org')).toBeNull();
      await store.close();
    });

    it('a person who signs up again and confirms is no longer suppressed', async () => {
      const { store } = await harness.fresh();
      const s = await store.addSubscriber({ email: 'back@example.org' }, T0);
      await store.setSubscriberStatus(s.id, 'unsubscribed', T0);
      await store.removeSubscriber('back@example.org');
      expect((await store.importSubscribers([{ email: 'back@example.org' }], T0)).suppressed).toBe(1);
      const again = await store.addSubscriber({ email: 'back@example.org', status: 'pending' }, T0);
      expect(await store.setSubscriberStatus(again.id, 'active', T0, 'pending')).toBe(true);
      await store.removeSubscriber('back@example.org');
      expect(await store.importSubscribers([{ email: 'back@example.org' }], T0)).toEqual({ added: 1, duplicates: 0, suppressed: 0 });
      await store.close();
    });

    it('after an erasure the event is still known: its replay changes nothing, and nothing about the address is exported', async () => {
      const { store } = await harness.fresh();
      const { campaignId, ids } = await sentCampaign(store, 'issue-1', 1);
      const diagnostic = 'smtp; 550 5.1.1 <reader0@example.org>: Recipient address rejected';
      await store.recordFeedback(event({ kind: 'hard-bounce', target: { by: 'token', campaignId, subscriberId: ids[0]! }, eventId: 'e', diagnostic }), POLICY, T0);
      await store.eraseSubscriber('reader0@example.org');
      const again = await store.recordFeedback(event({ kind: 'hard-bounce', target: { by: 'token', campaignId, subscriberId: ids[0]! }, eventId: 'e' }), POLICY, T0);
      expect(again.result).toBe('duplicate'); // its diagnostic lost the address (test/storage/sqlite.test.ts reads the file)
      expect(await store.exportSubscriber('reader0@example.org')).toBeNull();
      await store.close();
    });
  });
}
