// The bounce and complaint parser on a real sample of each format (test/fixtures/bounces/, see its
// README): kind, status, diagnostic and whom each event is about, and the refusal of forged or
// mangled VERP tokens (never a fallback to the address then).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verpAddress, verpToken } from '../../src/email/verp.js';
import { bounceKind, enhancedStatus } from '../../src/inbound/classify.js';
import { readFeedbackMessage, type FeedbackMessageContext } from '../../src/inbound/read.js';
import { fixturesDir } from '../support/paths.js';

const SECRET = 'bounce-fixtures-secret-0123456789';
const BOUNCES = 'bounces@news.example.org';
const receivedAt = new Date('2026-12-01T10:00:00Z');

function fixture(name: string): Buffer {
  return readFileSync(path.join(fixturesDir, 'bounces', name));
}

function read(raw: Buffer, context: Partial<FeedbackMessageContext> = {}) {
  // The fixtures' parsing is tested with attribution by address allowed; its default (off) has a test of its own.
  return readFeedbackMessage(raw, { bounceAddress: BOUNCES, secret: SECRET, source: 'smtp', recipients: [BOUNCES], receivedAt, trustReportedAddresses: true, ...context });
}

const byAddress = (address: string) => ({ by: 'address', address });

describe('readFeedbackMessage on every fixture', () => {
  const cases: Array<{ file: string; kind: string; status: string | null; diagnostic: RegExp; targets: unknown[] }> = [
    {
      file: 'postfix-dsn-hard.eml',
      kind: 'hard-bounce',
      status: '5.1.1',
      diagnostic: /^smtp; 550 5\.1\.1 <sub4@example\.org>: Recipient address rejected: User unknown/,
      targets: [{ by: 'token', campaignId: 1, subscriberId: 4 }],
    },
    { file: 'sendmail-dsn-delayed.eml', kind: 'soft-bounce', status: '4.5.0', diagnostic: /^$/, targets: [byAddress('sub5@example.org')] },
    { file: 'arf-complaint.eml', kind: 'complaint', status: null, diagnostic: /^feedback-type abuse$/, targets: [{ by: 'token', campaignId: 1, subscriberId: 6 }] },
    { file: 'exim-hard.eml', kind: 'hard-bounce', status: '5.1.1', diagnostic: /550 5\.1\.1 <sub7@example\.org>\.\.\. User unknown/, targets: [byAddress('sub7@example.org')] },
    { file: 'exim-mailbox-full.eml', kind: 'soft-bounce', status: null, diagnostic: /mailbox is full/, targets: [byAddress('sub8@example.org')] },
    {
      file: 'exchange-hard.eml',
      kind: 'hard-bounce',
      status: null,
      diagnostic: /recipient name is not recognized/,
      targets: [byAddress('sub9@example.org'), byAddress('sub10@example.org')],
    },
    {
      file: 'gmail-hard.eml',
      kind: 'hard-bounce',
      status: '5.1.1',
      diagnostic: /^550 5\.1\.1 <sub11@example\.org>\.\.\. User Unknown$/,
      targets: [byAddress('sub11@example.org')],
    },
    { file: 'yahoo-hard.eml', kind: 'hard-bounce', status: '5.1.1', diagnostic: /550 5\.1\.1 <sub12@example\.org>\.\.\. User Unknown/, targets: [byAddress('sub12@example.org')] },
    { file: 'postfix-text-hard.eml', kind: 'hard-bounce', status: null, diagnostic: /said: 550 <sub13@example\.org>: User unknown/, targets: [byAddress('sub13@example.org')] },
  ];
  for (const c of cases) {
    it(`${c.file}: ${c.kind} ${c.status ?? '(no status)'} for ${c.targets.length} recipient(s)`, async () => {
      const { events, ignored } = await read(fixture(c.file));
      expect(ignored).toBeNull();
      expect(events.map((e) => e.target)).toEqual(c.targets);
      for (const e of events) {
        expect(e).toMatchObject({ kind: c.kind, status: c.status, source: 'smtp', occurredAt: receivedAt });
        expect(e.diagnostic ?? '').toMatch(c.diagnostic);
        expect(e.diagnostic ?? '').not.toMatch(/[\r\n]/);
        // The event id names the report, never the address (it is logged).
        expect(e.eventId).not.toContain('@example.org');
      }
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    });
  }

  it('the same report read twice gives the same event ids (a redelivery is a duplicate), with or without a Message-ID', async () => {
    for (const file of ['postfix-dsn-hard.eml', 'exim-mailbox-full.eml', 'yahoo-hard.eml']) {
      const once = await read(fixture(file));
      const again = await read(fixture(file), { source: 'imap', receivedAt: new Date() });
      expect(again.events.map((e) => e.eventId)).toEqual(once.events.map((e) => e.eventId));
    }
  });
});

