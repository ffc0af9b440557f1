// An idle worker picks up a campaign enqueued by another process within one poll of the store,
// without waiting for its cron schedule (here: once a year), and without any file change.
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging.js';
import { openStore } from '../../src/storage/open.js';
import { Worker, type TickResult } from '../../src/worker/worker.js';
import { isoFromNow, startHarness, writeIssue, type Harness } from '../server/harness.js';
import { waitFor } from '../support/wait.js';

let h: Harness | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop();
  await h?.close();
  h = worker = undefined;
});

describe('worker pick-up of enqueued campaigns', () => {
  it('sends a campaign created elsewhere on the next poll, with a yearly schedule and no watcher', async () => {
    h = await startHarness({ configure: (c) => (c.schedule = '0 0 1 1 *') });
    const emails = Array.from({ length: 5 }, (_, i) => `poll${i}@example.org`);
    await h.store.importSubscribers(emails.map((email) => ({ email })));
    // An old issue: feeds-only for the worker (before its watermark) until an operator enqueues it.
    await writeIssue(h.config, { slug: 'old-news', date: isoFromNow(-7 * 86_400_000) });
    const ticks: TickResult[] = [];
    worker = new Worker({ config: h.config, store: h.store, logger: silentLogger(), runner: h.runner, watch: false, pollMs: 150, onTick: (t) => ticks.push(t) });
    const first = await worker.start();
    expect(first.sent).toEqual([]);

    // Nothing pending: polls do not tick.
    await new Promise((r) => setTimeout(r, 600));
    expect(ticks.map((t) => t.reason)).toEqual(['start']);

    // "pressroom send old-news --enqueue" from another process: its own store connection.
    const other = await openStore(h.config);
    const { created } = await other.createCampaign({ slug: 'old-news', title: 'Old news', topics: [] });
    await other.close();
    expect(created).toBe(true);

    await waitFor(() => emails.every((e) => h!.smtp.countFor(e) === 1), { what: 'the enqueued campaign to be sent', timeout: 20_000 });
    // The tick ends after its last mark, so its result can come a moment after the last message.
    await waitFor(() => ticks.some((t) => t.reason === 'pending campaign' && t.sent.includes('old-news')), { what: 'the tick that sent it', timeout: 10_000 });
    await waitFor(async () => (await h!.store.getCampaign('old-news'))?.finishedAt != null, { what: 'the campaign to finish', timeout: 10_000 });
    expect(h.smtp.accepted()).toBe(emails.length);
  });
});
