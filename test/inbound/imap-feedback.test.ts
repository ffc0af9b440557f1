// The bounce mailbox end to end, in this process: a DSN carrying a real VERP token (for a ledger
// row of a campaign sent from a real SQLite store) is delivered into a real Dovecot, and the poller
// as `pressroom start` wires it (bounceMailboxPoller -> processFeedbackMessage -> the store)
// bounces the subscriber once; a restart reads nothing again, a replay changes nothing, and a
// forged token is one warning and nothing recorded.
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { verpAddress, verpToken } from '../../src/email/verp.js';
import { bounceMailboxPoller, bounceMailboxSettings } from '../../src/inbound/bounce-mailbox.js';
import { PROCESSED_KEYWORD } from '../../src/inbound/imap-poller.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { describeWithDovecot, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { makeSite } from '../support/site.js';
import { dsn } from './messages.js';

const BOUNCES = 'bounces@news.example.org';

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines, msgs: (level: number) => lines.filter((l) => l.level === level).map((l) => l.msg) };
}

/** A DSN as the provider's mailbox keeps it: the envelope recipient (the VERP address) in Delivered-To. */
function deliveredDsn(deliveredTo: string, o: Parameters<typeof dsn>[0]): Buffer {
  return Buffer.concat([Buffer.from(`Delivered-To: ${deliveredTo}\r\n`), dsn(o)]);
}

