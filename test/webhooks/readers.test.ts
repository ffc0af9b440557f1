// The provider modules, pure: a verified payload -> FeedbackEvents (kind, target, event id, status, diagnostic, time).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verpToken } from '../../src/email/verp.js';
import { mailgunEvents, mailgunSignature, mailgunSignatureValid } from '../../src/webhooks/mailgun.js';
import { PayloadError } from '../../src/webhooks/payload.js';
import { postmarkEvents } from '../../src/webhooks/postmark.js';
import { RecentTokens, timestampFresh } from '../../src/webhooks/replay.js';
import { sendgridEvents } from '../../src/webhooks/sendgrid.js';
import { sesEvents } from '../../src/webhooks/ses.js';
import { mailgunEventData, postmarkBounce, postmarkComplaint, sendgridBatch, sendgridSpamreport, sesBounce, sesComplaint } from './samples.js';

const SECRET = 'test-secret-0123456789abcdef';
const NOW = new Date('2026-11-27T17:00:00.000Z');

describe('SES notifications', () => {
  it('one event per bounced recipient, Permanent hard, with status, diagnostic, time and an address-free event id', () => {
    const { events, ignored } = sesEvents(sesBounce({ recipients: ['reader0@example.org', 'reader1@example.org'] }), SECRET, NOW);
    expect(ignored).toEqual([]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ kind: 'hard-bounce', source: 'ses', target: { by: 'address', address: 'reader0@example.org' }, status: '5.1.1' });
    expect(events[0]!.diagnostic).toBe('smtp; 550 5.1.1 <reader0@example.org>... User');
    expect(events[0]!.occurredAt.toISOString()).toBe('2026-11-27T14:59:38.237Z');
    expect(events[0]!.eventId).toMatch(/^00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000#[0-9a-f]{16}$/);
    expect(events[0]!.eventId).not.toBe(events[1]!.eventId);
    expect(events[0]!.eventId).not.toContain('reader0');
  });

  it('Transient and Undetermined are soft bounces; an unknown bounceType is a payload error', () => {
    expect(sesEvents(sesBounce({ bounceType: 'Transient' }), SECRET, NOW).events[0]!.kind).toBe('soft-bounce');
    expect(sesEvents(sesBounce({ bounceType: 'Undetermined' }), SECRET, NOW).events[0]!.kind).toBe('soft-bounce');
    expect(() => sesEvents(sesBounce({ bounceType: 'Sideways' }), SECRET, NOW)).toThrow(PayloadError);
  });

  it('a complaint, with its feedback type as the diagnostic; a Delivery is ignored', () => {
    const { events } = sesEvents(sesComplaint(), SECRET, NOW);
    expect(events).toEqual([expect.objectContaining({ kind: 'complaint', target: { by: 'address', address: 'reader1@example.org' }, diagnostic: 'abuse', status: null })]);
    const delivery = sesEvents({ notificationType: 'Delivery', mail: {}, delivery: {} }, SECRET, NOW);
    expect(delivery).toEqual({ events: [], ignored: ['SES Delivery notification'], problems: [] });
  });

  it('our CFBL-Feedback-ID in the original headers targets the ledger row; a forged one falls back to the address with a problem noted', () => {
    const token = verpToken(SECRET, { campaignId: 7, subscriberId: 12 });
    const signed = sesEvents(sesBounce({ headers: [{ name: 'cfbl-feedback-id', value: token }] }), SECRET, NOW);
    expect(signed.events[0]!.target).toEqual({ by: 'token', campaignId: 7, subscriberId: 12 });
    const forged = sesEvents(
      sesBounce({ headers: [{ name: 'CFBL-Feedback-ID', value: verpToken('another-secret-0123456789', { campaignId: 7, subscriberId: 12 }) }] }),
      SECRET,
      NOW,
    );
    expect(forged.events[0]!.target).toEqual({ by: 'address', address: 'reader0@example.org' });
    expect(forged.problems).toEqual([expect.stringContaining('bad-signature')]);
  });
});

describe('Postmark records', () => {
  it('HardBounce is hard, keeps the 64-bit ID digit for digit, and finds the status in Details', () => {
    const raw = postmarkBounce();
    const { events } = postmarkEvents(JSON.parse(raw), raw, NOW);
    expect(events).toEqual([
      {
        kind: 'hard-bounce',
        target: { by: 'address', address: 'reader0@example.org' },
        source: 'postmark',
        eventId: '4323372036854775807',
        status: '5.1.1',
        diagnostic: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
        occurredAt: new Date('2026-11-27T16:33:54.907Z'),
      },
    ]);
  });

  it.each([
    ['BadEmailAddress', 'hard-bounce'],
    ['SoftBounce', 'soft-bounce'],
    ['Transient', 'soft-bounce'],
    ['DnsError', 'soft-bounce'],
    ['Blocked', 'soft-bounce'],
  ])('%s is a %s', (type, kind) => {
    const raw = postmarkBounce(type);
    expect(postmarkEvents(JSON.parse(raw), raw, NOW).events[0]!.kind).toBe(kind);
  });

  it('AutoResponder and other non-bounces are ignored; a SpamComplaint is a complaint', () => {
    const raw = postmarkBounce('AutoResponder');
    expect(postmarkEvents(JSON.parse(raw), raw, NOW)).toEqual({ events: [], ignored: ['Postmark AutoResponder bounce'], problems: [] });
    const complaint = postmarkComplaint();
    expect(postmarkEvents(JSON.parse(complaint), complaint, NOW).events[0]).toMatchObject({ kind: 'complaint', eventId: '42', target: { address: 'reader1@example.org' } });
    expect(postmarkEvents({ RecordType: 'Delivery' }, '{}', NOW).ignored).toEqual(['Postmark Delivery record']);
  });
});

