// The behaviour every Store adapter must have. Run by sqlite.test.ts and postgres.test.ts, so the
// two adapters are held to exactly the same assertions.
import { describe, expect, it } from 'vitest';
import { DuplicateSubscriberError, InvalidEmailError, type Store } from '../../src/storage/store.js';

export interface Harness {
  /** A store on a fresh, migrated, empty database, plus a way to open more connections to it. */
  fresh(): Promise<{ store: Store; another(): Promise<Store> }>;
}

const T0 = new Date('2026-01-01T00:00:00.000Z');

async function seed(store: Store, n: number, prefix = 'user'): Promise<void> {
  const rows = Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.org`, name: `User ${i}` }));
  await store.importSubscribers(rows, T0);
}

export function storeContract(name: string, harness: Harness): void {
  describe(`${name} store contract`, () => {
    it('migrate is safe to run again', async () => {
      const { store } = await harness.fresh();
      await store.migrate();
      await store.migrate();
      await store.addSubscriber({ email: 'a@example.org' });
      await store.migrate();
      expect(await store.countSubscribers()).toBe(1);
      await store.close();
    });

    it('adds a subscriber stored as given, with defaults, and rejects duplicates case-insensitively', async () => {
      const { store } = await harness.fresh();
      const s = await store.addSubscriber({ email: 'Ada.Lovelace@Example.ORG', name: 'Ada', topics: [' Go ', 'go', 'Rust'], source: 'cli' }, T0);
      expect(s.id).toBeTypeOf('number');
      expect(s).toMatchObject({
        email: 'Ada.Lovelace@Example.ORG',
        name: 'Ada',
        status: 'active',
        topics: ['go', 'rust'],
        createdAt: T0.toISOString(),
        confirmedAt: T0.toISOString(),
        unsubscribedAt: null,
        source: 'cli',
      });
      for (const dup of ['ada.lovelace@example.org', 'ADA.LOVELACE@EXAMPLE.ORG', 'Ada.Lovelace@example.org']) {
        await expect(store.addSubscriber({ email: dup })).rejects.toBeInstanceOf(DuplicateSubscriberError);
      }
      expect(await store.countSubscribers()).toBe(1);
      expect((await store.findSubscriberByEmail('ADA.lovelace@example.org'))?.id).toBe(s.id);
      expect(await store.findSubscriberByEmail('nobody@example.org')).toBeNull();
      expect((await store.getSubscriber(s.id))?.email).toBe('Ada.Lovelace@Example.ORG');
      expect(await store.getSubscriber(s.id + 1000)).toBeNull();

      const pending = await store.addSubscriber({ email: 'p@example.org', status: 'pending' }, T0);
      expect(pending.status).toBe('pending');
      expect(pending.confirmedAt).toBeNull();
      expect(pending.topics).toEqual([]);
      expect(pending.name).toBeNull();
      await store.close();
    });

    it('rejects invalid addresses with a one-line message', async () => {
      const { store } = await harness.fresh();
      for (const bad of ['foo@', '@example.org', 'no-at-sign', 'a@b@example.org', 'a b@example.org', 'a@example', 'x@example.org\r\nBcc: y@z.org', 'a@-x.org', '']) {
        const err = await store.addSubscriber({ email: bad }).catch((e: unknown) => e);
        expect(err, bad).toBeInstanceOf(InvalidEmailError);
        expect((err as Error).message).toContain(`email: ${JSON.stringify(bad)} is not an email address`);
        expect((err as Error).message).not.toContain('\n');
      }
      await store.addSubscriber({ email: 'root@localhost' });
      await store.addSubscriber({ email: 'first.last+tag@sub.example.co.uk' });
      await store.addSubscriber({ email: 'user@例子.中国' });
      expect(await store.countSubscribers()).toBe(3);
      // The sender cannot deliver to a non-ASCII local part (no SMTPUTF8): refused at the door.
      for (const bad of ['用户@例子.中国', 'josé@example.org']) {
        await expect(store.addSubscriber({ email: bad }), bad).rejects.toThrow(/non-ASCII characters before the @.*no SMTPUTF8/);
      }
      await store.close();
    });

    it('one mailbox is one subscriber: NFKC, IDNA and case spellings share the canonical key', async () => {
      const { store } = await harness.fresh();
      const ada = await store.addSubscriber({ email: 'ada@example.org' }, T0);
      for (const dup of ['ada@ｅxample.org', 'ａda@exａmple.org', 'ADA@ＥＸＡＭＰＬＥ.ORG']) {
        await expect(store.addSubscriber({ email: dup }), dup).rejects.toBeInstanceOf(DuplicateSubscriberError);
        expect((await store.findSubscriberByEmail(dup))?.id, dup).toBe(ada.id);
      }
      const idn = await store.addSubscriber({ email: 'jose@exämple.org' }, T0);
      expect(idn.email).toBe('jose@exämple.org');
      await expect(store.addSubscriber({ email: 'jose@xn--exmple-cua.org' })).rejects.toBeInstanceOf(DuplicateSubscriberError);
      expect(await store.importSubscribers([{ email: 'JOSE@XN--EXMPLE-CUA.ORG' }, { email: 'ada@ｅxample.org' }, { email: 'new@ｅxample.org' }], T0)).toEqual({
        added: 1,
        duplicates: 2,
        suppressed: 0,
      });
      // Stored NFKC-normalised, so the address shown is the one mailed.
      expect((await store.findSubscriberByEmail('new@example.org'))?.email).toBe('new@example.org');
      expect(await store.countSubscribers()).toBe(3);
      expect(await store.removeSubscriber('jose@xn--exmple-cua.org')).toBe(true);
      expect(await store.findSubscriberByEmail('jose@exämple.org')).toBeNull();
      await store.close();
    });

    it('imports idempotently, counting added and duplicates (stored, repeated, other case)', async () => {
      const { store } = await harness.fresh();
      await store.addSubscriber({ email: 'old@example.org' });
      const rows = [
        { email: 'a@example.org', name: 'A', topics: ['x'] },
        { email: 'b@example.org' },
        { email: 'A@EXAMPLE.org' }, // repeated in the same import, other case
        { email: 'OLD@example.org' }, // already stored
        { email: 'c@example.org', status: 'unsubscribed' as const },
      ];
      expect(await store.importSubscribers(rows, T0)).toEqual({ added: 3, duplicates: 2, suppressed: 0 });
      expect(await store.importSubscribers(rows, T0)).toEqual({ added: 0, duplicates: 5, suppressed: 0 });
      expect(await store.countSubscribers()).toBe(4);
      expect(await store.countSubscribers('unsubscribed')).toBe(1);
      const a = await store.findSubscriberByEmail('a@example.org');
      expect(a).toMatchObject({ email: 'a@example.org', name: 'A', topics: ['x'], status: 'active' });

      // One invalid row: nothing of the batch is written.
      await expect(store.importSubscribers([{ email: 'd@example.org' }, { email: 'bad@' }])).rejects.toBeInstanceOf(InvalidEmailError);
      expect(await store.findSubscriberByEmail('d@example.org')).toBeNull();
      expect(await store.importSubscribers([])).toEqual({ added: 0, duplicates: 0, suppressed: 0 });
      await store.close();
    });

    it('lists with keyset pagination and a status filter; counts', async () => {
      const { store } = await harness.fresh();
      await seed(store, 25);
      const all = await store.listSubscribers({ limit: 1000 });
      for (const s of all.filter((_, i) => i % 5 === 0)) await store.setSubscriberStatus(s.id, 'unsubscribed', T0);

      const seen: number[] = [];
      let afterId: number | undefined;
      const pageSizes: number[] = [];
      for (;;) {
        const page = await store.listSubscribers({ limit: 10, afterId });
        if (page.length === 0) break;
        pageSizes.push(page.length);
        seen.push(...page.map((s) => s.id));
        afterId = page[page.length - 1]!.id;
      }
      expect(pageSizes).toEqual([10, 10, 5]);
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
      expect(new Set(seen).size).toBe(25);

      const active: number[] = [];
      afterId = undefined;
      for (;;) {
        const page = await store.listSubscribers({ status: 'active', limit: 7, afterId });
        if (page.length === 0) break;
        expect(page.every((s) => s.status === 'active')).toBe(true);
        active.push(...page.map((s) => s.id));
        afterId = page[page.length - 1]!.id;
      }
      expect(active).toHaveLength(20);
      expect(await store.countSubscribers()).toBe(25);
      expect(await store.countSubscribers('active')).toBe(20);
      expect(await store.countSubscribers('unsubscribed')).toBe(5);
      expect(await store.countSubscribers('bounced')).toBe(0);
      await store.close();
    });

    it('changes status only from the expected one when asked (compare-and-set), across connections', async () => {
      const { store, another } = await harness.fresh();
      const other = await another();
      const s = await store.addSubscriber({ email: 'click@example.org', status: 'pending' }, T0);
      const wins = await Promise.all([
        store.setSubscriberStatus(s.id, 'active', T0, 'pending'),
        other.setSubscriberStatus(s.id, 'active', T0, 'pending'),
        store.setSubscriberStatus(s.id, 'active', T0, 'pending'),
      ]);
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await store.getSubscriber(s.id))?.status).toBe('active');
      expect(await store.setSubscriberStatus(s.id, 'unsubscribed', T0, 'pending')).toBe(false);
      expect((await store.getSubscriber(s.id))?.status).toBe('active');
      expect(await store.setSubscriberStatus(s.id, 'unsubscribed', T0)).toBe(true);
      await other.close();
      await store.close();
    });

    it('updates status (timestamps), topics, and removes', async () => {
      const { store } = await harness.fresh();
      const s = await store.addSubscriber({ email: 'x@example.org', status: 'pending' }, T0);
      const t1 = new Date('2026-02-01T00:00:00.000Z');
      await store.setSubscriberStatus(s.id, 'active', t1);
      expect(await store.getSubscriber(s.id)).toMatchObject({ status: 'active', confirmedAt: t1.toISOString() });
      const t2 = new Date('2026-03-01T00:00:00.000Z');
      await store.setSubscriberStatus(s.id, 'unsubscribed', t2);
      expect(await store.getSubscriber(s.id)).toMatchObject({ status: 'unsubscribed', confirmedAt: t1.toISOString(), unsubscribedAt: t2.toISOString() });
      await store.setSubscriberTopics(s.id, ['B', 'a', 'b']);
      expect((await store.getSubscriber(s.id))?.topics).toEqual(['b', 'a']);
      await store.setSubscriberTopics(s.id, []);
      expect((await store.getSubscriber(s.id))?.topics).toEqual([]);
      expect(await store.removeSubscriber('X@EXAMPLE.ORG')).toBe(true);
      expect(await store.removeSubscriber('x@example.org')).toBe(false);
      expect(await store.getSubscriber(s.id)).toBeNull();
      await store.close();
    });

    it('snapshots active subscribers whose topics are empty or intersect the issue topics; idempotent', async () => {
      const { store } = await harness.fresh();
      await store.addSubscriber({ email: 'all@example.org' });
      await store.addSubscriber({ email: 'go@example.org', topics: ['Go'] });
      await store.addSubscriber({ email: 'both@example.org', topics: ['rust', 'k8s'] });
      await store.addSubscriber({ email: 'rust@example.org', topics: ['rust'] });
      await store.addSubscriber({ email: 'pending@example.org', status: 'pending' });
      await store.addSubscriber({ email: 'gone@example.org', status: 'unsubscribed' });
      await store.addSubscriber({ email: 'bounced@example.org', status: 'bounced', topics: ['go'] });

      const first = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: ['go', 'K8s'] }, T0);
      expect(first.created).toBe(true);
      expect(first.campaign).toMatchObject({ slug: 'issue-1', title: 'Issue 1', recipients: 3, startedAt: null, finishedAt: null, createdAt: T0.toISOString() });

      const batch = await store.claimBatch(first.campaign.id, 'w', 100, 60_000, T0.getTime());
      expect(batch.map((d) => d.email).sort()).toEqual(['all@example.org', 'both@example.org', 'go@example.org']);
      await store.releaseClaims(first.campaign.id, 'w');

      // Later subscribers do not join an existing campaign; creating again changes nothing.
      await store.addSubscriber({ email: 'late@example.org' });
      const again = await store.createCampaign({ slug: 'issue-1', title: 'ignored', topics: [] });
      expect(again.created).toBe(false);
      expect(again.campaign.id).toBe(first.campaign.id);
      expect(again.campaign.recipients).toBe(3);
      expect((await store.campaignStats(first.campaign.id)).queued).toBe(3);

      const none = await store.createCampaign({ slug: 'issue-2', title: 'Untagged', topics: [], issueDate: '2024-05-01T09:00:00+08:00' }, T0);
      expect(none.campaign.recipients).toBe(2); // only the "everything" subscribers: all@, late@
      // The issue's date as written, offset included (the renamed-file rule, src/domain/renamed.ts); none given: null.
      expect((await store.getCampaign('issue-2'))?.issueDate).toBe('2024-05-01T09:00:00+08:00');
      expect(first.campaign.issueDate).toBeNull();
      expect((await store.getCampaign('issue-2'))?.id).toBe(none.campaign.id);
      expect(await store.getCampaign('nope')).toBeNull();
      expect((await store.listCampaigns()).map((c) => c.slug).sort()).toEqual(['issue-1', 'issue-2']);
      await store.close();
    });

    it('claims atomically with a lease; an expired lease is reclaimed by another worker', async () => {
      const { store } = await harness.fresh();
      await seed(store, 5);
      const { campaign } = await store.createCampaign({ slug: 's', title: 'S', topics: [] }, T0);
      const now = T0.getTime();
      const a = await store.claimBatch(campaign.id, 'worker-a', 3, 1000, now);
      expect(a).toHaveLength(3);
      for (const d of a) {
        expect(d).toMatchObject({ campaignId: campaign.id, state: 'sending', attempts: 1, workerId: 'worker-a', leaseUntil: now + 1000 });
        expect(d.name).toMatch(/^User \d$/);
      }
      expect((await store.getCampaign('s'))?.startedAt).toBe(new Date(now).toISOString());
      const b = await store.claimBatch(campaign.id, 'worker-b', 10, 1000, now + 1);
      expect(b).toHaveLength(2);
      const ids = new Set([...a, ...b].map((d) => d.subscriberId));
      expect(ids.size).toBe(5);
      expect(await store.claimBatch(campaign.id, 'worker-c', 10, 1000, now + 999)).toHaveLength(0);

      // worker-a dies; after its lease, worker-c takes its rows (and only those: b's lease is later).
      await store.markSent(campaign.id, b[0]!.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      const c = await store.claimBatch(campaign.id, 'worker-c', 10, 1000, now + 1000);
      expect(c.map((d) => d.subscriberId).sort()).toEqual(a.map((d) => d.subscriberId).sort());
      expect(c.every((d) => d.attempts === 2 && d.workerId === 'worker-c')).toBe(true);
      const later = await store.claimBatch(campaign.id, 'worker-d', 10, 1000, now + 1001);
      expect(later.map((d) => d.subscriberId)).toEqual([b[1]!.subscriberId]);
      expect(await store.workerStats(campaign.id)).toEqual([
        { workerId: 'worker-b', sent: 1, sending: 0 },
        { workerId: 'worker-c', sent: 0, sending: 3 },
        { workerId: 'worker-d', sent: 0, sending: 1 },
      ]);
      await store.close();
    });

    it('never gives the same row to two claimers on separate connections', async () => {
      const { store, another } = await harness.fresh();
      await seed(store, 600);
      const { campaign } = await store.createCampaign({ slug: 'race', title: 'Race', topics: [] });
      const others = [await another(), await another()];
      const claimers = [store, ...others].map(async (s, i) => {
        const got: number[] = [];
        for (;;) {
          const batch = await s.claimBatch(campaign.id, `w${i}`, 25, 60_000);
          if (batch.length === 0) return got;
          got.push(...batch.map((d) => d.subscriberId));
        }
      });
      const results = await Promise.all(claimers);
      const all = results.flat();
      expect(all).toHaveLength(600);
      expect(new Set(all).size).toBe(600);
      expect((await store.campaignStats(campaign.id)).sending).toBe(600);
      for (const o of others) await o.close();
      await store.close();
    });

    it('records sent, retry and failed outcomes; bounced marks the subscriber; sent is final', async () => {
      const { store } = await harness.fresh();
      await seed(store, 5);
      const { campaign } = await store.createCampaign({ slug: 'o', title: 'O', topics: [] }, T0);
      const now = T0.getTime();
      const [d0, d1, d2, d3, d4] = await store.claimBatch(campaign.id, 'w', 5, 60_000, now);
      await store.markSent(campaign.id, d0!.subscriberId, { smtpCode: 250, smtpResponse: '250 2.0.0 queued' });
      await store.markRetry(campaign.id, d1!.subscriberId, now + 5000, { smtpCode: 451, smtpResponse: '451 try later' });
      await store.markFailed(campaign.id, d2!.subscriberId, { smtpCode: 550, smtpResponse: '550 5.1.1 user unknown', bounced: true, temporary: false });
      await store.markFailed(campaign.id, d3!.subscriberId, { smtpCode: 452, smtpResponse: '452 too many', bounced: false, temporary: true });
      // A late outcome for a row already sent must not reopen it.
      await store.markSent(campaign.id, d4!.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      await store.markRetry(campaign.id, d4!.subscriberId, now, { smtpCode: 421, smtpResponse: 'late' });
      await store.markFailed(campaign.id, d4!.subscriberId, { smtpCode: 554, smtpResponse: 'late', bounced: true, temporary: false });

      expect(await store.campaignStats(campaign.id)).toEqual({
        queued: 0,
        sending: 0,
        sent: 2,
        retry: 1,
        failed: 2,
        unknown: 0,
        cancelled: 0,
        bounced: 1,
        softBounced: 0,
        complained: 0,
        attempted: 3,
        startedAt: T0.toISOString(),
        finishedAt: null,
      });
      expect((await store.getSubscriber(d2!.subscriberId))?.status).toBe('bounced');
      expect((await store.getSubscriber(d4!.subscriberId))?.status).toBe('active');

      // The retry row waits for its time, then comes back with its last SMTP outcome.
      expect(await store.claimBatch(campaign.id, 'w', 10, 60_000, now + 4999)).toHaveLength(0);
      const [r] = await store.claimBatch(campaign.id, 'w', 10, 60_000, now + 5000);
      expect(r).toMatchObject({ subscriberId: d1!.subscriberId, attempts: 2, smtpCode: 451, smtpResponse: '451 try later', nextAttemptAt: now + 5000 });
      expect(await store.finishCampaignIfDone(campaign.id)).toBe(false);
      await store.markSent(campaign.id, r!.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      const t1 = new Date('2026-01-02T00:00:00.000Z');
      expect(await store.finishCampaignIfDone(campaign.id, t1)).toBe(true);
      expect((await store.campaignStats(campaign.id)).finishedAt).toBe(t1.toISOString());
      expect(await store.finishCampaignIfDone(campaign.id, new Date())).toBe(true);
      expect((await store.getCampaign('o'))?.finishedAt).toBe(t1.toISOString());

      // `pressroom retry`: only the temporary failure goes back, with fresh attempts; the campaign reopens.
      expect(await store.requeueTemporaryFailures(campaign.id)).toBe(1);
      expect(await store.requeueTemporaryFailures(campaign.id)).toBe(0);
      expect((await store.campaignStats(campaign.id)).finishedAt).toBeNull();
      const again = await store.claimBatch(campaign.id, 'w', 10, 60_000, now);
      expect(again.map((d) => [d.subscriberId, d.attempts])).toEqual([[d3!.subscriberId, 1]]);
      await store.close();
    });

    it("totals every campaign's ledger in one call, the sum of the per-campaign stats", async () => {
      const { store } = await harness.fresh();
      expect(await store.ledgerTotals()).toEqual({
        deliveries: { queued: 0, sending: 0, sent: 0, retry: 0, failed: 0, unknown: 0, cancelled: 0, bounced: 0, softBounced: 0, complained: 0, attempted: 0 },
        campaigns: { unfinished: 0, finished: 0 },
      });
      await seed(store, 3);
      const a = (await store.createCampaign({ slug: 'a', title: 'A', topics: [] }, T0)).campaign;
      const b = (await store.createCampaign({ slug: 'b', title: 'B', topics: [] }, T0)).campaign;
      const now = T0.getTime();
      const [a0, a1, a2] = await store.claimBatch(a.id, 'w', 3, 60_000, now);
      await store.markSent(a.id, a0!.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      await store.markSent(a.id, a1!.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      await store.markFailed(a.id, a2!.subscriberId, { smtpCode: 550, smtpResponse: 'unknown user', bounced: true, temporary: false });
      expect(await store.finishCampaignIfDone(a.id, T0)).toBe(true);
      const [b0] = await store.claimBatch(b.id, 'w', 1, 60_000, now);
      await store.markRetry(b.id, b0!.subscriberId, now + 5000, { smtpCode: 451, smtpResponse: 'later' });
      await store.claimBatch(b.id, 'w', 1, 60_000, now);
      const sum = { queued: 0, sending: 0, sent: 0, retry: 0, failed: 0, unknown: 0, cancelled: 0, bounced: 0, softBounced: 0, complained: 0, attempted: 0 };
      for (const c of [a, b]) {
        const stats = await store.campaignStats(c.id);
        for (const key of Object.keys(sum) as Array<keyof typeof sum>) sum[key] += stats[key];
      }
      expect(sum).toMatchObject({ sent: 2, retry: 1, sending: 1, bounced: 1 });
      expect(await store.ledgerTotals()).toEqual({ deliveries: sum, campaigns: { unfinished: 1, finished: 1 } });
      await store.close();
    });

    it('unknown outcomes are final, counted apart, never claimed, and re-queued only by requeueUnknownOutcomes', async () => {
      const { store } = await harness.fresh();
      await seed(store, 3);
      const { campaign } = await store.createCampaign({ slug: 'u', title: 'U', topics: [] }, T0);
      const now = T0.getTime();
      const [a, b, c] = await store.claimBatch(campaign.id, 'w', 10, 60_000, now);
      await store.markSent(campaign.id, a!.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      await store.markUnknown(campaign.id, b!.subscriberId, { smtpCode: null, smtpResponse: 'unknown: no answer within 600000 ms after the final dot' });
      await store.markUnknown(campaign.id, a!.subscriberId, { smtpCode: null, smtpResponse: 'too late' }); // sent is final
      await store.markUnknown(campaign.id, c!.subscriberId, { smtpCode: null, smtpResponse: 'unknown: connection lost after the final dot' });
      expect(await store.campaignStats(campaign.id)).toMatchObject({ sent: 1, unknown: 2, failed: 0, retry: 0, sending: 0 });
      expect(await store.claimBatch(campaign.id, 'w2', 10, 60_000, now + 3_600_000)).toEqual([]);
      expect(await store.requeueTemporaryFailures(campaign.id)).toBe(0);
      expect(await store.finishCampaignIfDone(campaign.id, T0)).toBe(true);
      expect(await store.pendingCampaigns(now + 3_600_000)).toEqual([]);

      // Someone who left since is not re-queued.
      await store.setSubscriberStatus(c!.subscriberId, 'unsubscribed', T0);
      expect(await store.requeueUnknownOutcomes(campaign.id)).toBe(1);
      expect(await store.requeueUnknownOutcomes(campaign.id)).toBe(0);
      expect((await store.campaignStats(campaign.id)).finishedAt).toBeNull();
      const again = await store.claimBatch(campaign.id, 'w', 10, 60_000, now);
      expect(again.map((d) => d.subscriberId)).toEqual([b!.subscriberId]);
      expect(await store.campaignStats(campaign.id)).toMatchObject({ sent: 1, unknown: 1, sending: 1 });
      await store.close();
    });

    it('departedSubscribers names the given subscribers no longer active, and the removed ones', async () => {
      const { store } = await harness.fresh();
      await seed(store, 5);
      const ids = (await store.listSubscribers({ limit: 10 })).map((x) => x.id);
      expect(await store.departedSubscribers([])).toEqual(new Map());
      expect(await store.departedSubscribers(ids)).toEqual(new Map());
      await store.setSubscriberStatus(ids[1]!, 'unsubscribed', T0);
      await store.setSubscriberStatus(ids[2]!, 'bounced', T0);
      expect(await store.removeSubscriber('user3@example.org')).toBe(true);
      expect(await store.departedSubscribers(ids)).toEqual(
        new Map<number, string>([
          [ids[1]!, 'unsubscribed'],
          [ids[2]!, 'bounced'],
          [ids[3]!, 'removed'],
        ]),
      );
      expect(await store.departedSubscribers([ids[0]!, ids[4]!])).toEqual(new Map());
      await store.close();
    });

    it('one rule for "active": only active subscribers are snapshotted, re-queued and pass the departure check, whatever the other status', async () => {
      const { store } = await harness.fresh();
      const statuses = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const;
      // Added and imported alike: an active subscriber is confirmed when created, no other is.
      const added = await Promise.all(statuses.map((status) => store.addSubscriber({ email: `add-${status}@example.org`, status }, T0)));
      expect(
        await store.importSubscribers(
          statuses.map((status) => ({ email: `imp-${status}@example.org`, status })),
          T0,
        ),
      ).toEqual({ added: 5, duplicates: 0, suppressed: 0 });
      for (const status of statuses) {
        for (const email of [`add-${status}@example.org`, `imp-${status}@example.org`]) {
          const s = await store.findSubscriberByEmail(email);
          expect(s, email).toMatchObject({ status, confirmedAt: status === 'active' ? T0.toISOString() : null });
        }
      }
      const ids = added.map((s) => s.id);
      const departed = await store.departedSubscribers(ids);
      expect([...departed.entries()].sort()).toEqual(
        statuses
          .map((status, i) => [ids[i]!, status] as const)
          .filter(([, status]) => status !== 'active')
          .sort(),
      );

      const { campaign } = await store.createCampaign({ slug: 'active-only', title: 'A', topics: [] }, T0);
      expect(campaign.recipients).toBe(2);
      const claimed = await store.claimBatch(campaign.id, 'w', 10, 60_000, T0.getTime());
      expect(claimed.map((d) => d.email).sort()).toEqual(['add-active@example.org', 'imp-active@example.org']);

      // Everyone active when the campaign is created; then all but one leave in one way or another.
      const { store: other } = await harness.fresh();
      const people = await Promise.all(statuses.map((status) => other.addSubscriber({ email: `p-${status}@example.org` }, T0)));
      const c2 = (await other.createCampaign({ slug: 'then-leave', title: 'B', topics: [] }, T0)).campaign;
      const rows = await other.claimBatch(c2.id, 'w', 10, 60_000, T0.getTime());
      expect(rows).toHaveLength(5);
      for (const r of rows) await other.markFailed(c2.id, r.subscriberId, { smtpCode: 451, smtpResponse: '451 later', bounced: false, temporary: true });
      for (const [i, status] of statuses.entries()) if (status !== 'active') await other.setSubscriberStatus(people[i]!.id, status, T0);
      expect(await other.requeueTemporaryFailures(c2.id)).toBe(1);
      expect((await other.claimBatch(c2.id, 'w', 10, 60_000, T0.getTime())).map((d) => d.email)).toEqual(['p-active@example.org']);
      await other.close();
      await store.close();
    });

    it('recipient matching: topics compared after the same normalisation on both sides, non-ASCII included', async () => {
      const { store } = await harness.fresh();
      await store.addSubscriber({ email: 'u@example.org', topics: [' Ünicode '] });
      await store.addSubscriber({ email: 'x@example.org', topics: ['other'] });
      await store.addSubscriber({ email: 'all@example.org', topics: [] });
      const { campaign } = await store.createCampaign({ slug: 'uni', title: 'U', topics: ['ÜNICODE', 'ünicode'] }, T0);
      const claimed = await store.claimBatch(campaign.id, 'w', 10, 60_000, T0.getTime());
      expect(claimed.map((d) => d.email).sort()).toEqual(['all@example.org', 'u@example.org']);
      await store.close();
    });

    it('many overlapping calls on one store and a second connection all take effect (transactions never interleave)', async () => {
      const { store, another } = await harness.fresh();
      const other = await another();
      await seed(store, 20);
      const subscribers = await store.listSubscribers({ limit: 100 });
      const { campaign } = await store.createCampaign({ slug: 'busy', title: 'B', topics: [] }, T0);
      const rows = await store.claimBatch(campaign.id, 'w', 20, 60_000, T0.getTime());
      await Promise.all(
        rows.map((r, i) =>
          i % 2
            ? (i % 4 === 1 ? store : other).markFailed(campaign.id, r.subscriberId, { smtpCode: 550, smtpResponse: '550 gone', bounced: true, temporary: false })
            : (i % 4 === 0 ? other : store).markSent(campaign.id, r.subscriberId, { smtpCode: 250, smtpResponse: 'ok' }),
        ),
      );
      const settings = await Promise.all(subscribers.map((_, i) => (i % 2 ? store : other).initSetting('k', `v${i}`)));
      expect(new Set(settings).size).toBe(1);
      expect(await store.campaignStats(campaign.id)).toMatchObject({ sent: 10, failed: 10, bounced: 10 });
      expect(await other.countSubscribers('bounced')).toBe(10);
      await other.close();
      await store.close();
    });

    it('nextRetryAt is the earliest pending retry, or null', async () => {
      const { store } = await harness.fresh();
      await seed(store, 3);
      const { campaign } = await store.createCampaign({ slug: 'n', title: 'N', topics: [] }, T0);
      const now = T0.getTime();
      expect(await store.nextRetryAt(campaign.id)).toBeNull();
      const [a, b] = await store.claimBatch(campaign.id, 'w', 10, 60_000, now);
      expect(await store.nextRetryAt(campaign.id)).toBeNull(); // leases are not retries
      await store.markRetry(campaign.id, a!.subscriberId, now + 90_000, { smtpCode: 451, smtpResponse: '451' });
      await store.markRetry(campaign.id, b!.subscriberId, now + 45_000, { smtpCode: 451, smtpResponse: '451' });
      expect(await store.nextRetryAt(campaign.id)).toBe(now + 45_000);
      await store.claimBatch(campaign.id, 'w', 10, 60_000, now + 50_000); // b's retry is claimed
      expect(await store.nextRetryAt(campaign.id)).toBe(now + 90_000);
      await store.close();
    });

    it('records the transport a campaign is created with; the first claimer adopts a campaign without one', async () => {
      const { store, another } = await harness.fresh();
      await seed(store, 1);
      const { campaign } = await store.createCampaign({ slug: 't', title: 'T', topics: [], transport: 'smtp://mail.example.org:587' }, T0);
      expect(campaign.transport).toBe('smtp://mail.example.org:587');
      expect((await store.createCampaign({ slug: 't', title: 'T', topics: [], transport: 'outbox' }, T0)).campaign.transport).toBe('smtp://mail.example.org:587');
      expect(await store.claimCampaignTransport(campaign.id, 'outbox')).toBe('smtp://mail.example.org:587');

      const old = (await store.createCampaign({ slug: 'old', title: 'Old', topics: [] }, T0)).campaign;
      expect(old.transport).toBeNull();
      const other = await another();
      const claims = await Promise.all([store.claimCampaignTransport(old.id, 'outbox'), other.claimCampaignTransport(old.id, 'smtp://x.example:25')]);
      expect(claims[0]).toBe(claims[1]); // one of the two won, and both see it
      expect((await store.getCampaign('old'))!.transport).toBe(claims[0]);
      expect((await store.listCampaigns()).map((c) => c.transport).sort()).toEqual([claims[0], 'smtp://mail.example.org:587'].sort());
      await other.close();
      await store.close();
    });

    it('markSentMany marks every given row of that campaign sent in one call, and only those', async () => {
      const { store } = await harness.fresh();
      await seed(store, 6);
      const a = (await store.createCampaign({ slug: 'many-a', title: 'A', topics: [] }, T0)).campaign;
      const b = (await store.createCampaign({ slug: 'many-b', title: 'B', topics: [] }, T0)).campaign;
      const now = T0.getTime();
      const rows = await store.claimBatch(a.id, 'w', 6, 60_000, now);
      const inB = await store.claimBatch(b.id, 'w', 6, 60_000, now);
      expect(rows).toHaveLength(6);
      await store.markSentMany(a.id, []); // nothing to do is not an error
      await store.markSentMany(
        a.id,
        rows.slice(0, 4).map((d, i) => ({ subscriberId: d.subscriberId, smtpCode: 250, smtpResponse: `250 2.0.0 queued as ${i}` })),
      );
      expect(await store.campaignStats(a.id)).toMatchObject({ sending: 2, sent: 4 });
      expect(await store.workerStats(a.id)).toEqual([{ workerId: 'w', sent: 4, sending: 2 }]);
      // The same subscribers in the other campaign are untouched.
      expect(await store.campaignStats(b.id)).toMatchObject({ sending: 6, sent: 0 });
      // Marked rows are final: neither released nor reclaimed after their lease; the others are.
      expect(await store.releaseClaims(a.id, 'w')).toBe(2);
      const again = await store.claimBatch(a.id, 'w2', 10, 60_000, now + 120_000);
      expect(again.map((d) => d.subscriberId).sort()).toEqual(
        rows
          .slice(4)
          .map((d) => d.subscriberId)
          .sort(),
      );
      await store.markSentMany(
        b.id,
        inB.map((d) => ({ subscriberId: d.subscriberId, smtpCode: 250, smtpResponse: 'ok' })),
      );
      expect(await store.finishCampaignIfDone(b.id)).toBe(true);
      expect(await store.finishCampaignIfDone(a.id)).toBe(false);
      await store.close();
    });

    it('releases claims without counting an attempt', async () => {
      const { store } = await harness.fresh();
      await seed(store, 4);
      const { campaign } = await store.createCampaign({ slug: 'r', title: 'R', topics: [] });
      const now = Date.now();
      const mine = await store.claimBatch(campaign.id, 'me', 3, 60_000, now);
      await store.claimBatch(campaign.id, 'other', 1, 60_000, now);
      await store.markSent(campaign.id, mine[0]!.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      expect(await store.releaseClaims(campaign.id, 'me')).toBe(2);
      expect(await store.campaignStats(campaign.id)).toMatchObject({ queued: 2, sending: 1, sent: 1 });
      const back = await store.claimBatch(campaign.id, 'me', 10, 60_000, now);
      expect(back.map((d) => d.attempts)).toEqual([1, 1]);
      await store.close();
    });

    it('does not mail subscribers who leave while the campaign is queued', async () => {
      const { store } = await harness.fresh();
      await seed(store, 3);
      const { campaign } = await store.createCampaign({ slug: 'u', title: 'U', topics: [] });
      const [s0, s1] = await store.listSubscribers({ limit: 2 });
      await store.setSubscriberStatus(s0!.id, 'unsubscribed');
      await store.removeSubscriber(s1!.email);
      const claimed = await store.claimBatch(campaign.id, 'w', 10, 60_000);
      expect(claimed).toHaveLength(1);
      expect(await store.campaignStats(campaign.id)).toMatchObject({ sending: 1, failed: 2, queued: 0 });
      await store.close();
    });

    it('creates a campaign exactly once when two connections race', async () => {
      const { store, another } = await harness.fresh();
      await seed(store, 300);
      const other = await another();
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : store).createCampaign({ slug: 'same', title: 'Same', topics: [] })));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.campaign.id)).size).toBe(1);
      expect(results.every((r) => r.campaign.recipients === 300)).toBe(true);
      expect((await store.campaignStats(results[0]!.campaign.id)).queued).toBe(300);
      expect(await store.listCampaigns()).toHaveLength(1);
      await other.close();
      await store.close();
    });

    it('campaign-wide send permits: a new bucket is full, then refills at the rate, capped at the burst', async () => {
      const { store } = await harness.fresh();
      await seed(store, 3);
      const { campaign } = await store.createCampaign({ slug: 'rated', title: 'Rated', topics: [] });
      const t = 1_800_000_000_000;
      // 100 msg/s, burst 5: five at once, then one every 10 ms.
      expect(await store.takeSendPermits(campaign.id, 10, 100, 5, t)).toEqual({ granted: 5, waitMs: 50 });
      expect(await store.takeSendPermits(campaign.id, 1, 100, 5, t)).toEqual({ granted: 0, waitMs: 10 });
      expect(await store.takeSendPermits(campaign.id, 3, 100, 5, t + 25)).toEqual({ granted: 2, waitMs: 5 }); // 2.5 there, 0.5 left
      expect(await store.takeSendPermits(campaign.id, 1, 100, 5, t + 30)).toEqual({ granted: 1, waitMs: 0 });
      // A clock that goes backwards (another machine) adds nothing.
      expect(await store.takeSendPermits(campaign.id, 1, 100, 5, t - 5_000)).toMatchObject({ granted: 0 });
      // A long pause fills the bucket to the burst, not beyond.
      expect(await store.takeSendPermits(campaign.id, 1, 100, 5, t + 60_000)).toEqual({ granted: 1, waitMs: 0 });
      expect(await store.takeSendPermits(campaign.id, 100, 100, 5, t + 60_000)).toMatchObject({ granted: 4 });
      // Another campaign has a bucket of its own.
      const { campaign: other } = await store.createCampaign({ slug: 'other', title: 'Other', topics: [] });
      expect(await store.takeSendPermits(other.id, 2, 100, 5, t + 60_000)).toEqual({ granted: 2, waitMs: 0 });
      await store.close();
    });

    it('campaign-wide send permits: takers on separate connections never get more than the bucket holds', async () => {
      const { store, another } = await harness.fresh();
      await seed(store, 3);
      const { campaign } = await store.createCampaign({ slug: 'shared', title: 'Shared', topics: [] });
      const takers = [store, await another(), await another()];
      const t = 1_800_000_000_000;
      // All at the same instant: together they may take exactly the burst (7), however they interleave.
      const first = await Promise.all(takers.flatMap((s) => Array.from({ length: 6 }, () => s.takeSendPermits(campaign.id, 2, 50, 7, t))));
      expect(first.reduce((n, p) => n + p.granted, 0)).toBe(7);
      // One second later at 50 msg/s the bucket is full again (7), not 50: the burst caps it.
      const later = await Promise.all(takers.flatMap((s) => Array.from({ length: 6 }, () => s.takeSendPermits(campaign.id, 3, 50, 7, t + 1000))));
      expect(later.reduce((n, p) => n + p.granted, 0)).toBe(7);
      for (const p of [...first, ...later]) if (p.granted < 2) expect(p.waitMs).toBeGreaterThan(0);
      await Promise.all(takers.slice(1).map((s) => s.close()));
      await store.close();
    });

    it('campaign-wide send permits on the store clock when no time is given', async () => {
      const { store } = await harness.fresh();
      await seed(store, 1);
      const { campaign } = await store.createCampaign({ slug: 'clock', title: 'Clock', topics: [] });
      expect(await store.takeSendPermits(campaign.id, 1, 0.5, 1)).toEqual({ granted: 1, waitMs: 0 });
      const next = await store.takeSendPermits(campaign.id, 1, 0.5, 1);
      expect(next.granted).toBe(0);
      expect(next.waitMs).toBeGreaterThan(1000); // one token per 2 s: the next is most of 2 s away
      expect(next.waitMs).toBeLessThanOrEqual(2000);
      await store.close();
    });

    it('pendingCampaigns lists unfinished campaigns with rows claimable now', async () => {
      const { store } = await harness.fresh();
      await seed(store, 2);
      const t = 1_800_000_000_000;
      const { campaign: a } = await store.createCampaign({ slug: 'a', title: 'A', topics: [] }, T0);
      const { campaign: b } = await store.createCampaign({ slug: 'b', title: 'B', topics: [] }, T0);
      expect(await store.pendingCampaigns(t)).toEqual(['a', 'b']);
      // a: both rows claimed with a lease; nothing claimable until it expires.
      const claimed = await store.claimBatch(a.id, 'w1', 10, 60_000, t);
      expect(await store.pendingCampaigns(t + 1)).toEqual(['b']);
      expect(await store.pendingCampaigns(t + 60_001)).toEqual(['a', 'b']); // the lease ran out
      // a: one sent, one to retry later: pending again only when the retry is due.
      await store.markSent(a.id, claimed[0]!.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      await store.markRetry(a.id, claimed[1]!.subscriberId, t + 5_000, { smtpCode: 451, smtpResponse: 'later' });
      expect(await store.pendingCampaigns(t + 1)).toEqual(['b']);
      expect(await store.pendingCampaigns(t + 5_000)).toEqual(['a', 'b']);
      // b: everything sent and finished.
      for (const d of await store.claimBatch(b.id, 'w1', 10, 60_000, t)) await store.markSent(b.id, d.subscriberId, { smtpCode: 250, smtpResponse: 'ok' });
      expect(await store.finishCampaignIfDone(b.id)).toBe(true);
      expect(await store.pendingCampaigns(t + 5_000)).toEqual(['a']);
      await store.close();
    });

    it('initSetting: the first writer wins, also when connections race', async () => {
      const { store, another } = await harness.fresh();
      expect(await store.initSetting('once', 'a')).toBe('a');
      expect(await store.initSetting('once', 'b')).toBe('a');
      expect(await store.getSetting('once')).toBe('a');
      const others = [await another(), await another()];
      const all = [store, ...others];
      const values = await Promise.all(all.flatMap((s, i) => Array.from({ length: 4 }, (_, j) => s.initSetting('race', `v${i}-${j}`))));
      expect(new Set(values).size).toBe(1);
      expect(await others[1]!.getSetting('race')).toBe(values[0]);
      await Promise.all(others.map((s) => s.close()));
      await store.close();
    });

    it('keeps settings', async () => {
      const { store, another } = await harness.fresh();
      expect(await store.getSetting('watermark')).toBeNull();
      await store.setSetting('watermark', '2026-01-01');
      await store.setSetting('watermark', '2026-02-01');
      await store.setSetting('other', '中文');
      const other = await another();
      expect(await other.getSetting('watermark')).toBe('2026-02-01');
      expect(await other.getSetting('other')).toBe('中文');
      await other.close();
      await store.close();
    });

    it('system mail: queued durably, claimed with a lease, retried when due, final once sent', async () => {
      const { store, another } = await harness.fresh();
      const s = await store.addSubscriber({ email: 'new@example.org', status: 'pending' }, T0);
      expect(await store.nextSystemMailAt()).toBeNull();
      const queued = await store.enqueueSystemMail('confirm', s.id, T0);
      expect(queued).toMatchObject({ kind: 'confirm', subscriberId: s.id, state: 'queued', attempts: 0, createdAt: T0.toISOString() });
      expect(await store.nextSystemMailAt()).toBe(0);

      // Another connection (another process) sees it, claims it; nobody else gets it while leased.
      const other = await another();
      const now = 1_000_000;
      const [claimed] = await other.claimSystemMail('w1', 10, 60_000, now);
      expect(claimed).toMatchObject({ id: queued.id, state: 'sending', attempts: 1, workerId: 'w1', leaseUntil: now + 60_000 });
      expect(await store.claimSystemMail('w2', 10, 60_000, now + 59_999)).toEqual([]);
      expect(await store.nextSystemMailAt()).toBe(now + 60_000);

      await other.markSystemMailRetry(queued.id, now + 5_000, { smtpCode: 421, smtpResponse: '421 try later' });
      expect(await store.claimSystemMail('w2', 10, 60_000, now + 4_999)).toEqual([]);
      const [again] = await store.claimSystemMail('w2', 10, 60_000, now + 5_000);
      expect(again).toMatchObject({ id: queued.id, attempts: 2, smtpCode: 421, smtpResponse: '421 try later', workerId: 'w2' });
      await store.markSystemMailSent(queued.id, { smtpCode: 250, smtpResponse: '250 ok' });
      // Sent is final: a late retry or failure mark from a worker that lost its lease changes nothing.
      await other.markSystemMailRetry(queued.id, now, { smtpCode: 451, smtpResponse: 'late' });
      await other.markSystemMailFailed(queued.id, { smtpCode: 554, smtpResponse: 'late' });
      expect(await store.claimSystemMail('w3', 10, 60_000, now + 10 ** 9)).toEqual([]);
      expect(await store.nextSystemMailAt()).toBeNull();
      const exported = await store.exportSubscriber('new@example.org');
      expect(exported?.systemMail).toEqual([expect.objectContaining({ id: queued.id, state: 'sent', attempts: 2, smtpCode: 250, smtpResponse: '250 ok' })]);

      // An expired lease (its sender died) is claimable again; failed is final too.
      const welcome = await store.enqueueSystemMail('welcome', s.id);
      await store.claimSystemMail('dead', 1, 1_000, now);
      const [taken] = await other.claimSystemMail('alive', 1, 1_000, now + 1_000);
      expect(taken).toMatchObject({ id: welcome.id, kind: 'welcome', attempts: 2, workerId: 'alive' });
      await other.markSystemMailFailed(welcome.id, { smtpCode: 554, smtpResponse: 'rejected' });
      expect(await store.claimSystemMail('w', 10, 1_000, now + 10 ** 9)).toEqual([]);
      await other.close();
      await store.close();
    });

    it('never gives one system mail row to two claimers on separate connections', async () => {
      const { store, another } = await harness.fresh();
      await seed(store, 120);
      for (const s of await store.listSubscribers({ limit: 120 })) await store.enqueueSystemMail('confirm', s.id);
      const others = [await another(), await another()];
      const results = await Promise.all(
        [store, ...others].map(async (s, i) => {
          const got: number[] = [];
          for (;;) {
            const batch = await s.claimSystemMail(`w${i}`, 7, 60_000);
            if (batch.length === 0) return got;
            got.push(...batch.map((m) => m.id));
          }
        }),
      );
      const all = results.flat();
      expect(all).toHaveLength(120);
      expect(new Set(all).size).toBe(120);
      for (const o of others) await o.close();
      await store.close();
    });

    it("never gives an erased or removed subscriber's id to a later sign-up (signed links carry the id)", async () => {
      const { store } = await harness.fresh();
      const first = await store.addSubscriber({ email: 'first@example.org' }, T0);
      const newest = await store.addSubscriber({ email: 'newest@example.org' }, T0);
      expect(await store.eraseSubscriber('newest@example.org')).toBe(true);
      const next = await store.addSubscriber({ email: 'next@example.org' }, T0);
      expect(next.id).toBeGreaterThan(newest.id);
      expect(await store.removeSubscriber('next@example.org')).toBe(true);
      await store.importSubscribers([{ email: 'imported@example.org' }], T0);
      const imported = await store.findSubscriberByEmail('imported@example.org');
      expect(imported!.id).toBeGreaterThan(next.id);
      expect(await store.getSubscriber(newest.id)).toBeNull();
      expect(await store.getSubscriber(next.id)).toBeNull();
      expect((await store.getSubscriber(first.id))!.email).toBe('first@example.org');
      await store.close();
    });

    it('erases an address everywhere: ledger rows keep campaign, state, attempts and code, not the address', async () => {
      const { store, another } = await harness.fresh();
      await seed(store, 3);
      const ada = await store.addSubscriber({ email: 'Ada@Example.org', name: 'Ada Lovelace', topics: ['go'] }, T0);
      await store.enqueueSystemMail('welcome', ada.id, T0);
      const { campaign: done } = await store.createCampaign({ slug: 'done', title: 'Done', topics: ['go'] });
      for (const d of await store.claimBatch(done.id, 'w', 10, 60_000)) {
        if (d.subscriberId === ada.id) await store.markSent(done.id, d.subscriberId, { smtpCode: 250, smtpResponse: '250 2.0.0 <ada@example.ORG> queued' });
        else await store.markSent(done.id, d.subscriberId, { smtpCode: 250, smtpResponse: '250 ok' });
      }
      await store.finishCampaignIfDone(done.id);
      const { campaign: waiting } = await store.createCampaign({ slug: 'waiting', title: 'Waiting', topics: ['go'] });
      const statsBefore = await store.campaignStats(done.id);

      const before = await store.exportSubscriber('ADA@example.org');
      expect(before?.subscriber).toMatchObject({ id: ada.id, email: 'Ada@Example.org', name: 'Ada Lovelace', topics: ['go'], status: 'active' });
      expect(before?.deliveries).toEqual([
        expect.objectContaining({
          campaign: 'done',
          campaignTitle: 'Done',
          email: 'Ada@Example.org',
          name: 'Ada Lovelace',
          state: 'sent',
          attempts: 1,
          smtpCode: 250,
          smtpResponse: '250 2.0.0 <ada@example.ORG> queued',
          bounced: false,
          temporary: false,
        }),
        expect.objectContaining({ campaign: 'waiting', state: 'queued', attempts: 0 }),
      ]);
      expect(before?.systemMail).toEqual([expect.objectContaining({ kind: 'welcome', subscriberId: ada.id, state: 'queued' })]);
      expect(await store.exportSubscriber('nobody@example.org')).toBeNull();

      const other = await another();
      expect(await other.eraseSubscriber('ada@EXAMPLE.org')).toBe(true);
      expect(await store.findSubscriberByEmail('ada@example.org')).toBeNull();
      expect(await store.exportSubscriber('ada@example.org')).toBeNull();
      expect(await store.eraseSubscriber('ada@example.org')).toBe(false);
      expect(await store.claimSystemMail('w', 10, 60_000)).toEqual([]); // its welcome email went with it
      // Counts of the finished campaign are unchanged; the queued row of the other one will not be sent.
      expect(await store.campaignStats(done.id)).toEqual(statsBefore);
      expect(await store.campaignStats(waiting.id)).toMatchObject({ queued: 3, failed: 1 });
      expect((await store.claimBatch(waiting.id, 'w', 10, 60_000)).map((d) => d.subscriberId)).not.toContain(ada.id);
      // The other subscribers are untouched.
      expect(await store.countSubscribers()).toBe(3);
      expect((await store.exportSubscriber('user0@example.org'))?.deliveries).toHaveLength(2);
      await other.close();
      await store.close();
    });

    it('erasure also finds ledger rows left by an earlier plain removal, and scrubs echoed addresses', async () => {
      const { store } = await harness.fresh();
      const bob = await store.addSubscriber({ email: 'bob@example.org', name: 'Bob' });
      const { campaign } = await store.createCampaign({ slug: 'c', title: 'C', topics: [] });
      await store.claimBatch(campaign.id, 'w', 10, 60_000);
      await store.markFailed(campaign.id, bob.id, { smtpCode: 552, smtpResponse: '552 5.2.2 BOB@example.org: mailbox full', bounced: false, temporary: false });
      expect(await store.removeSubscriber('bob@example.org')).toBe(true);
      const left = await store.exportSubscriber('Bob@Example.org');
      expect(left).toMatchObject({ subscriber: null, systemMail: [] });
      expect(left?.deliveries).toEqual([expect.objectContaining({ campaign: 'c', email: 'bob@example.org', name: 'Bob', state: 'failed', smtpCode: 552 })]);

      expect(await store.eraseSubscriber('Bob@Example.org')).toBe(true);
      expect(await store.exportSubscriber('bob@example.org')).toBeNull();
      expect(await store.campaignStats(campaign.id)).toMatchObject({ failed: 1, sent: 0 });
      expect(await store.eraseSubscriber('bob@example.org')).toBe(false);
      await store.close();
    });

    it('render cache: one claim among racing connections, the parts stored for everyone, a lapsed claim taken over', async () => {
      const { store, another } = await harness.fresh();
      const others = await Promise.all([another(), another()]);
      const all = [store, ...others];
      const now = 1_000_000;
      const claims = await Promise.all(all.flatMap((s, i) => [s.claimRender('k1', `w${i}a`, 30_000, now), s.claimRender('k1', `w${i}b`, 30_000, now)]));
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
      expect(claims.filter((c) => c.kind === 'busy')).toEqual(Array(5).fill({ kind: 'busy', until: now + 30_000 }));

      const parts = JSON.stringify({ subject: 'Hello 周报', html: '<p>x</p>'.repeat(20_000) });
      await others[0]!.saveRender('k1', parts, 'digest-1', now + 1);
      expect(await store.claimRender('k1', 'w0a', 30_000, now + 2)).toEqual({ kind: 'stored', parts, digest: 'digest-1' });
      // Saving again replaces the entry (a corrupt one is overwritten by a fresh render).
      await store.saveRender('k1', '{}', 'digest-2', now + 3);
      expect(await others[1]!.claimRender('k1', 'w2a', 30_000, now + 4)).toEqual({ kind: 'stored', parts: '{}', digest: 'digest-2' });

      // A claim whose worker died lapses and goes to the next caller; a released one at once.
      expect(await store.claimRender('k2', 'w0a', 1_000, now)).toEqual({ kind: 'claimed' });
      expect(await others[0]!.claimRender('k2', 'w1a', 1_000, now + 999)).toEqual({ kind: 'busy', until: now + 1_000 });
      expect(await others[0]!.claimRender('k2', 'w1a', 1_000, now + 1_000)).toEqual({ kind: 'claimed' });
      // The same worker id, restarted after dying mid-render, takes its own claim back at once.
      expect(await others[1]!.claimRender('k2', 'w2a', 1_000, now + 1_001)).toEqual({ kind: 'busy', until: now + 2_000 });
      expect(await others[1]!.claimRender('k2', 'w1a', 1_000, now + 1_002)).toEqual({ kind: 'claimed' });
      await others[0]!.releaseRender('k2');
      expect(await others[1]!.claimRender('k2', 'w2a', 1_000, now + 1_003)).toEqual({ kind: 'claimed' });
      // releaseRender never drops stored parts.
      await store.releaseRender('k1');
      expect((await store.claimRender('k1', 'w0a', 1_000, now + 5)).kind).toBe('stored');

      // Entries saved over 30 days before a save are dropped by it.
      const later = now + 31 * 24 * 3600 * 1000;
      await store.saveRender('k3', '[]', 'digest-3', later);
      expect(await store.claimRender('k1', 'w0a', 1_000, later)).toEqual({ kind: 'claimed' });
      expect((await store.claimRender('k3', 'w0a', 1_000, later)).kind).toBe('stored');
      await Promise.all(all.map((s) => s.close()));
    });
  });
}