describeWithDovecot('the bounce mailbox, from Dovecot to the store', () => {
  let dovecot: TestDovecot;
  let config: Config;
  let store: Store;
  let dir: string;
  let campaignId: number;
  const readers = ['reader0@example.org', 'reader1@example.org'];
  const ids = new Map<string, number>();

  beforeAll(async () => {
    dovecot = await startDovecot();
    const site = makeSite();
    dir = site.dir;
    config = { ...site.config, email: { ...site.config.email, bounceAddress: BOUNCES } };
    store = await openStore(config);
    await store.importSubscribers(readers.map((email) => ({ email, status: 'active' as const })));
    // A campaign as a relay that answered 250 for every copy leaves it.
    const { campaign } = await store.createCampaign({ slug: 'issue-1', title: 'Issue 1', topics: [] });
    campaignId = campaign.id;
    const rows = await store.claimBatch(campaign.id, 'w1', 100, 60_000, Date.now());
    await store.markSentMany(
      campaign.id,
      rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: '250 ok' })),
    );
    for (const email of readers) ids.set(email, (await store.findSubscriberByEmail(email))!.id);
  });
  afterAll(async () => {
    await store?.close();
    await dovecot?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  let log = capturingLogger();

  async function poll(mailbox: string, recorder: Store = store) {
    const settings = bounceMailboxSettings({ ...config, inbound: { ...config.inbound, imapUrl: dovecot.url('imaps', { mailbox }) } }, config.secret!);
    const poller = await bounceMailboxPoller(settings!, { config, recorder, log: log.logger, tls: { ca: dovecot.ca } });
    return poller.pollOnce();
  }

  it('a DSN to the VERP address of a sent copy bounces that subscriber, once, across restarts and replays', async () => {
    const box = 'hard';
    await dovecot.session((imap) => imap.mailboxCreate(box));
    const subscriberId = ids.get('reader0@example.org')!;
    const returnPath = verpAddress(BOUNCES, verpToken(config.secret!, { campaignId, subscriberId }));
    const received = new Date('2026-12-01T10:00:05.000Z');
    await dovecot.append(
      // The remote names an address we never had (a forward): only the token can say whom it is about.
      deliveredDsn(returnPath, { id: 'dsn-hard-1', recipient: 'old-alias@example.net', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' }),
      box,
      received,
    );

    expect(await poll(box)).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect((await store.findSubscriberByEmail('reader0@example.org'))?.status).toBe('bounced');
    expect((await store.findSubscriberByEmail('reader1@example.org'))?.status).toBe('active');
    expect(await store.campaignStats(campaignId)).toMatchObject({ sent: 2, bounced: 1, softBounced: 0, complained: 0 });
    expect(log.msgs(30)).toContain('hard-bounce recorded');
    expect((await dovecot.messages(box)).map((m) => m.flags)).toEqual([[PROCESSED_KEYWORD, '\\Seen']]);

    // A restart: a new poller finds nothing to read.
    log = capturingLogger();
    expect(await poll(box)).toEqual({ handled: 0, failed: 0, tooLarge: 0 });
    expect(log.msgs(30)).not.toContain('hard-bounce recorded');

    // A stop between recording and flagging (the flags lost): read again, recorded once all the same.
    await dovecot.session(async (imap) => {
      const lock = await imap.getMailboxLock(box);
      await imap.messageFlagsRemove('1:*', ['\\Seen', PROCESSED_KEYWORD]);
      lock.release();
    });
    log = capturingLogger();
    expect(await poll(box)).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect(log.msgs(20)).toContain('hard-bounce already recorded (a replay): nothing changed');
    expect(await store.campaignStats(campaignId)).toMatchObject({ sent: 2, bounced: 1 });
    const exported = await store.exportSubscriber('reader0@example.org');
    expect(exported?.deliveries[0]).toMatchObject({ state: 'sent', bounced: true });
  });

  it('a DSN that cannot be recorded (the store is gone) stays unprocessed, one warning, and is recorded at the next poll', async () => {
    const box = 'store-down';
    await dovecot.session((imap) => imap.mailboxCreate(box));
    const email = 'late@example.org';
    const subscriber = await store.addSubscriber({ email, status: 'active' });
    const { campaign } = await store.createCampaign({ slug: 'issue-2', title: 'Issue 2', topics: [] });
    const rows = await store.claimBatch(campaign.id, 'w1', 100, 60_000, Date.now());
    await store.markSentMany(
      campaign.id,
      rows.map((r) => ({ subscriberId: r.subscriberId, smtpCode: 250, smtpResponse: '250 ok' })),
    );
    const returnPath = verpAddress(BOUNCES, verpToken(config.secret!, { campaignId: campaign.id, subscriberId: subscriber.id }));
    await dovecot.append(deliveredDsn(returnPath, { id: 'dsn-late-1', recipient: email, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 no such user' }), box);

    const closed = await openStore(config);
    await closed.close();
    log = capturingLogger();
    expect(await poll(box, closed)).toEqual({ handled: 0, failed: 1, tooLarge: 0 });
    expect(log.msgs(40)).toEqual([expect.stringMatching(/^message 1 could not be processed \(.+\); it stays unprocessed and is retried at the next poll$/)]);
    expect((await dovecot.messages(box)).map((m) => m.flags)).toEqual([[]]);
    expect((await store.findSubscriberByEmail(email))?.status).toBe('active');

    expect(await poll(box)).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect((await store.findSubscriberByEmail(email))?.status).toBe('bounced');
  });

  it('a DSN whose token was forged is one warning, recorded nowhere, and marked processed (it would never read better)', async () => {
    const box = 'forged';
    await dovecot.session((imap) => imap.mailboxCreate(box));
    const subscriberId = ids.get('reader1@example.org')!;
    const forged = verpAddress(BOUNCES, verpToken('another-secret-0123456789', { campaignId, subscriberId }));
    await dovecot.append(
      deliveredDsn(forged, { id: 'dsn-forged-1', recipient: 'reader1@example.org', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 user unknown' }),
      box,
    );
    log = capturingLogger();
    expect(await poll(box)).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect(log.msgs(40)).toEqual([expect.stringMatching(/^feedback message ignored: .*(signature|forged)/i)]);
    expect((await store.findSubscriberByEmail('reader1@example.org'))?.status).toBe('active');
    expect(await store.campaignStats(campaignId)).toMatchObject({ bounced: 1, softBounced: 0 });
    expect((await dovecot.messages(box)).map((m) => m.flags)).toEqual([[PROCESSED_KEYWORD, '\\Seen']]);
  });
});

describe('bounceMailboxSettings', () => {
  it('is null without inbound.imapUrl, and refuses to poll without the bounce address or the secret (one line each)', () => {
    const { config, dir } = makeSite();
    rmSync(dir, { recursive: true, force: true });
    expect(bounceMailboxSettings(config, 'test-secret-0123456789abcdef')).toBeNull();
    const withUrl = { ...config, inbound: { ...config.inbound, imapUrl: 'imaps://bounces:pw@imap.example.org/INBOX' } };
    expect(() => bounceMailboxSettings(withUrl, 'test-secret-0123456789abcdef')).toThrow(/^email\.bounceAddress: the IMAP bounce-mailbox poller \(inbound\.imapUrl\) needs it/);
    const withBounce = { ...withUrl, email: { ...withUrl.email, bounceAddress: BOUNCES } };
    expect(() => bounceMailboxSettings(withBounce, null)).toThrow(/^secret: the IMAP bounce-mailbox poller \(inbound\.imapUrl\) needs the secret/);
    expect(bounceMailboxSettings(withBounce, 'test-secret-0123456789abcdef')).toMatchObject({
      url: 'imaps://bounces:pw@imap.example.org/INBOX',
      pollSeconds: 60,
      bounceAddress: BOUNCES,
    });
  });
});
