// POST /webhooks/postmark, /mailgun and /sendgrid through the real fastify app and a real SQLite
// store with a sent campaign: a verified bounce or complaint changes the subscriber and the
// ledger once; a wrong credential or signature, a stale timestamp or a replayed token is refused
// with one warn line and changes nothing; an unset provider is a 404.
import { createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailgunEventData, postmarkBounce, postmarkComplaint, sendgridBatch, sendgridSpamreport } from './samples.js';
import { startWebhookService, UNTOUCHED, type WebhookService } from './support.js';

const POSTMARK_TOKEN = 'postmark-webhook-password-0123';
const MAILGUN_KEY = 'mailgun-signing-key-0123456789abcdef';
const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SENDGRID_KEY = sendgrid.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

const json = { 'content-type': 'application/json' };
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

describe('provider webhooks that are not configured', () => {
  it('answer 404 and record nothing', async () => {
    const s = await startWebhookService(() => {});
    try {
      for (const provider of ['ses', 'postmark', 'mailgun', 'sendgrid']) {
        const res = await s.h.server.app.inject({ method: 'POST', url: `/webhooks/${provider}`, headers: json, payload: '[]' });
        expect(res.statusCode, provider).toBe(404);
      }
      expect(await s.snapshot()).toEqual(UNTOUCHED);
    } finally {
      await s.close();
    }
  });
});

describe('POST /webhooks/postmark', () => {
  let s: WebhookService;
  beforeAll(async () => {
    s = await startWebhookService((c) => {
      c.webhooks.postmarkToken = POSTMARK_TOKEN;
    });
  });
  afterAll(() => s.close());

  const post = (payload: string, password = POSTMARK_TOKEN, user = 'pressroom') =>
    s.h.server.app.inject({
      method: 'POST',
      url: '/webhooks/postmark',
      headers: { ...json, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
      payload,
    });

  it('wrong password, wrong user or no credentials: 401, one warn line, nothing recorded', async () => {
    expect((await post(postmarkBounce(), 'wrong-password-0123456789')).statusCode).toBe(401);
    expect((await post(postmarkBounce(), POSTMARK_TOKEN, 'someone')).statusCode).toBe(401);
    const bare = await s.h.server.app.inject({ method: 'POST', url: '/webhooks/postmark', headers: json, payload: postmarkBounce() });
    expect(bare.statusCode).toBe(401);
    expect(bare.headers['www-authenticate']).toMatch(/^Basic /);
    const warnings = s.takeWarnings();
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe('webhook postmark: refused, missing or wrong basic auth credentials; nothing recorded');
    expect(warnings.join('\n')).not.toContain(POSTMARK_TOKEN);
    expect(await s.snapshot()).toEqual(UNTOUCHED);
  });

  it('a HardBounce bounces the subscriber; the same record again answers 200 and changes nothing', async () => {
    const first = await post(postmarkBounce('HardBounce', 'reader0@example.org'));
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ recorded: 1, duplicate: 0 });
    const after = { ...UNTOUCHED, statuses: ['bounced', 'active', 'active'], bounced: 1 };
    expect(await s.snapshot()).toEqual(after);
    const again = await post(postmarkBounce('HardBounce', 'reader0@example.org'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ recorded: 0, duplicate: 1 });
    expect(await s.snapshot()).toEqual(after);
  });

  it('a SpamComplaint marks the subscriber complained', async () => {
    const res = await post(postmarkComplaint('reader1@example.org', 43));
    expect(res.statusCode).toBe(200);
    expect(await s.snapshot()).toMatchObject({ statuses: ['bounced', 'complained', 'active'], complained: 1 });
  });

  it('a bounce for an address nobody has answers 200 and changes nothing', async () => {
    const res = await post(postmarkBounce('HardBounce', 'nobody@example.org', '77'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ recorded: 0, 'unknown-recipient': 1 });
    expect(s.takeWarnings()).toEqual(['hard-bounce for no known recipient: nothing changed']);
    expect((await s.snapshot()).statuses[2]).toBe('active');
  });

  it('a body over 1 MB is refused (413) and records nothing', async () => {
    const huge = postmarkBounce('HardBounce', 'reader2@example.org').replace('"Content":"Return-Path:..."', `"Content":"${'x'.repeat(1024 * 1024)}"`);
    expect((await post(huge)).statusCode).toBe(413);
    expect((await s.snapshot()).statuses[2]).toBe('active');
  });

  it('a body that is not JSON: 400 with one warn line', async () => {
    s.takeWarnings();
    const res = await post('{not json');
    expect(res.statusCode).toBe(400);
    expect(s.takeWarnings()).toEqual(['webhook postmark: refused, the body is not JSON; nothing recorded']);
  });
});

