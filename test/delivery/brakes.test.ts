// The brakes over a real loopback SMTP server and a real SQLite ledger: a campaign paused in the
// middle of its send stops, gives back what it had not handed over and, resumed, mails nobody twice
// (listmonk #2070); a cancelled one ends its unsent rows `cancelled`; one whose hard-bounce rate
// passes the policy pauses itself, says so at ERROR, and an operator's resume overrules it.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueCampaign, sendCampaign, type SendCampaignDeps } from '../../src/delivery/campaign.js';
import { createTransport } from '../../src/delivery/transport.js';
import { silentLogger } from '../../src/logging.js';
import { startTestSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-server.js';
import { address, makeHarness, readLedger, type Harness } from './harness.js';

const RECIPIENTS = 300;
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** A campaign of RECIPIENTS over loopback SMTP; `whenAccepted(n)` runs once the server has accepted n messages. */
async function setup(faults: TestSmtpOptions = {}, whenAccepted?: { at: number; run: (campaignId: number, h: Harness) => Promise<unknown> }) {
  const h = await makeHarness(RECIPIENTS);
  cleanup.push(() => h.cleanup());
  let campaignId = 0;
  let fired = false;
  const server: TestSmtpServer = await startTestSmtpServer({
    // A little time per message, so a send lasts long enough to be braked in its middle.
    replyDelayMs: () => 3,
    ...faults,
    onAccepted: () => {
      if (whenAccepted && !fired && server.accepted() >= whenAccepted.at) {
        fired = true;
        void whenAccepted.run(campaignId, h);
      }
    },
  });
  cleanup.push(() => server.close());
  h.config.smtpUrl = server.url;
  h.config.smtp.maxConnections = 4;
  h.config.smtp.batchSize = 20;
  const transport = createTransport(h.config, silentLogger());
  cleanup.push(() => transport.close());
  campaignId = (await enqueueCampaign(h.store, h.issue, transport.identity)).campaign.id;
  const deps = (extra: Partial<SendCampaignDeps> = {}): SendCampaignDeps => ({
    store: h.store,
    transport,
    config: h.config,
    logger: silentLogger(),
    workerId: 'test-worker',
    secret: h.config.secret!,
    brakeCheckMs: 20,
    ...extra,
  });
  return { h, server, deps, campaignId: () => campaignId };
}

/** Ledger and server agree: every `sent` row has exactly one copy, every other row none. */
async function expectLedgerMatchesServer(h: Harness, server: TestSmtpServer): Promise<Map<string, number>> {
  const ledger = await readLedger(h.config);
  const states = new Map<string, number>();
  const wrong: string[] = [];
  for (const [email, row] of ledger) {
    states.set(row.state, (states.get(row.state) ?? 0) + 1);
    const copies = server.countFor(email);
    if ((row.state === 'sent' && copies !== 1) || (row.state !== 'sent' && copies !== 0)) wrong.push(`${email}: ${row.state}, ${copies} copies`);
  }
  expect(wrong).toEqual([]);
  expect(server.accepted()).toBe(states.get('sent') ?? 0);
  return states;
}

describe('the brakes while sending', () => {
  it('paused mid-send: stops, gives back the unsent claims, and resumed mails every recipient exactly once', async () => {
    const s = await setup({}, { at: 60, run: (id, h) => h.store.pauseCampaign(id, null) });
    const paused = await sendCampaign(s.deps(), s.h.issue);
    expect(paused).toMatchObject({ braked: { kind: 'paused', reason: null }, finished: false, aborted: false, sending: 0 });
    expect(paused.sent).toBeGreaterThanOrEqual(60);
    expect(paused.sent).toBeLessThan(RECIPIENTS);
    const atPause = await expectLedgerMatchesServer(s.h, s.server);
    expect(atPause.get('sending')).toBeUndefined(); // in flight finished and marked, the rest given back
    expect((atPause.get('sent') ?? 0) + (atPause.get('queued') ?? 0)).toBe(RECIPIENTS);

    // `send` again while paused sends nothing.
    const still = await sendCampaign(s.deps(), s.h.issue);
    expect(still).toMatchObject({ braked: { kind: 'paused' }, sentNow: 0, sent: paused.sent });
    expect(s.server.accepted()).toBe(paused.sent);

    expect(await s.h.store.resumeCampaign(s.campaignId())).toBe(true);
    const resumed = await sendCampaign(s.deps(), s.h.issue);
    expect(resumed).toMatchObject({ braked: null, finished: true, sent: RECIPIENTS, sentNow: RECIPIENTS - paused.sent });
    await expectLedgerMatchesServer(s.h, s.server);
    for (let i = 0; i < RECIPIENTS; i++) expect(s.server.countFor(address(i)), address(i)).toBe(1);
  });

  it('cancelled mid-send: in-flight messages are marked, every unsent row ends cancelled, the campaign is finished', async () => {
    const s = await setup({}, { at: 60, run: (id, h) => h.store.cancelCampaign(id) });
    const out = await sendCampaign(s.deps(), s.h.issue);
    expect(out).toMatchObject({ braked: { kind: 'cancelled' }, finished: true, sending: 0, queued: 0 });
    expect(out.sent).toBeLessThan(RECIPIENTS);
    expect(out.sent + out.cancelled).toBe(RECIPIENTS);
    const states = await expectLedgerMatchesServer(s.h, s.server);
    expect([...states.keys()].sort()).toEqual(['cancelled', 'sent']);
    // Nothing more goes out, whoever asks.
    const again = await sendCampaign(s.deps(), s.h.issue);
    expect(again).toMatchObject({ alreadyFinished: true, sentNow: 0, braked: { kind: 'cancelled' } });
    expect(s.server.accepted()).toBe(out.sent);
  });

  it('pauses itself once the hard-bounce rate passes the policy after the minimum sample, logs it at ERROR; a resume overrules it', async () => {
    // One address in ten is refused as unknown (10% > 5%).
    const s = await setup({ rcpt: (to) => (Number(/sub(\d+)@/.exec(to)?.[1]) % 10 === 3 ? { code: 550, message: '5.1.1 user unknown' } : null) });
    s.h.config.bounce.minSample = 40;
    s.h.config.bounce.pauseAbove = 0.05;
    const lines: Array<{ level: number; msg: string; reason?: string }> = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _enc, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
          done();
        },
      }),
    );
    const out = await sendCampaign(s.deps({ logger, feedbackCheckMs: 0 }), s.h.issue);
    expect(out.braked).toMatchObject({ kind: 'paused', reason: expect.stringMatching(/^hard-bounce rate \d+(\.\d+)?% \(\d+ of \d+\) is above bounce\.pauseAbove 5%$/) });
    expect(out.attempted).toBeGreaterThanOrEqual(40);
    expect(out.sent + out.failed).toBeLessThan(RECIPIENTS);
    const campaign = (await s.h.store.getCampaign(s.h.issue.slug))!;
    expect(campaign.pausedAt).not.toBeNull();
    expect(campaign.pauseReason).toBe((out.braked as { reason: string }).reason);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reason: campaign.pauseReason, msg: expect.stringContaining(`campaign ${s.h.issue.slug} paused itself: hard-bounce rate`) });
    await expectLedgerMatchesServer(s.h, s.server);

    // The operator has seen the reason and resumes: the campaign does not pause itself again.
    expect(await s.h.store.resumeCampaign(campaign.id)).toBe(true);
    const resumed = await sendCampaign(s.deps({ logger, feedbackCheckMs: 0 }), s.h.issue);
    expect(resumed).toMatchObject({ braked: null, finished: true, sent: RECIPIENTS - RECIPIENTS / 10, failed: RECIPIENTS / 10, bounced: RECIPIENTS / 10 });
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
    await expectLedgerMatchesServer(s.h, s.server);
  });

  it('below the minimum sample the rate is not judged: a small campaign with bounces finishes', async () => {
    const s = await setup({ rcpt: (to) => (Number(/sub(\d+)@/.exec(to)?.[1]) % 10 === 3 ? { code: 550, message: '5.1.1 user unknown' } : null) });
    s.h.config.bounce.minSample = RECIPIENTS + 1;
    const out = await sendCampaign(s.deps({ feedbackCheckMs: 0 }), s.h.issue);
    expect(out).toMatchObject({ braked: null, finished: true, bounced: RECIPIENTS / 10 });
  });
});
