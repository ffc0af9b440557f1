// The claim queue against a real SQLite store: batches claimed with a lease, one claim shared by
// the lanes that find the queue empty, rows given back unsent, and the departure check.
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueCampaign } from '../../src/delivery/campaign.js';
import { ClaimQueue, DepartureCheck } from '../../src/delivery/claim-queue.js';
import type { Store } from '../../src/storage/store.js';
import { address, makeHarness, readLedger } from './harness.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** The real store, with its calls of `method` counted (the calls go through unchanged). */
function counting(store: Store, method: 'claimBatch' | 'departedSubscribers'): { store: Store; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof v !== 'function') return v;
      if (key !== method) return v.bind(target);
      return (...args: unknown[]) => {
        calls.push(args);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

async function setup(subscribers: number, method: 'claimBatch' | 'departedSubscribers' = 'claimBatch') {
  const h = await makeHarness(subscribers);
  cleanup.push(() => h.cleanup());
  const { campaign } = await enqueueCampaign(h.store, h.issue);
  return { h, campaign, ...counting(h.store, method) };
}

const never = () => false;

describe('ClaimQueue', () => {
  it('hands out every row once, claimed in batches with a lease, and nothing once a claim comes back empty', async () => {
    const { h, campaign, store, calls } = await setup(5);
    const queue = new ClaimQueue(store, campaign.id, 'w1', 2, 60_000);
    const before = Date.now();
    const seen: string[] = [];
    for (let row = await queue.next(never); row; row = await queue.next(never)) {
      expect(row.attempts).toBe(1);
      expect(row.leaseUntil).toBeGreaterThanOrEqual(before + 60_000);
      seen.push(row.email);
    }
    expect(seen.sort()).toEqual(h.emails.slice().sort());
    expect(calls.map((c) => c[2])).toEqual([2, 2, 2, 2]); // 2 + 2 + 1, then the empty claim
    expect(await queue.next(never)).toBeUndefined();
    expect(calls).toHaveLength(4); // drained: no further claim this round
    queue.startRound();
    expect(await queue.next(never)).toBeUndefined();
    expect(calls).toHaveLength(5);
    const ledger = await readLedger(h.config);
    expect([...ledger.values()].every((r) => r.state === 'sending' && r.workerId === 'w1')).toBe(true);
  });

  it('lanes that find the queue empty while a claim runs wait for it instead of claiming too', async () => {
    const { campaign, store, calls } = await setup(6);
    const queue = new ClaimQueue(store, campaign.id, 'w1', 3, 60_000);
    const rows = await Promise.all([queue.next(never), queue.next(never), queue.next(never)]);
    expect(calls).toHaveLength(1);
    expect(new Set(rows.map((r) => r!.subscriberId)).size).toBe(3);
    expect(queue.holdsUnsent()).toBe(false);
  });

  it('claims nothing while stopping; a row put back is next in line and must be given back', async () => {
    const { h, campaign, store, calls } = await setup(4);
    const queue = new ClaimQueue(store, campaign.id, 'w1', 4, 60_000);
    expect(await queue.next(() => true)).toBeUndefined();
    expect(calls).toHaveLength(0);
    const first = (await queue.next(never))!;
    queue.putBack(first);
    expect((await queue.next(never))!.subscriberId).toBe(first.subscriberId);
    queue.putBack(first);
    expect(queue.holdsUnsent()).toBe(true);
    expect(await queue.giveBack()).toBe(4);
    expect(queue.holdsUnsent()).toBe(false);
    const ledger = await readLedger(h.config);
    // Given back without counting the attempt.
    expect([...ledger.values()].map((r) => [r.state, r.attempts, r.workerId])).toEqual(Array(4).fill(['queued', 0, null]));
  });

  it('counts a row skipped for its lease as unsent until given back', async () => {
    const { campaign, store } = await setup(1);
    const queue = new ClaimQueue(store, campaign.id, 'w1', 4, 60_000);
    await queue.next(never);
    expect(queue.holdsUnsent()).toBe(false);
    queue.skipExpired();
    expect(queue.holdsUnsent()).toBe(true);
    expect(await queue.giveBack()).toBe(1);
    expect(queue.holdsUnsent()).toBe(false);
  });

  it("gives back only its own worker id's rows", async () => {
    const { h, campaign, store } = await setup(4);
    const mine = new ClaimQueue(store, campaign.id, 'w1', 2, 60_000);
    const theirs = new ClaimQueue(store, campaign.id, 'w2', 2, 60_000);
    await mine.next(never);
    await theirs.next(never);
    expect(await mine.giveBack()).toBe(2);
    const states = [...(await readLedger(h.config)).values()].map((r) => `${r.state}:${r.workerId}`).sort();
    expect(states).toEqual(['queued:null', 'queued:null', 'sending:w2', 'sending:w2']);
  });

  it('says who left since the claim, with one query for the row asked about and every row behind it', async () => {
    const { h, campaign, store, calls } = await setup(4, 'departedSubscribers');
    const queue = new ClaimQueue(store, campaign.id, 'w1', 4, 60_000);
    const all = await Promise.all(h.emails.map(async (e) => (await h.store.findSubscriberByEmail(e))!.id));
    const first = (await queue.next(never))!;
    const gone = (await h.store.findSubscriberByEmail(address(1)))!;
    const left = (await h.store.findSubscriberByEmail(address(2)))!;
    await h.store.setSubscriberStatus(left.id, 'unsubscribed');
    await h.store.removeSubscriber(gone.email);
    expect(await queue.departure(first.subscriberId)).toBeNull();
    expect(calls).toHaveLength(1);
    expect((calls[0]![0] as number[]).slice().sort()).toEqual(all.slice().sort());
    const answers = new Map<number, string | null>();
    for (let row = await queue.next(never); row; row = await queue.next(never)) answers.set(row.subscriberId, await queue.departure(row.subscriberId));
    expect(answers.get(gone.id)).toBe('removed');
    expect(answers.get(left.id)).toBe('unsubscribed');
    expect(calls).toHaveLength(1); // within the check's age: no further query
  });
});

describe('DepartureCheck', () => {
  it('asks again once its answer is older than maxAgeMs, and for a subscriber it did not cover', async () => {
    const { h, store, calls } = await setup(3, 'departedSubscribers');
    const ids = await Promise.all([0, 1, 2].map(async (i) => (await h.store.findSubscriberByEmail(address(i)))!.id));
    const check = new DepartureCheck(store, 50);
    expect(await check.departure(ids[0]!, () => [ids[1]!])).toBeNull();
    expect(await check.departure(ids[1]!, () => [])).toBeNull();
    expect(calls).toHaveLength(1);
    expect(await check.departure(ids[2]!, () => [])).toBeNull(); // not covered by the first query
    expect(calls).toHaveLength(2);
    await h.store.setSubscriberStatus(ids[2]!, 'bounced');
    await new Promise((r) => setTimeout(r, 60));
    expect(await check.departure(ids[2]!, () => [])).toBe('bounced');
    expect(calls).toHaveLength(3);
    // Lanes asking while a query runs share it.
    await new Promise((r) => setTimeout(r, 60));
    const answers = await Promise.all(ids.map((id) => check.departure(id, () => ids)));
    expect(answers).toEqual([null, null, 'bounced']);
    expect(calls).toHaveLength(4);
  });
});
