// POST /webhooks/ses through the real fastify app and a real SQLite store: SNS messages signed
// here with a self-signed certificate (openssl), served by a local HTTP server that the handler
// reaches only through the injected httpGet (the URLs it is given stay https://sns.<region>.amazonaws.com/).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verpToken } from '../../src/email/verp.js';
import type { HttpGet } from '../../src/webhooks/http-get.js';
import { SECRET } from '../server/harness.js';
import { sesBounce, sesComplaint } from './samples.js';
import { startWebhookService, UNTOUCHED, type WebhookService } from './support.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-bounces';
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem';
const SUBSCRIBE_URL = `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=2336412f37fb687f5d51e6e2425`;

/** The documented string to sign, written out here independently of the module under test. */
const SIGNED: Record<string, string[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

let dir: string;
let certificate: string;
let privateKey: ReturnType<typeof createPrivateKey>;
let origin: Server;
let port: number;
/** Every GET the local server answered: path and query. */
const hits: string[] = [];

function snsMessage(type: 'Notification' | 'SubscriptionConfirmation', fields: Record<string, string>, version: '1' | '2' = '2'): string {
  const message: Record<string, string> = {
    Type: type,
    MessageId: `msg-${Math.random().toString(36).slice(2)}`,
    TopicArn: TOPIC,
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    SigningCertURL: CERT_URL,
    ...fields,
  };
  let text = '';
  for (const key of SIGNED[type]!) if (message[key] !== undefined) text += `${key}\n${message[key]}\n`;
  message.Signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text), privateKey).toString('base64');
  return JSON.stringify(message);
}

const notification = (ses: object, version: '1' | '2' = '2') => snsMessage('Notification', { Message: JSON.stringify(ses) }, version);

/** The test's stand-in for the Internet: the same path and query, asked of the local server. */
const localGet: HttpGet = async (url) => {
  const res = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`);
  if (!res.ok) throw new Error(`local server answered ${res.status}`);
  return res.text();
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pressroom-sns-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=sns.amazonaws.com', '-keyout', 'key.pem', '-out', 'cert.pem'], {
    cwd: dir,
    stdio: 'ignore',
  });
  certificate = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  privateKey = createPrivateKey(readFileSync(path.join(dir, 'key.pem')));
  origin = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/SimpleNotificationService-test.pem') return void res.end(certificate);
    if (req.url?.startsWith('/?Action=ConfirmSubscription')) return void res.end('<ConfirmSubscriptionResponse/>');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  port = (origin.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => origin.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('POST /webhooks/ses', () => {
  let s: WebhookService;
  beforeAll(async () => {
    s = await startWebhookService(
      (c) => {
        c.webhooks.sesTopicArns = [TOPIC];
      },
      { httpGet: localGet },
    );
  });
  afterAll(() => s.close());

  const post = (payload: string) =>
    s.h.server.app.inject({ method: 'POST', url: '/webhooks/ses', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'x' }, payload });

  it('an unknown topic, a certificate off SNS or a changed message: 403, one warn line each, nothing fetched or recorded', async () => {
    const other = JSON.parse(notification(sesBounce())) as Record<string, string>;
    const foreignTopic = JSON.stringify({ ...other, TopicArn: 'arn:aws:sns:eu-west-1:123456789012:someone-else' });
    expect((await post(foreignTopic)).statusCode).toBe(403);
    const offHost = JSON.stringify({ ...other, SigningCertURL: `https://127.0.0.1:${port}/SimpleNotificationService-test.pem` });
    expect((await post(offHost)).statusCode).toBe(403);
    expect(hits).toEqual([]);
    const changed = JSON.stringify({ ...other, Message: JSON.stringify(sesBounce({ recipients: ['reader1@example.org'] })) });
    expect((await post(changed)).statusCode).toBe(403);
    expect(s.takeWarnings()).toEqual([
      'webhook ses: refused, topic arn:aws:sns:eu-west-1:123456789012:someone-else is not in webhooks.sesTopicArns; nothing recorded',
      'webhook ses: refused, SigningCertURL is not an https://sns.<region>.amazonaws.com/....pem address; nothing recorded',
      'webhook ses: refused, bad signature; nothing recorded',
    ]);
    expect(await s.snapshot()).toEqual(UNTOUCHED);
  });

  it('a SubscriptionConfirmation is confirmed by GET SubscribeURL, and logged', async () => {
    const res = await post(
      snsMessage('SubscriptionConfirmation', { Message: 'You have chosen to subscribe...', SubscribeURL: SUBSCRIBE_URL, Token: '2336412f37fb687f5d51e6e2425' }),
    );
    expect(res.statusCode).toBe(200);
    expect(hits.filter((h) => h.startsWith('/?Action=ConfirmSubscription'))).toEqual([SUBSCRIBE_URL.slice('https://sns.eu-west-1.amazonaws.com'.length)]);
    expect(s.logs.some((l) => l.msg === `webhook ses: subscription to topic ${TOPIC} confirmed`)).toBe(true);
    expect(await s.snapshot()).toEqual(UNTOUCHED);
  });

  it('a SubscribeURL off SNS is not fetched', async () => {
    const before = hits.length;
    const res = await post(snsMessage('SubscriptionConfirmation', { Message: 'x', SubscribeURL: `http://127.0.0.1:${port}/?Action=ConfirmSubscription`, Token: 't' }));
    expect(res.statusCode).toBe(403);
    expect(hits.length).toBe(before);
  });

  it('a Permanent bounce carrying our CFBL-Feedback-ID bounces that ledger row; the notification again changes nothing', async () => {
    const token = verpToken(SECRET, { campaignId: s.campaignId, subscriberId: s.ids[2]! });
    // The address SES reports differs (a forward): the signed token decides.
    const body = notification(sesBounce({ recipients: ['forwarded@elsewhere.example'], headers: [{ name: 'CFBL-Feedback-ID', value: token }] }));
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ recorded: 1 });
    const after = { ...UNTOUCHED, statuses: ['active', 'active', 'bounced'], bounced: 1 };
    expect(await s.snapshot()).toEqual(after);
    const again = await post(body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ recorded: 0, duplicate: 1 });
    expect(await s.snapshot()).toEqual(after);
    // The certificate was fetched once and kept.
    expect(hits.filter((h) => h.endsWith('.pem'))).toHaveLength(1);
  });

  it('a complaint (SignatureVersion 1) by address, and a Transient bounce, as documented', async () => {
    expect((await post(notification(sesComplaint('reader1@example.org'), '1'))).statusCode).toBe(200);
    expect((await post(notification(sesBounce({ bounceType: 'Transient', recipients: ['reader0@example.org'], feedbackId: 'transient-1' })))).statusCode).toBe(200);
    expect(await s.snapshot()).toEqual({ statuses: ['active', 'complained', 'bounced'], bounced: 1, softBounced: 1, complained: 1 });
  });
});