describe('attribution', () => {
  it('a VERP token in the address the bounce was delivered to comes first, before the returned message and the address', async () => {
    const envelope = verpAddress(BOUNCES, verpToken(SECRET, { campaignId: 9, subscriberId: 77 }));
    for (const file of ['postfix-dsn-hard.eml', 'exim-hard.eml', 'arf-complaint.eml']) {
      const { events, ignored } = await read(fixture(file), { recipients: [envelope.toUpperCase()] });
      expect(ignored).toBeNull();
      expect(events.map((e) => e.target)).toEqual([{ by: 'token', campaignId: 9, subscriberId: 77 }]);
    }
  });

  it('without the CFBL-Feedback-ID the returned Return-Path names the copy', async () => {
    const raw = Buffer.from(
      fixture('postfix-dsn-hard.eml')
        .toString('latin1')
        .replace(/^CFBL-Feedback-ID: .*\n/m, ''),
      'latin1',
    );
    expect((await read(raw)).events.map((e) => e.target)).toEqual([{ by: 'token', campaignId: 1, subscriberId: 4 }]);
  });

  it('without any token, the recipient the report names', async () => {
    const raw = Buffer.from(
      fixture('postfix-dsn-hard.eml')
        .toString('latin1')
        .replace(/^CFBL-Feedback-ID: .*\n/m, '')
        .replace(/^Return-Path: <bounces\+.*\n/m, ''),
      'latin1',
    );
    expect((await read(raw)).events.map((e) => e.target)).toEqual([byAddress('sub4@example.org')]);
  });

  it('by default (inbound.trustReportedAddresses off) a report without a token of ours is ignored: anyone can name an address', async () => {
    for (const file of ['exim-hard.eml', 'gmail-hard.eml', 'exchange-hard.eml']) {
      const { events, ignored } = await read(fixture(file), { trustReportedAddresses: false });
      expect(events).toEqual([]);
      expect(ignored).toMatch(/carries no VERP token of ours; not attributed by the address it names \(set inbound\.trustReportedAddresses to allow that\)$/);
    }
    // A token still attributes it.
    const envelope = verpAddress(BOUNCES, verpToken(SECRET, { campaignId: 3, subscriberId: 8 }));
    const { events } = await read(fixture('exim-hard.eml'), { trustReportedAddresses: false, recipients: [envelope] });
    expect(events.map((e) => e.target)).toEqual([{ by: 'token', campaignId: 3, subscriberId: 8 }]);
  });

  const forged = verpAddress(BOUNCES, `${verpToken(SECRET, { campaignId: 1, subscriberId: 4 }).slice(0, -4)}aaaa`);
  const otherSecret = verpAddress(BOUNCES, verpToken('some-other-secret-0123456789', { campaignId: 1, subscriberId: 4 }));
  for (const [what, recipient, reason] of [
    ['a forged token (signature of another secret)', otherSecret, /forged VERP token \(bad signature\)/],
    ['a tampered token', forged, /forged VERP token/],
    ['a mangled token', 'bounces+1.4.not-a-token@news.example.org', /mangled VERP token \(malformed\)/],
  ] as const) {
    it(`${what} in the envelope recipient: ignored with a reason, no fallback to the address`, async () => {
      const { events, ignored } = await read(fixture('exim-hard.eml'), { recipients: [recipient] });
      expect(events).toEqual([]);
      expect(ignored).toMatch(reason);
      expect(ignored).toMatch(/not attributed by address/);
    });
  }

  it('a forged CFBL-Feedback-ID or Return-Path in the returned message: ignored', async () => {
    const text = fixture('arf-complaint.eml').toString('latin1');
    const badId = await read(Buffer.from(text.replace('CFBL-Feedback-ID: 1.6.dppsy3urgnqqhosd', 'CFBL-Feedback-ID: 1.6.dppsy3urgnqqhose'), 'latin1'));
    expect(badId).toMatchObject({ events: [], ignored: expect.stringMatching(/the returned message carries a forged VERP token/) });
    const badPath = await read(
      Buffer.from(
        fixture('postfix-dsn-hard.eml')
          .toString('latin1')
          .replace(/^CFBL-Feedback-ID: .*\n/m, '')
          .replace('bounces+1.4.oi3kfwm', 'bounces+1.5.oi3kfwm'),
        'latin1',
      ),
    );
    expect(badPath).toMatchObject({ events: [], ignored: expect.stringMatching(/forged VERP token/) });
  });
});

