// Pause, resume and cancel, held to the same assertions on both adapters (run by sqlite.test.ts and
// postgres.test.ts): claims take nothing from a paused or cancelled campaign, nor does an idle
// worker's pendingCampaigns offer it; resume gives every unsent row back; cancel ends the unsent rows.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/store.js';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-04-01T00:00:00.000Z');
const NOW = T0.getTime();
const LEASE = 60_000;

async function campaignOf(store: Store, n: number): Promise<number> {
  await store.importSubscribers(
    Array.from({ length: n }, (_, i) => ({ email: `reader${i}@example.org` })),
    T0,
  );
  return (await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] }, T0)).campaign.id;
}

export function brakesContract(name: string, harness: Harness): void {
  describe(`${name} pause, resume and cancel`, () => {
    it('a paused campaign gives no claims and is not pending; pause is compare-and-set; resume gives every row back', async () => {
      const { store } = await harness.fresh();
      const id = await campaignOf(store, 5);
      const first = await store.claimBatch(id, 'w1', 2, LEASE, NOW);
      expect(first).toHaveLength(2);
      expect(await store.pauseCampaign(id, null, T0)).toBe(true);
      expect(await store.pauseCampaign(id, 'again', T0)).toBe(false);
      expect(await store.getCampaign('issue-1')).toMatchObject({ pausedAt: T0.toISOString(), pauseReason: null, cancelledAt: null });
      expect(await store.claimBatch(id, 'w2', 10, LEASE, NOW)).toEqual([]);
      // Even rows whose lease has passed stay put while paused.
      expect(await store.claimBatch(id, 'w2', 10, LEASE, NOW + 2 * LEASE)).toEqual([]);
      expect(await store.pendingCampaigns(NOW)).toEqual([]);
      // The worker that held rows finishes one and gives the other back.
      await store.markSent(id, first[0]!.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      expect(await store.releaseClaims(id, 'w1')).toBe(1);
      expect(await store.finishCampaignIfDone(id, T0)).toBe(false);

      expect(await store.resumeCampaign(id)).toBe(true);
      expect(await store.resumeCampaign(id)).toBe(false);
      expect((await store.getCampaign('issue-1'))?.pausedAt).toBeNull();
      expect(await store.pendingCampaigns(NOW)).toEqual(['issue-1']);
      const rest = await store.claimBatch(id, 'w2', 10, LEASE, NOW);
      expect(rest.map((r) => r.subscriberId).sort((a, b) => a - b)).toHaveLength(4);
      expect(rest.map((r) => r.subscriberId)).not.toContain(first[0]!.subscriberId);
      expect(await store.campaignStats(id)).toMatchObject({ sent: 1, sending: 4, queued: 0 });
      await store.close();
    });

    it('an automatic pause keeps its reason after the resume; a finished campaign cannot be paused', async () => {
      const { store } = await harness.fresh();
      const id = await campaignOf(store, 1);
      expect(await store.pauseCampaign(id, 'hard-bounce rate 9% (9 of 100) is above bounce.pauseAbove 5%', T0)).toBe(true);
      expect((await store.getCampaign('issue-1'))?.pauseReason).toMatch(/^hard-bounce rate 9%/);
      expect(await store.resumeCampaign(id)).toBe(true);
      expect(await store.getCampaign('issue-1')).toMatchObject({ pausedAt: null, pauseReason: expect.stringMatching(/^hard-bounce/) });
      const [row] = await store.claimBatch(id, 'w1', 10, LEASE, NOW);
      await store.markSent(id, row!.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      expect(await store.finishCampaignIfDone(id, T0)).toBe(true);
      expect(await store.pauseCampaign(id, null, T0)).toBe(false);
      expect(await store.resumeCampaign(id)).toBe(false);
      expect(await store.cancelCampaign(id, T0)).toEqual({ applied: false, rows: 0, finished: false });
      await store.close();
    });

    it('cancel ends queued, retrying and dead-lease rows, leaves live claims to their worker, and finishes when they are marked', async () => {
      const { store } = await harness.fresh();
      const id = await campaignOf(store, 6);
      const live = await store.claimBatch(id, 'live', 2, 10 * LEASE, NOW);
      const dead = await store.claimBatch(id, 'dead', 1, 1000, NOW);
      const retry = (await store.claimBatch(id, 'w', 1, LEASE, NOW))[0]!;
      await store.markRetry(id, retry.subscriberId, NOW + 3_600_000, { smtpCode: 451, smtpResponse: '451 later' });
      await store.pauseCampaign(id, null, T0);
      const later = new Date(NOW + 5000); // the dead worker's lease (1 s) has passed, the live one's has not
      expect(await store.cancelCampaign(id, later)).toEqual({ applied: true, rows: 4, finished: false });
      const campaign = (await store.getCampaign('issue-1'))!;
      expect(campaign).toMatchObject({ cancelledAt: later.toISOString(), pausedAt: null });
      expect(await store.campaignStats(id)).toMatchObject({ cancelled: 4, sending: 2, queued: 0, retry: 0 });
      expect(await store.claimBatch(id, 'w2', 10, LEASE, NOW + 100 * LEASE)).toEqual([]);
      expect(await store.pendingCampaigns(NOW + 6000)).toEqual([]);
      expect(await store.nextRetryAt(id)).toBeNull();
      expect(dead).toHaveLength(1);

      // The live worker: one message answered, the other never handed over (given back).
      await store.markSent(id, live[0]!.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      expect(await store.releaseClaims(id, 'live')).toBe(1);
      expect(await store.finishCampaignIfDone(id, later)).toBe(false); // the released row is queued again...
      expect(await store.cancelCampaign(id, later)).toEqual({ applied: true, rows: 1, finished: true }); // ...until the worker cancels it
      expect(await store.campaignStats(id)).toMatchObject({ sent: 1, cancelled: 5, sending: 0, queued: 0, finishedAt: later.toISOString() });
      expect(await store.cancelCampaign(id, later)).toEqual({ applied: false, rows: 0, finished: false });
      expect(await store.resumeCampaign(id)).toBe(false);
      await store.close();
    });

    it('a cancelled campaign whose worker died is pending once its lease has passed, so a worker can finish it', async () => {
      const { store } = await harness.fresh();
      const id = await campaignOf(store, 3);
      await store.claimBatch(id, 'dead', 3, 1000, NOW);
      expect(await store.cancelCampaign(id, T0)).toEqual({ applied: true, rows: 0, finished: false });
      expect(await store.pendingCampaigns(NOW)).toEqual([]);
      expect(await store.pendingCampaigns(NOW + 2000)).toEqual(['issue-1']);
      expect(await store.claimBatch(id, 'w2', 10, LEASE, NOW + 2000)).toEqual([]);
      expect(await store.cancelCampaign(id, new Date(NOW + 2000))).toEqual({ applied: true, rows: 3, finished: true });
      await store.close();
    });

    it('two stores: a pause written by one stops the claims of the other at once', async () => {
      const { store, another } = await harness.fresh();
      const id = await campaignOf(store, 4);
      const other = await another();
      expect(await other.claimBatch(id, 'w2', 1, LEASE, NOW)).toHaveLength(1);
      expect(await store.pauseCampaign(id, null, T0)).toBe(true);
      expect(await other.claimBatch(id, 'w2', 10, LEASE, NOW)).toEqual([]);
      expect((await other.getCampaign('issue-1'))?.pausedAt).toBe(T0.toISOString());
      await other.close();
      await store.close();
    });
  });
}
