// The mark coalescer against a real SQLite store: `sent` marks of one event-loop turn are one
// transaction, a lane's promise settles only once its mark is committed, and marks that arrive
// while a write runs gather for the next one.
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueCampaign } from '../../src/delivery/campaign.js';
import { MARK_HOLD_MS, MarkCoalescer } from '../../src/delivery/mark-coalescer.js';
import type { Store } from '../../src/storage/store.js';
import { makeHarness, readLedger } from './harness.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(n: number) {
  const h = await makeHarness(n);
  cleanup.push(() => h.cleanup());
  const { campaign } = await enqueueCampaign(h.store, h.issue);
  const rows = await h.store.claimBatch(campaign.id, 'w', n, 60_000);
  const writes: number[][] = [];
  /** Resolves the write in progress; writes wait for it while `hold` is set. */
  const gate: { hold: boolean; release: (() => void) | null } = { hold: false, release: null };
  const store = new Proxy(h.store, {
    get(target, key, receiver) {
      if (key === 'markSentMany') {
        return async (id: number, marks: Parameters<Store['markSentMany']>[1]) => {
          writes.push(marks.map((m) => m.subscriberId));
          if (gate.hold) await new Promise<void>((r) => (gate.release = r));
          return target.markSentMany(id, marks);
        };
      }
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const coalescer = new MarkCoalescer(store, campaign.id);
  const mark = (i: number) => coalescer.mark({ subscriberId: rows[i]!.subscriberId, smtpCode: 250, smtpResponse: `250 ok ${i}` });
  const hold = (i: number) => coalescer.hold({ subscriberId: rows[i]!.subscriberId, smtpCode: 250, smtpResponse: `250 ok ${i}` });
  return { h, campaign, rows, writes, gate, mark, hold };
}

describe('MarkCoalescer', () => {
  it('settles a lane only once its mark is in the ledger', async () => {
    const { h, rows, mark } = await setup(2);
    await mark(0);
    const ledger = await readLedger(h.config);
    expect(ledger.get(rows[0]!.email.toLowerCase())).toMatchObject({ state: 'sent', smtpCode: 250, smtpResponse: '250 ok 0' });
    expect(ledger.get(rows[1]!.email.toLowerCase())).toMatchObject({ state: 'sending' });
  });

  it('writes the marks of different turns in different transactions', async () => {
    const { rows, writes, mark } = await setup(3);
    const a = mark(0);
    await new Promise((r) => setImmediate(r));
    const b = [mark(1), mark(2)];
    await Promise.all([a, ...b]);
    expect(writes).toEqual([[rows[0]!.subscriberId], [rows[1]!.subscriberId, rows[2]!.subscriberId]]);
  });

  it('gathers the marks that arrive while a write runs into one following write', async () => {
    const { h, campaign, rows, writes, gate, mark } = await setup(4);
    gate.hold = true;
    const first = mark(0);
    while (!gate.release) await new Promise((r) => setImmediate(r)); // the first write has started
    const later = [mark(1), mark(2)];
    await new Promise((r) => setImmediate(r));
    const last = mark(3);
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(1); // nothing else is written while the first write runs
    gate.hold = false;
    gate.release();
    await Promise.all([first, ...later, last]);
    expect(writes).toEqual([[rows[0]!.subscriberId], [1, 2, 3].map((i) => rows[i]!.subscriberId)]);
    expect((await h.store.campaignStats(campaign.id)).sent).toBe(4);
  });

  it('writes held marks together once one of them is asked for, or once the oldest has waited MARK_HOLD_MS', async () => {
    const { h, campaign, rows, writes, hold } = await setup(5);
    const held = [hold(0), hold(1)];
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual([]); // nobody asked yet
    const third = hold(2);
    await held[1]!.committed();
    expect(writes).toEqual([[0, 1, 2].map((i) => rows[i]!.subscriberId)]);
    await Promise.all([held[0]!.committed(), third.committed()]); // already written with the group
    expect((await h.store.campaignStats(campaign.id)).sent).toBe(3);

    const unasked = hold(3);
    await new Promise((r) => setTimeout(r, MARK_HOLD_MS * 3));
    expect(writes).toHaveLength(2); // written by the deadline, nobody asking
    await unasked.committed();
    expect((await h.store.campaignStats(campaign.id)).sent).toBe(4);
  });

  it("rejects every lane of a failed write with the store's one error", async () => {
    const { h, campaign, rows, mark } = await setup(3);
    await h.store.markSent(campaign.id, rows[0]!.subscriberId, { smtpCode: 250, smtpResponse: 'already' });
    await h.store.close(); // every write now fails
    const failed = [mark(1), mark(2)];
    const results = await Promise.allSettled(failed);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBe((results[1] as PromiseRejectedResult).reason);
  });
});
