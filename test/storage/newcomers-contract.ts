// `pressroom send SLUG --newcomers` in the store (addNewcomers), held to the same assertions on both
// adapters (run by sqlite.test.ts and postgres.test.ts): the recipients the snapshot did not have
// get one queued row each, exactly once; whoever has a row, sent or not, is never added again.
import { describe, expect, it } from 'vitest';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-05-01T00:00:00.000Z');
const NOW = T0.getTime();

export function newcomersContract(name: string, harness: Harness): void {
  describe(`${name} newcomers`, () => {
    it('queues only the matching active subscribers without a row, reopens the campaign, and adds nobody the second time', async () => {
      const { store } = await harness.fresh();
      const early = await store.addSubscriber({ email: 'early@example.org' }, T0);
      const pending = await store.addSubscriber({ email: 'pending@example.org', status: 'pending' }, T0);
      const { campaign } = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: ['go'] }, T0);
      expect(campaign.recipients).toBe(1);
      await store.claimBatch(campaign.id, 'w', 10, 60_000, NOW);
      await store.markSent(campaign.id, early.id, { smtpCode: 250, smtpResponse: '250 ok' });
      expect(await store.finishCampaignIfDone(campaign.id, T0)).toBe(true);

      // After the snapshot: one joins wanting everything, one wants go, one wants only rust,
      // one unsubscribes at once, and the pending one confirms.
      await store.addSubscriber({ email: 'all@example.org' });
      await store.addSubscriber({ email: 'go@example.org', topics: ['Go'] });
      await store.addSubscriber({ email: 'rust@example.org', topics: ['rust'] });
      await store.addSubscriber({ email: 'left@example.org', status: 'unsubscribed' });
      expect(await store.setSubscriberStatus(pending.id, 'active')).toBe(true);

      expect(await store.addNewcomers(campaign.id)).toBe(3);
      const reopened = (await store.getCampaign('issue-1'))!;
      expect(reopened).toMatchObject({ recipients: 4, finishedAt: null });
      const stats = await store.campaignStats(campaign.id);
      expect(stats).toMatchObject({ sent: 1, queued: 3 });
      const batch = await store.claimBatch(campaign.id, 'w', 10, 60_000, NOW);
      expect(batch.map((d) => d.email).sort()).toEqual(['all@example.org', 'go@example.org', 'pending@example.org']);

      // Again, before and after they were sent: nobody is added, the campaign stays as it is.
      expect(await store.addNewcomers(campaign.id)).toBe(0);
      for (const d of batch) await store.markSent(campaign.id, d.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      expect(await store.finishCampaignIfDone(campaign.id)).toBe(true);
      expect(await store.addNewcomers(campaign.id)).toBe(0);
      const done = (await store.getCampaign('issue-1'))!;
      expect(done.recipients).toBe(4);
      expect(done.finishedAt).not.toBeNull();
      expect(await store.campaignStats(campaign.id)).toMatchObject({ sent: 4, queued: 0 });
      await store.close();
    });

    it('never re-adds a failed or unsubscribed-since row, gives a cancelled campaign nobody, and two racing connections add each newcomer once', async () => {
      const { store, another } = await harness.fresh();
      const failed = await store.addSubscriber({ email: 'failed@example.org' }, T0);
      const { campaign } = await store.createCampaign({ slug: 'issue-2', title: 'Issue 2', topics: [] }, T0);
      await store.claimBatch(campaign.id, 'w', 10, 60_000, NOW);
      await store.markFailed(campaign.id, failed.id, { smtpCode: 550, smtpResponse: '550 no', bounced: false, temporary: false });
      await store.importSubscribers(Array.from({ length: 30 }, (_, i) => ({ email: `new${i}@example.org` })));

      const other = await another();
      const [a, b] = await Promise.all([store.addNewcomers(campaign.id), other.addNewcomers(campaign.id)]);
      expect(a + b).toBe(30);
      expect(await store.campaignStats(campaign.id)).toMatchObject({ failed: 1, queued: 30 });
      expect((await store.getCampaign('issue-2'))!.recipients).toBe(31);
      await other.close();

      const { campaign: cancelled } = await store.createCampaign({ slug: 'issue-3', title: 'Issue 3', topics: [] }, T0);
      expect((await store.cancelCampaign(cancelled.id, T0)).applied).toBe(true);
      await store.addSubscriber({ email: 'later@example.org' });
      expect(await store.addNewcomers(cancelled.id)).toBe(0);
      expect((await store.getCampaign('issue-3'))!.recipients).toBe(cancelled.recipients);
      await store.close();
    });
  });
}
