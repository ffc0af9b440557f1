// The processes' heartbeats, the claims per worker id and the system mail counts (the console's
// health page), held to the same assertions on SQLite and PostgreSQL (run by sqlite.test.ts and
// postgres.test.ts).
import { describe, expect, it } from 'vitest';
import type { Harness } from './store-contract.js';

const MS = Date.parse('2026-01-01T00:00:00.000Z');
const beat = (workerId: string, mode = 'worker') => ({ workerId, mode, host: 'box', pid: 42, startedAt: MS });

export function workersContract(name: string, harness: Harness): void {
  describe(`${name} worker heartbeats and claims`, () => {
    it('keeps one row per worker id, updated by each beat; forgets the long silent; a clean stop removes its own', async () => {
      const { store, another } = await harness.fresh();
      await store.beatWorker(beat('a', 'start'), MS, 0);
      await store.beatWorker(beat('b'), MS + 1000, 0);
      await store.beatWorker({ ...beat('a', 'start'), pid: 43 }, MS + 5000, 0);
      expect(await store.listWorkerBeats()).toEqual([
        { workerId: 'a', mode: 'start', host: 'box', pid: 43, startedAt: MS, seenAt: MS + 5000 },
        { workerId: 'b', mode: 'worker', host: 'box', pid: 42, startedAt: MS, seenAt: MS + 1000 },
      ]);
      // Another process beating forgets rows not seen since forgetBefore (b, last seen at +1 s).
      const other = await another();
      await other.beatWorker(beat('c', 'serve'), MS + 9000, MS + 2000);
      expect((await store.listWorkerBeats()).map((b) => b.workerId)).toEqual(['a', 'c']);
      await store.endWorkerBeat('a');
      await store.endWorkerBeat('nobody');
      expect((await store.listWorkerBeats()).map((b) => b.workerId)).toEqual(['c']);
      await other.close();
      await store.close();
    });

    it('counts what each worker id holds in sending (ledger, system mail, events) and the system mail queue by state', async () => {
      const { store } = await harness.fresh();
      expect(await store.workerClaims()).toEqual([]);
      expect(await store.systemMailCounts()).toEqual({ queued: 0, retrying: 0, sent: 0, failed: 0 });
      const subs = [];
      for (const email of ['a@example.org', 'b@example.org', 'c@example.org']) subs.push(await store.addSubscriber({ email }));
      const { campaign } = await store.createCampaign({ slug: 's', title: 'S', topics: [] }, new Date(MS));
      expect(await store.claimBatch(campaign.id, 'w1', 2, 60_000, MS)).toHaveLength(2);
      expect(await store.claimBatch(campaign.id, 'w2', 5, 60_000, MS)).toHaveLength(1);
      for (const s of subs) await store.enqueueSystemMail('confirm', s.id, new Date(MS));
      const [mail] = await store.claimSystemMail('w2', 1, 60_000, MS);
      expect(await store.workerClaims()).toEqual([
        { workerId: 'w1', deliveries: 2, systemMail: 0, events: 0 },
        { workerId: 'w2', deliveries: 1, systemMail: 1, events: 0 },
      ]);
      expect(await store.systemMailCounts()).toEqual({ queued: 3, retrying: 0, sent: 0, failed: 0 });
      await store.markSystemMailSent(mail!.id, { smtpCode: 250, smtpResponse: '250 ok' });
      const [next] = await store.claimSystemMail('w1', 1, 60_000, MS);
      await store.markSystemMailRetry(next!.id, MS + 60_000, { smtpCode: 451, smtpResponse: '451 later' });
      expect(await store.systemMailCounts()).toEqual({ queued: 1, retrying: 1, sent: 1, failed: 0 });
      expect((await store.workerClaims()).find((c) => c.workerId === 'w2')).toEqual({ workerId: 'w2', deliveries: 1, systemMail: 0, events: 0 });
      await store.close();
    });
  });
}
