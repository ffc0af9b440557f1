// The operators' subscriber list and edits, held to the same assertions on both adapters (run by
// sqlite.test.ts and postgres.test.ts): prefix search by address or name in any case, status and
// topic filters, keyset pages in id order, a capped count, and edits whose status change goes
// through setSubscriberStatus (its event, suppression and cancelled mail).
import { describe, expect, it } from 'vitest';
import type { Store, SubscriberQuery } from '../../src/storage/store.js';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-05-01T00:00:00.000Z');

async function seeded(harness: Harness): Promise<Store> {
  const { store } = await harness.fresh();
  await store.importSubscribers(
    [
      { email: 'Alice.Smith@example.org', name: 'Alice Smith', topics: ['rust'] },
      { email: 'bob@example.org', name: 'Robert Alder', topics: ['go', 'rust'] },
      { email: 'carol@alpha.example', name: null, topics: [] },
      { email: 'al@example.org', name: 'Zed', topics: ['go'], status: 'unsubscribed' },
      { email: 'dave@example.org', name: 'Dave', topics: ['Rust'], status: 'pending' },
    ],
    T0,
  );
  return store;
}

const emails = async (store: Store, query: Partial<SubscriberQuery>) => (await store.listSubscribers({ limit: 100, ...query })).map((s) => s.email);

export function subscriberSearchContract(name: string, harness: Harness): void {
  describe(`${name} subscriber search and edits`, () => {
    it('finds by a case-insensitive prefix of the address or the name, not by a substring', async () => {
      const store = await seeded(harness);
      expect(await emails(store, { search: 'AL' })).toEqual(['Alice.Smith@example.org', 'al@example.org']);
      expect(await emails(store, { search: '  robert ' })).toEqual(['bob@example.org']);
      expect(await emails(store, { search: 'alder' })).toEqual([]); // a prefix of the whole name, not of a word in it
      expect(await emails(store, { search: 'example.org' })).toEqual([]); // no substring
      expect(await emails(store, { search: 'carol@alpha.' })).toEqual(['carol@alpha.example']);
      expect(await emails(store, { search: '%' })).toEqual([]); // no wildcard
      expect(await emails(store, { search: '' })).toHaveLength(5);
    });

    it('filters by status and by a chosen topic, together with the search', async () => {
      const store = await seeded(harness);
      expect(await emails(store, { topic: 'rust' })).toEqual(['Alice.Smith@example.org', 'bob@example.org', 'dave@example.org']);
      expect(await emails(store, { topic: 'RUST', status: 'active' })).toEqual(['Alice.Smith@example.org', 'bob@example.org']);
      expect(await emails(store, { topic: 'go', status: 'unsubscribed' })).toEqual(['al@example.org']);
      expect(await emails(store, { topic: 'go', search: 'b' })).toEqual(['bob@example.org']);
      expect(await emails(store, { status: 'pending', search: 'alice' })).toEqual([]);
      expect(await store.countMatchingSubscribers({ topic: 'rust' }, 1000)).toBe(3);
      expect(await store.countMatchingSubscribers({ topic: 'rust' }, 2)).toBe(2); // capped
      expect(await store.countMatchingSubscribers({ search: 'al', status: 'active' }, 1000)).toBe(1);
      expect(await store.countMatchingSubscribers({}, 1000)).toBe(5);
    });

    it('pages by id after a cursor, the filter applied on every page', async () => {
      const { store } = await harness.fresh();
      await store.importSubscribers(
        Array.from({ length: 25 }, (_, i) => ({ email: `r${String(i).padStart(2, '0')}@example.org`, topics: i % 2 === 0 ? ['even'] : [] })),
        T0,
      );
      const seen: string[] = [];
      let afterId = 0;
      for (;;) {
        const page = await store.listSubscribers({ topic: 'even', afterId, limit: 4 });
        seen.push(...page.map((s) => s.email));
        if (page.length < 4) break;
        const ids = page.map((s) => s.id);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        afterId = ids[ids.length - 1]!;
      }
      expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => `r${String(i * 2).padStart(2, '0')}@example.org`));
    });

    it('gives the same answers for a broad prefix (over 2000 matches, the id walk) as for a narrow one (sorted from the indexes)', async () => {
      const { store } = await harness.fresh();
      await store.importSubscribers(
        Array.from({ length: 2100 }, (_, i) => ({ email: `bulk${i}@example.org`, name: i % 700 === 0 ? 'Needle' : null, status: i % 3 === 0 ? 'pending' : 'active' })),
        T0,
      );
      const ids = (await store.listSubscribers({ search: 'bulk', limit: 3000 })).map((s) => s.id);
      expect(ids).toHaveLength(2100);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const after = ids[2049]!;
      expect((await store.listSubscribers({ search: 'BULK', afterId: after, limit: 100 })).map((s) => s.id)).toEqual(ids.slice(2050));
      expect((await store.listSubscribers({ search: 'bulk1', status: 'pending', limit: 5 })).map((s) => s.email)).toEqual([
        'bulk12@example.org',
        'bulk15@example.org',
        'bulk18@example.org',
        'bulk102@example.org',
        'bulk105@example.org',
      ]);
      expect((await store.listSubscribers({ search: 'needle', limit: 10 })).map((s) => s.email)).toEqual(['bulk0@example.org', 'bulk700@example.org', 'bulk1400@example.org']);
      expect(await store.countMatchingSubscribers({ search: 'bulk', status: 'pending' }, 5000)).toBe(700);
      expect(await store.countMatchingSubscribers({ search: 'bulk' }, 1001)).toBe(1001);
    });

    it('edits name and topics, and changes status through setSubscriberStatus', async () => {
      const store = await seeded(harness);
      const bob = (await store.findSubscriberByEmail('bob@example.org'))!;
      const { campaign } = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] }, T0);
      const eventsBefore = (await store.eventQueueReport()).queued;

      const renamed = await store.updateSubscriber(bob.id, { name: 'Bobby', topics: ['Go', 'go', 'c'] }, T0);
      expect(renamed).toMatchObject({ name: 'Bobby', topics: ['go', 'c'], status: 'active' });
      expect(await emails(store, { search: 'bobby' })).toEqual(['bob@example.org']);
      expect(await emails(store, { search: 'robert' })).toEqual([]);

      const left = await store.updateSubscriber(bob.id, { status: 'unsubscribed' }, T0);
      expect(left).toMatchObject({ name: 'Bobby', status: 'unsubscribed', unsubscribedAt: T0.toISOString() });
      expect((await store.eventQueueReport()).queued).toBe(eventsBefore + 1); // subscriber.unsubscribed
      const stats = await store.campaignStats(campaign.id);
      expect(stats.queued).toBe(1); // Alice only: Bob's waiting message was cancelled
      // Unsubscribed is suppressed: once erased, the address is not imported back.
      expect(await store.eraseSubscriber('bob@example.org')).toBe(true);
      expect((await store.importSubscribers([{ email: 'bob@example.org' }], T0)).suppressed).toBe(1);

      expect(await store.updateSubscriber(bob.id, { name: 'Nobody' }, T0)).toBeNull();
      const carol = (await store.findSubscriberByEmail('carol@alpha.example'))!;
      expect(await store.updateSubscriber(carol.id, { name: null, status: 'active' }, T0)).toMatchObject({ name: null, status: 'active' });
    });
  });
}