describe('Mailgun events', () => {
  it('failed permanent is hard, temporary soft, complained a complaint, delivered ignored', () => {
    const hard = mailgunEvents({ 'event-data': mailgunEventData('failed') }, NOW).events[0]!;
    expect(hard).toMatchObject({ kind: 'hard-bounce', source: 'mailgun', eventId: 'G9Bn5sl1TC6nu79C8C0bwg', status: '5.1.1', target: { address: 'reader0@example.org' } });
    expect(hard.occurredAt.getTime()).toBe(1764254762908);
    expect(mailgunEvents({ 'event-data': mailgunEventData('failed', { severity: 'temporary' }) }, NOW).events[0]!.kind).toBe('soft-bounce');
    expect(mailgunEvents({ 'event-data': mailgunEventData('complained') }, NOW).events[0]!.kind).toBe('complaint');
    expect(mailgunEvents({ 'event-data': mailgunEventData('delivered') }, NOW).ignored).toEqual(['Mailgun delivered event']);
    expect(() => mailgunEvents({ 'event-data': mailgunEventData('failed', { severity: 'sometimes' }) }, NOW)).toThrow(PayloadError);
  });

  it('the signature is HMAC-SHA256(key, timestamp + token) in hex, compared whole', () => {
    const key = 'key-0123456789abcdef';
    const timestamp = '1764254762';
    const token = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123';
    // Mailgun's documented check: the hex digest of timestamp and token concatenated, keyed by the signing key.
    const hex = createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
    const signed = mailgunSignature({ signature: { timestamp, token, signature: hex } });
    expect(mailgunSignatureValid(key, signed)).toBe(true);
    expect(mailgunSignatureValid(key, { ...signed, signature: hex.toUpperCase() })).toBe(true);
    expect(mailgunSignatureValid('key-another-0123456789', signed)).toBe(false);
    expect(mailgunSignatureValid(key, { ...signed, token: `${token}x` })).toBe(false);
    expect(mailgunSignatureValid(key, { ...signed, signature: hex.slice(0, 62) })).toBe(false);
    expect(mailgunSignatureValid(key, { ...signed, signature: `${hex.slice(0, 63)}g` })).toBe(false);
    expect(() => mailgunSignature({ 'event-data': {} })).toThrow(PayloadError);
  });
});

describe('SendGrid events', () => {
  it('bounce/bounce hard, bounce/blocked soft, deferred soft, spamreport complaint, delivered ignored', () => {
    const { events, ignored } = sendgridEvents(sendgridBatch(), NOW);
    expect(events.map((e) => [e.kind, e.eventId, e.status])).toEqual([
      ['hard-bounce', 'bounce-6g4ZI7SA-xmRDv57GoPIPw==', '5.0.0'],
      ['soft-bounce', 'blocked-6g4ZI7SA-xmRDv57GoPIPw==', '5.7.1'],
      ['soft-bounce', 'deferred-6g4ZI7SA-xmRDv57GoPIPw==', null],
    ]);
    expect(events[2]!.diagnostic).toBe('400 try again later');
    expect(ignored).toEqual(['SendGrid delivered event']);
    expect(sendgridEvents(sendgridSpamreport(), NOW).events[0]).toMatchObject({ kind: 'complaint', target: { address: 'reader1@example.org' } });
    expect(() => sendgridEvents({ event: 'bounce' }, NOW)).toThrow(PayloadError);
  });
});

describe('replay guards', () => {
  it('a token is refused within the window, accepted after it, and given back on release', () => {
    const tokens = new RecentTokens(300_000);
    expect(tokens.claim('t1', 0)).toBe(true);
    expect(tokens.claim('t1', 1_000)).toBe(false);
    tokens.release('t1');
    expect(tokens.claim('t1', 2_000)).toBe(true);
    expect(tokens.claim('t1', 2_000 + 600_001)).toBe(true);
  });

  it('keeps at most its bound of tokens, forgetting the oldest', () => {
    const tokens = new RecentTokens(300_000, 2);
    tokens.claim('a', 0);
    tokens.claim('b', 0);
    tokens.claim('c', 0);
    expect(tokens.claim('a', 1)).toBe(true);
    expect(tokens.claim('c', 1)).toBe(false);
  });

  it('a timestamp is fresh within maxAgeSeconds either way, and must be digits', () => {
    expect(timestampFresh('1000', 1_300_000, 300)).toBe(true);
    expect(timestampFresh('1000', 1_300_001, 300)).toBe(false);
    expect(timestampFresh('1600', 1_300_000, 300)).toBe(true);
    expect(timestampFresh('1601', 1_300_000, 300)).toBe(false);
    expect(timestampFresh('1e3', 1_000_000, 300)).toBe(false);
  });
});
