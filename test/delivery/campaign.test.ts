// The campaign pipeline against a real loopback SMTP server and a real SQLite ledger, with the
// server misbehaving in every way the spec names, and the listmonk failure modes as tests.
// After every run the ledger and the server must agree, recipient by recipient.
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueCampaign, sendCampaign, DeliveryError, MarkCoalescer, type Progress, type SendCampaignDeps } from '../../src/delivery/campaign.js';
import { createTransport, type Transport } from '../../src/delivery/transport.js';
import { parseVerpAddress } from '../../src/email/verp.js';
import { silentLogger } from '../../src/logging.js';
import { startTestSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-server.js';
import { address, makeHarness, readLedger, type Harness } from './harness.js';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface Setup {
  h: Harness;
  server: TestSmtpServer;
  transport: Transport;
  deps: (extra?: Partial<SendCampaignDeps>) => SendCampaignDeps;
}

async function setup(
  n: number,
  faults: TestSmtpOptions = {},
  opts: { urlQuery?: string; maxConnections?: number; maxAttempts?: number; batchSize?: number; bounceAddress?: string } = {},
): Promise<Setup> {
  const h = await makeHarness(n);
  cleanup.push(() => h.cleanup());
  if (opts.bounceAddress) h.config.email.bounceAddress = opts.bounceAddress;
  const server = await startTestSmtpServer(faults);
  cleanup.push(() => server.close());
  h.config.smtpUrl = server.url + (opts.urlQuery ?? '');
  h.config.smtp.maxConnections = opts.maxConnections ?? 4;
  h.config.smtp.maxAttempts = opts.maxAttempts ?? 5;
  h.config.smtp.batchSize = opts.batchSize ?? 50;
  const transport = createTransport(h.config, silentLogger());
  cleanup.push(() => transport.close());
  return {
    h,
    server,
    transport,
    deps: (extra = {}) => ({
      store: h.store,
      transport,
      config: h.config,
      logger: silentLogger(),
      workerId: 'test-worker',
      secret: h.config.secret!,
      retry: { baseDelayMs: 30, maxDelayMs: 200, jitter: 0.5 },
      connectionPauseMs: 10,
      ...extra,
    }),
  };
}

/** Every `sent` row has exactly one copy at the server; every other row none. */
async function expectLedgerMatchesServer(s: Setup): Promise<void> {
  const ledger = await readLedger(s.h.config);
  expect(ledger.size).toBe(s.h.emails.length);
  const wrong: string[] = [];
  for (const [email, row] of ledger) {
    const copies = s.server.countFor(email);
    if ((row.state === 'sent' && copies !== 1) || (row.state !== 'sent' && copies !== 0)) wrong.push(`${email}: ${row.state}, ${copies} copies`);
  }
  expect(wrong).toEqual([]);
  expect(s.server.accepted()).toBe([...ledger.values()].filter((r) => r.state === 'sent').length);
}

describe('sendCampaign', () => {
  it('sends every recipient exactly once, records the 250, and a second run sends nothing', async () => {
    const s = await setup(300);
    const seen: Progress[] = [];
    const out = await sendCampaign(s.deps({ onProgress: (p) => seen.push(p) }), s.h.issue);
    expect(out).toMatchObject({ sent: 300, failed: 0, sentNow: 300, finished: true, aborted: false, recipients: 300 });
    expect(out.finishedAt).not.toBeNull();
    await expectLedgerMatchesServer(s);
    const ledger = await readLedger(s.h.config);
    expect(ledger.get(address(7))).toMatchObject({ state: 'sent', smtpCode: 250, attempts: 1 });
    expect(ledger.get(address(7))!.smtpResponse).toMatch(/^250 2\.0\.0 Ok/);
    expect(s.server.connections().peak).toBeLessThanOrEqual(4);
    expect(seen.at(-1)).toMatchObject({ sent: 300, total: 300, remaining: 0 });

    const again = await sendCampaign(s.deps(), s.h.issue);
    expect(again).toMatchObject({ alreadyFinished: true, sentNow: 0 });
    expect(s.server.accepted()).toBe(300);
  });

  for (const client of ['pipelining', 'nodemailer'] as const) {
    it(`with email.bounceAddress, every copy's MAIL FROM is the VERP address of its own (campaign, subscriber) (${client} client)`, async () => {
      const bounces = 'bounces@news.example.org';
      const s = await setup(40, { keepMessages: true }, { bounceAddress: bounces, urlQuery: client === 'nodemailer' ? '?client=nodemailer' : '' });
      expect(await sendCampaign(s.deps(), s.h.issue)).toMatchObject({ sent: 40, failed: 0 });
      const campaign = (await s.h.store.getCampaign(s.h.issue.slug))!;
      const idOf = new Map((await s.h.store.listSubscribers({ limit: 100 })).map((sub) => [sub.email, sub.id]));
      expect(s.server.messages).toHaveLength(40);
      const wrong = s.server.messages.filter((m) => {
        const check = parseVerpAddress(m.from, bounces, s.h.config.secret!);
        return !check.ok || check.campaignId !== campaign.id || check.subscriberId !== idOf.get(m.to[0]!);
      });
      expect(wrong.map((m) => `${m.to[0]} from ${m.from}`)).toEqual([]);
    });
  }

  it('retries 451/452 until they pass, fails 5xx at once, and bounces user-unknown subscribers', async () => {
    const s = await setup(200, {
      rcpt: (a, n) => {
        const i = Number(/sub(\d+)@/.exec(a)![1]);
        if (i % 10 === 1 && n <= 2) return { code: 451 };
        if (i % 10 === 2 && n === 1) return { code: 452 };
        if (i % 50 === 3) return { code: 550 };
        if (i % 50 === 4) return { code: 554, message: '5.7.1 Message refused by policy' };
        return null;
      },
    });
    const out = await sendCampaign(s.deps(), s.h.issue);
    expect(out).toMatchObject({ sent: 200 - 8, failed: 8, bounced: 4, finished: true });
    await expectLedgerMatchesServer(s);
    const ledger = await readLedger(s.h.config);
    expect(ledger.get(address(11))).toMatchObject({ state: 'sent', attempts: 3 });
    expect(ledger.get(address(12))).toMatchObject({ state: 'sent', attempts: 2 });
    expect(ledger.get(address(3))).toMatchObject({ state: 'failed', smtpCode: 550, bounced: true, temporary: false, attempts: 1 });
    expect(ledger.get(address(3))!.smtpResponse).toContain('5.1.1');
    expect(ledger.get(address(4))).toMatchObject({ state: 'failed', smtpCode: 554, bounced: false, temporary: false });
    expect((await s.h.store.findSubscriberByEmail(address(3)))!.status).toBe('bounced');
    expect((await s.h.store.findSubscriberByEmail(address(4)))!.status).toBe('active');
  });

  it('throttling (421 on connect, 450 and 454) is retried, never lost', async () => {
    const s = await setup(120, {
      connect: (n) => (n <= 3 ? { code: 421 } : null),
      rcpt: (a, n) => (a.endsWith('5@example.org') && n === 1 ? { code: 450 } : null),
      data: (a, n) => (a.endsWith('7@example.org') && n <= 2 ? { code: 454 } : null),
    });
    const out = await sendCampaign(s.deps(), s.h.issue);
    expect(out).toMatchObject({ sent: 120, failed: 0, finished: true });
    await expectLedgerMatchesServer(s);
    const ledger = await readLedger(s.h.config);
    expect(ledger.get(address(17))).toMatchObject({ state: 'sent', attempts: 3 });
  });

  it('a connection lost or a server silent after the final dot: outcome unknown, never retried; retry --unknown re-sends just those', async () => {
    // Small messages are written whole before the server reads them, so a drop "in DATA" comes
    // after our final dot: the client cannot know whether the server kept the message.
    const s = await setup(
      80,
      {
        dropInData: (a, n) => a.endsWith('3@example.org') && n === 1,
        stall: (phase, a) => {
          if (phase !== 'data' || a !== address(42) || stalled > 0) return false;
          stalled++;
          return true;
        },
      },
      { urlQuery: '?socketTimeout=400&greetingTimeout=400&dataTimeout=400' },
    );
    let stalled = 0;
    const out = await sendCampaign(s.deps(), s.h.issue);
    expect(stalled).toBe(1);
    const lost = [...Array(80).keys()].filter((i) => i % 10 === 3 || i === 42).map(address);
    expect(out).toMatchObject({ sent: 80 - lost.length, failed: 0, unknown: lost.length, unknownNow: lost.length, retry: 0, finished: true });
    const ledger = await readLedger(s.h.config);
    for (const a of lost) expect(ledger.get(a), a).toMatchObject({ state: 'unknown', attempts: 1, temporary: false });
    expect(ledger.get(address(42))!.smtpResponse).toMatch(/no answer within 400 ms after the final dot/);
    expect(s.server.duplicates()).toEqual([]); // nothing was sent blindly a second time

    // The operator decides: re-queue exactly the unknown ones and send them.
    expect(await s.h.store.requeueUnknownOutcomes((await s.h.store.getCampaign(s.h.issue.slug))!.id)).toBe(lost.length);
    const again = await sendCampaign(s.deps(), s.h.issue);
    expect(again).toMatchObject({ sent: 80, unknown: 0, sentNow: lost.length, finished: true });
    for (const i of Array(80).keys()) expect(s.server.countFor(address(i))).toBe(1);
  });

  it('records exhausted retries per recipient so `retry` re-sends just those', async () => {
    let down = true;
    const s = await setup(60, { rcpt: (a) => (down && /sub[0-9]*[05]@/.test(a) ? { code: 451 } : null) }, { maxAttempts: 2 });
    const first = await sendCampaign(s.deps(), s.h.issue);
    expect(first).toMatchObject({ sent: 48, failed: 12, bounced: 0, finished: true });
    const ledger = await readLedger(s.h.config);
    expect(ledger.get(address(10))).toMatchObject({ state: 'failed', temporary: true, smtpCode: 451, attempts: 2 });
    await expectLedgerMatchesServer(s);

    down = false;
    const campaign = (await s.h.store.getCampaign(s.h.issue.slug))!;
    expect(await s.h.store.requeueTemporaryFailures(campaign.id)).toBe(12);
    const before = new Map(s.h.emails.map((e) => [e, s.server.countFor(e)]));
    const second = await sendCampaign(s.deps(), s.h.issue);
    expect(second).toMatchObject({ sent: 60, failed: 0, sentNow: 12, finished: true });
    for (const e of s.h.emails) {
      const wasFailed = /sub[0-9]*[05]@/.test(e);
      expect(s.server.countFor(e) - before.get(e)!).toBe(wasFailed ? 1 : 0);
    }
    await expectLedgerMatchesServer(s);
  });

  it('a crashed worker does not make the rest of its batch be skipped: its rows are sent after the lease', async () => {
    const s = await setup(150, {}, { batchSize: 40 });
    const { campaign } = await enqueueCampaign(s.h.store, s.h.issue);
    // A worker claimed 40 rows and died before sending any of them.
    const orphaned = await s.h.store.claimBatch(campaign.id, 'dead-worker', 40, 600);
    expect(orphaned).toHaveLength(40);
    const out = await sendCampaign(s.deps(), s.h.issue);
    expect(out).toMatchObject({ sent: 150, failed: 0, finished: true });
    for (const row of orphaned) expect(s.server.countFor(row.email)).toBe(1);
    await expectLedgerMatchesServer(s);
  });

  it('the same worker id, restarted, takes its own stale claims back at once', async () => {
    const s = await setup(100);
    const { campaign } = await enqueueCampaign(s.h.store, s.h.issue);
    const mine = await s.h.store.claimBatch(campaign.id, 'test-worker', 30, 3_600_000);
    expect(mine).toHaveLength(30);
    const out = await sendCampaign(s.deps({ waitForRetries: false }), s.h.issue);
    expect(out).toMatchObject({ sent: 100, finished: true });
    await expectLedgerMatchesServer(s);
  });

  it('pause (abort) and resume never re-send to people already mailed', async () => {
    const abort = new AbortController();
    // Pause once the server has taken 120 messages (decided at the server, so not timing-dependent).
    const s = await setup(400, { rcpt: () => (s.server.accepted() >= 120 && abort.abort(), null) }, { maxConnections: 3 });
    const first = await sendCampaign(s.deps({ signal: abort.signal }), s.h.issue);
    expect(first.aborted).toBe(true);
    expect(first.finished).toBe(false);
    expect(first.sent).toBeGreaterThanOrEqual(120);
    expect(first.sent).toBeLessThan(400);
    expect(first.sending).toBe(0); // unsent claims were given back
    expect(first.queued).toBe(400 - first.sent);
    await expectLedgerMatchesServer(s);

    const second = await sendCampaign(s.deps(), s.h.issue);
    expect(second).toMatchObject({ sent: 400, finished: true, sentNow: 400 - first.sent });
    expect(s.server.duplicates()).toEqual([]);
    await expectLedgerMatchesServer(s);
  });

  it('stops on a fatal transport error (bad password) without failing anyone', async () => {
    const h = await makeHarness(30);
    cleanup.push(() => h.cleanup());
    const server = await startTestSmtpServer({ auth: { user: 'u', pass: 'right' } });
    cleanup.push(() => server.close());
    // This server offers no STARTTLS: without allowPlainAuth the password would not even be tried.
    h.config.smtpUrl = `smtp://u:wrong@127.0.0.1:${server.port}?allowPlainAuth=true`;
    const transport = createTransport(h.config, silentLogger());
    cleanup.push(() => transport.close());
    const run = sendCampaign({ store: h.store, transport, config: h.config, logger: silentLogger(), workerId: 'w', secret: h.config.secret! }, h.issue);
    await expect(run).rejects.toThrow(DeliveryError);
    await expect(run).rejects.toThrow(/Invalid login|535/);
    const stats = await h.store.campaignStats((await h.store.getCampaign(h.issue.slug))!.id);
    expect(stats).toMatchObject({ sent: 0, failed: 0, sending: 0, queued: 30 });
    expect(server.accepted()).toBe(0);
  });

  it('group-commits the marks of lanes answered together, never more than one unmarked message per lane', async () => {
    const s = await setup(400, {}, { maxConnections: 4 });
    const groups: number[] = [];
    let committed = 0;
    let worstGap = 0;
    const watched = new Proxy(s.h.store, {
      get(target, key, receiver) {
        if (key === 'markSentMany') {
          return async (campaignId: number, marks: Parameters<typeof target.markSentMany>[1]) => {
            // Accepted by the server but not yet committed as sent: one per lane at most.
            worstGap = Math.max(worstGap, s.server.accepted() - committed);
            groups.push(marks.length);
            await target.markSentMany(campaignId, marks);
            committed += marks.length;
          };
        }
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const out = await sendCampaign(s.deps({ store: watched }), s.h.issue);
    expect(out).toMatchObject({ sent: 400, finished: true });
    expect(groups.reduce((a, b) => a + b, 0)).toBe(400);
    expect(Math.max(...groups)).toBeLessThanOrEqual(4);
    expect(worstGap).toBeGreaterThan(0);
    expect(worstGap).toBeLessThanOrEqual(4);
    await expectLedgerMatchesServer(s);
  });

  it('a store failure stops every lane (no sending past it) and is reported', async () => {
    const s = await setup(200, {}, { maxConnections: 4 });
    // Marks are group-committed (markSentMany): the store accepts whole groups up to 50 rows, then fails.
    let marks = 0;
    const failing = new Proxy(s.h.store, {
      get(target, key, receiver) {
        if (key === 'markSent' || key === 'markSentMany') {
          return async (campaignId: number, ...rest: unknown[]) => {
            const group = key === 'markSentMany' ? (rest[0] as unknown[]).length : 1;
            if (marks + group > 50) throw new Error('SQLITE_READONLY: attempt to write a readonly database');
            marks += group;
            return (target[key] as (...a: unknown[]) => Promise<void>).call(target, campaignId, ...rest);
          };
        }
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    await expect(sendCampaign(s.deps({ store: failing }), s.h.issue)).rejects.toThrow(/readonly/);
    // Each lane stops at its first failed mark: the server got the marked ones plus at most one per lane.
    const stats = await s.h.store.campaignStats((await s.h.store.getCampaign(s.h.issue.slug))!.id);
    expect(stats.sent).toBe(marks);
    expect(marks).toBeGreaterThan(50 - 4); // the failing group holds at most one row per lane
    expect(s.server.accepted()).toBeGreaterThan(stats.sent);
    expect(s.server.accepted()).toBeLessThanOrEqual(stats.sent + 4);
    expect(stats.sending).toBe(0); // given back for the next run
  });

  it('never sends a claimed row whose lease is about to end: gives it back and claims it anew', async () => {
    // One lane, a 2 s lease (the margin, clamped to half the lease: 1 s), and the first message's
    // 250 takes 1.6 s: by then the rest of the batch is too close to its lease's end to be sent safely.
    let stalled = false;
    const s = await setup(30, { replyDelayMs: (a) => (a === address(0) && !stalled && (stalled = true) ? 1600 : 0) }, { maxConnections: 1, batchSize: 30 });
    const lines: string[] = [];
    const { pino } = await import('pino');
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const out = await sendCampaign(s.deps({ leaseMs: 2000, logger }), s.h.issue);
    expect(stalled).toBe(true);
    expect(out).toMatchObject({ sent: 30, failed: 0, finished: true });
    expect(lines.some((l) => /gave back \d+ claimed but unsent rows/.test(l))).toBe(true);
    // 2 s cannot cover the default 120 s message timeout: the margin is clamped, and the log says so.
    expect(lines.some((l) => /shorter than twice the transport's longest send: a message slower than 1 s could be sent twice/.test(l))).toBe(true);
    expect(s.server.duplicates()).toEqual([]);
    await expectLedgerMatchesServer(s);
  });

  it('refuses drafts and email: false issues', async () => {
    const h = await makeHarness(1);
    cleanup.push(() => h.cleanup());
    await expect(enqueueCampaign(h.store, { ...h.issue, draft: true })).rejects.toThrow(/is a draft/);
    await expect(enqueueCampaign(h.store, { ...h.issue, email: false })).rejects.toThrow(/email: false/);
    expect(await h.store.getCampaign(h.issue.slug)).toBeNull();
  });
});

describe('MarkCoalescer', () => {
  it('writes the marks queued in one turn as one group, the next ones after it, and rejects a failed group', async () => {
    const h = await makeHarness(6);
    cleanup.push(() => h.cleanup());
    const { campaign } = await enqueueCampaign(h.store, h.issue);
    const rows = await h.store.claimBatch(campaign.id, 'w', 6, 60_000);
    const calls: number[][] = [];
    let fail = false;
    const store = new Proxy(h.store, {
      get(target, key, receiver) {
        if (key === 'markSentMany') {
          return async (id: number, marks: Parameters<typeof target.markSentMany>[1]) => {
            calls.push(marks.map((m) => m.subscriberId));
            if (fail) throw new Error('disk full');
            return target.markSentMany(id, marks);
          };
        }
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const c = new MarkCoalescer(store, campaign.id);
    const mark = (i: number) => c.mark({ subscriberId: rows[i]!.subscriberId, smtpCode: 250, smtpResponse: `250 ok ${i}` });
    let firstDone = false;
    const first = [mark(0), mark(1), mark(2)];
    void Promise.all(first).then(() => (firstDone = true));
    expect(calls).toEqual([]); // nothing is written before the turn ends
    await Promise.all(first);
    expect(firstDone).toBe(true);
    expect(calls).toEqual([[0, 1, 2].map((i) => rows[i]!.subscriberId)]);
    expect((await h.store.campaignStats(campaign.id)).sent).toBe(3);

    fail = true;
    const failed = [mark(3), mark(4)];
    await expect(Promise.all(failed)).rejects.toThrow('disk full');
    await expect(failed[1]).rejects.toThrow('disk full');
    expect((await h.store.campaignStats(campaign.id)).sent).toBe(3);
    fail = false;
    await mark(5);
    expect(calls.at(-1)).toEqual([rows[5]!.subscriberId]);
    const ledger = await readLedger(h.config);
    expect(ledger.get(rows[1]!.email.toLowerCase())).toMatchObject({ state: 'sent', smtpCode: 250, smtpResponse: '250 ok 1' });
    expect(ledger.get(rows[3]!.email.toLowerCase())).toMatchObject({ state: 'sending' });
  });
});