describe('POST /webhooks/mailgun', () => {
  let s: WebhookService;
  beforeAll(async () => {
    s = await startWebhookService((c) => {
      c.webhooks.mailgunSigningKey = MAILGUN_KEY;
    });
  });
  afterAll(() => s.close());

  const signed = (eventData: object, over: { timestamp?: string; token?: string; key?: string } = {}) => {
    const timestamp = over.timestamp ?? nowSeconds();
    const token = over.token ?? randomBytes(25).toString('hex');
    const signature = createHmac('sha256', over.key ?? MAILGUN_KEY)
      .update(timestamp + token)
      .digest('hex');
    return JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData });
  };
  const post = (payload: string) => s.h.server.app.inject({ method: 'POST', url: '/webhooks/mailgun', headers: json, payload });

  it('a wrong or missing signature (401) or a timestamp outside webhooks.maxAgeSeconds (403) records nothing', async () => {
    expect((await post(signed(mailgunEventData('failed'), { key: 'another-key-0123456789abcdef' }))).statusCode).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 301);
    expect((await post(signed(mailgunEventData('failed'), { timestamp: old }))).statusCode).toBe(403);
    const unsigned = await post(JSON.stringify({ 'event-data': mailgunEventData('failed') }));
    expect(unsigned.statusCode).toBe(401);
    expect(s.takeWarnings()).toEqual([
      'webhook mailgun: refused, bad signature; nothing recorded',
      'webhook mailgun: refused, timestamp further than webhooks.maxAgeSeconds (300 s) from now; nothing recorded',
      'webhook mailgun: refused, unsigned (the Mailgun signature is not an object); nothing recorded',
    ]);
    expect(await s.snapshot()).toEqual(UNTOUCHED);
  });

  it('failed/temporary is a soft bounce; the same signed body again is a replay (403); the event re-signed answers 200 and changes nothing', async () => {
    const body = signed(mailgunEventData('failed', { severity: 'temporary', recipient: 'reader2@example.org', id: 'soft-1' }));
    expect((await post(body)).statusCode).toBe(200);
    const after = { ...UNTOUCHED, softBounced: 1 };
    expect(await s.snapshot()).toEqual(after);
    const replay = await post(body);
    expect(replay.statusCode).toBe(403);
    expect(s.takeWarnings()).toEqual(['webhook mailgun: refused, token seen before (a replay); nothing recorded']);
    const resigned = await post(signed(mailgunEventData('failed', { severity: 'temporary', recipient: 'reader2@example.org', id: 'soft-1' })));
    expect(resigned.statusCode).toBe(200);
    expect(resigned.json()).toMatchObject({ recorded: 0, duplicate: 1 });
    expect(await s.snapshot()).toEqual(after);
  });

  it('failed/permanent bounces and complained complains; other events are ignored', async () => {
    expect((await post(signed(mailgunEventData('failed', { recipient: 'reader0@example.org', id: 'hard-1' })))).statusCode).toBe(200);
    expect((await post(signed(mailgunEventData('complained', { recipient: 'reader1@example.org', id: 'complaint-1' })))).statusCode).toBe(200);
    const delivered = await post(signed(mailgunEventData('delivered', { recipient: 'reader2@example.org', id: 'delivered-1' })));
    expect(delivered.json()).toMatchObject({ recorded: 0, ignored: 1 });
    expect(await s.snapshot()).toEqual({ statuses: ['bounced', 'complained', 'active'], bounced: 1, softBounced: 1, complained: 1 });
  });
});

describe('POST /webhooks/sendgrid', () => {
  let s: WebhookService;
  beforeAll(async () => {
    s = await startWebhookService((c) => {
      c.webhooks.sendgridPublicKey = SENDGRID_KEY;
    });
  });
  afterAll(() => s.close());

  const post = (events: object, over: { timestamp?: string; key?: typeof sendgrid.privateKey; tamper?: boolean } = {}) => {
    const body = JSON.stringify(events);
    const timestamp = over.timestamp ?? nowSeconds();
    const signature = sign('sha256', Buffer.from(timestamp + body), over.key ?? sendgrid.privateKey).toString('base64');
    return s.h.server.app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid',
      headers: { ...json, 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
      // A changed byte after signing (a space is still the same JSON).
      payload: over.tamper ? `${body} ` : body,
    });
  };

  it('another key, a changed body, no headers (401) or a stale timestamp (403) record nothing', async () => {
    expect((await post(sendgridBatch(), { key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey })).statusCode).toBe(401);
    expect((await post(sendgridBatch(), { tamper: true })).statusCode).toBe(401);
    expect((await s.h.server.app.inject({ method: 'POST', url: '/webhooks/sendgrid', headers: json, payload: '[]' })).statusCode).toBe(401);
    expect((await post(sendgridBatch(), { timestamp: String(Math.floor(Date.now() / 1000) - 3600) })).statusCode).toBe(403);
    expect(s.takeWarnings()).toEqual([
      'webhook sendgrid: refused, bad signature; nothing recorded',
      'webhook sendgrid: refused, bad signature; nothing recorded',
      'webhook sendgrid: refused, no signature or timestamp header; nothing recorded',
      'webhook sendgrid: refused, timestamp further than webhooks.maxAgeSeconds (300 s) from now; nothing recorded',
    ]);
    expect(await s.snapshot()).toEqual(UNTOUCHED);
  });

  it('a batch: bounce is hard, blocked and deferred soft, delivered ignored; posted again it changes nothing', async () => {
    // The bounce for reader0, the blocked for reader1, the deferred and the delivered for reader2.
    const batch = sendgridBatch('reader0@example.org').map((e, i) => ({ ...e, email: `reader${Math.min(i, 2)}@example.org` }));
    const res = await post(batch);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ recorded: 3, duplicate: 0, ignored: 1 });
    const after = { statuses: ['bounced', 'active', 'active'], bounced: 1, softBounced: 2, complained: 0 };
    expect(await s.snapshot()).toEqual(after);
    const again = await post(batch);
    expect(again.json()).toMatchObject({ recorded: 0, duplicate: 3 });
    expect(await s.snapshot()).toEqual(after);
  });

  it('a spamreport marks the subscriber complained', async () => {
    expect((await post(sendgridSpamreport('reader1@example.org'))).statusCode).toBe(200);
    expect(await s.snapshot()).toMatchObject({ statuses: ['bounced', 'complained', 'active'], complained: 1 });
  });
});