describe('what is not a bounce', () => {
  it('an ordinary message, a DSN that reports a delivery, and a bounce without a readable recipient are ignored with a reason', async () => {
    const plain = Buffer.from('From: reader@example.org\r\nTo: bounces@news.example.org\r\nSubject: thanks!\r\nMessage-ID: <a@b>\r\n\r\nLovely issue.\r\n');
    expect(await read(plain)).toEqual({ events: [], ignored: 'neither a delivery status notification, an abuse report nor a bounce notice' });
    const delivered = Buffer.from(
      fixture('sendmail-dsn-delayed.eml').toString('latin1').replace('Action: delayed', 'Action: delivered').replace('Status: 4.5.0', 'Status: 2.0.0'),
      'latin1',
    );
    expect((await read(delivered)).ignored).toMatch(/no failed or delayed recipient/);
    const vague = Buffer.from('From: MAILER-DAEMON@mx.example.net\r\nSubject: Undelivered Mail\r\n\r\nSomething happened.\r\n');
    expect((await read(vague)).ignored).toMatch(/could not be read/);
  });

  it('a DMARC authentication failure report (ARF, Feedback-Type: auth-failure) is no complaint', async () => {
    const raw = Buffer.from(fixture('arf-complaint.eml').toString('latin1').replace('Feedback-Type: abuse', 'Feedback-Type: auth-failure'), 'latin1');
    expect(await read(raw)).toEqual({ events: [], ignored: 'a feedback report of type auth-failure, not a complaint' });
  });

  it('garbage bytes give no event and no exception', async () => {
    const { events } = await read(Buffer.from([0, 1, 2, 255, 254, 10, 13, 10, 0]));
    expect(events).toEqual([]);
  });
});

describe('hard or soft (classify.ts)', () => {
  const cases: Array<[string | null, string | null, string | null]> = [
    ['5.1.1', '550 5.1.1 user unknown', 'hard-bounce'],
    ['5.2.2', '552 5.2.2 mailbox full', 'soft-bounce'], // permanent by RFC 3463, but it fixes itself
    ['4.2.2', null, 'soft-bounce'],
    ['4.7.1', '421 4.7.1 try again later', 'soft-bounce'],
    ['5.7.1', 'delivery not authorized, message refused', 'hard-bounce'], // the code wins over the words
    [null, 'mailbox is full: retry timeout exceeded (This is a permanent error)', 'soft-bounce'],
    [null, 'Quota exceeded for this recipient', 'soft-bounce'],
    [null, 'No such user here', 'hard-bounce'],
    [null, 'said: 550 (in reply to RCPT TO command)', 'hard-bounce'],
    [null, 'said: 451 (in reply to end of DATA command)', 'soft-bounce'],
    [null, 'something odd happened', null],
  ];
  for (const [status, text, kind] of cases) {
    it(`${status ?? '(no status)'} / ${text ?? '(no text)'} -> ${kind ?? 'unknown'}`, () => {
      expect(bounceKind(status, text)).toBe(kind);
    });
  }

  it('reads the enhanced status code out of text, not dates or addresses', () => {
    expect(enhancedStatus('smtp; 550 5.1.1 <a@example.org>')).toBe('5.1.1');
    expect(enhancedStatus('host 192.0.2.5 said: 550 no')).toBeNull();
    expect(enhancedStatus('host mx [10.5.1.1] said: 550 no')).toBeNull();
    expect(enhancedStatus('Status: 4.4.7.')).toBe('4.4.7');
    expect(enhancedStatus(null)).toBeNull();
  });
});
