// Outbound events through a real SQLite store to a real HTTP endpoint on loopback: every request
// verifies with the standardwebhooks package (the receiver's side of the spec); a failing endpoint
// is retried with the same message id until it answers 2xx; 410 and the last attempt give up;
// nothing is sent without an endpoint; the checks at load refuse a plain-http remote URL and a
// malformed secret.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { EventPayload } from '../../src/domain/events.js';
import { silentLogger } from '../../src/logging.js';
import { openStore } from '../../src/storage/open.js';
import type { Store } from '../../src/storage/store.js';
import { EventDispatcher } from '../../src/webhooks/outbound/dispatcher.js';
import { tempDir } from '../support/site.js';
import { waitFor } from '../support/wait.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  verified: EventPayload | null;
}

/** An endpoint that answers with the next status of `statuses` (the last one repeats) and verifies each request. */
async function endpoint(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: EventPayload | null = null;
      try {
        verified = new Webhook(SECRET).verify(body, req.headers as Record<string, string>) as EventPayload;
      } catch {
        verified = null;
      }
      received.push({ headers: req.headers, body, verified });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)]!).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

const open: Array<{ store: Store; server?: Server; dispatcher?: EventDispatcher }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.dispatcher?.stop();
    await o.store.close();
    await new Promise((resolve) => (o.server ? o.server.close(resolve) : resolve(undefined)));
  }
});

async function setUp(statuses: number[], options: { url?: string | null; retryDelaysMs?: number[] } = {}) {
  const dir = tempDir('pressroom-events-');
  const store = await openStore({ ...loadConfig({ dataDir: path.join(dir, 'data') }, {}, dir) });
  const hook = await endpoint(statuses);
  const url = options.url === null ? undefined : (options.url ?? hook.url);
  const dispatcher = new EventDispatcher({
    queue: store,
    logger: silentLogger(),
    workerId: 'test',
    url,
    secret: SECRET,
    retentionDays: 30,
    timeoutMs: 2_000,
    retryDelaysMs: options.retryDelaysMs ?? [20, 20],
    pollMs: 50,
  });
  open.push({ store, server: hook.server, dispatcher });
  const subscriber = await store.addSubscriber({ email: 'reader@example.org', status: 'pending' });
  return { store, dispatcher, subscriber, ...hook };
}

describe('outbound events', () => {
  it('signs each event so the standardwebhooks verifier accepts it, and delivers it once', async () => {
    const { store, dispatcher, subscriber, received } = await setUp([204]);
    await store.setSubscriberStatus(subscriber.id, 'active', new Date(), 'pending');
    dispatcher.start();
    await waitFor(async () => (await store.eventQueueReport()).delivered === 1, { what: 'the event delivered' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.verified).toMatchObject({ type: 'subscriber.confirmed', data: { subscriber: { id: subscriber.id, email: 'reader@example.org', status: 'active' } } });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // A body changed on the way, or the wrong secret, does not verify.
    expect(() => new Webhook(SECRET).verify(request!.body.replace('active', 'bounced'), request!.headers as Record<string, string>)).toThrow();
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(request!.body, request!.headers as Record<string, string>)).toThrow();
  });

  it('retries an endpoint that fails, with the same message id, until it answers 2xx', async () => {
    const { store, dispatcher, subscriber, received } = await setUp([500, 503, 200], { retryDelaysMs: [20, 20, 20] });
    await store.setSubscriberStatus(subscriber.id, 'unsubscribed', new Date());
    dispatcher.start();
    await waitFor(async () => (await store.eventQueueReport()).delivered === 1, { what: 'delivered on the third attempt' });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(Array(3).fill(received[0]!.headers['webhook-id']));
    expect(received.every((r) => r.verified?.type === 'subscriber.unsubscribed')).toBe(true);
    expect(await store.eventQueueReport()).toMatchObject({ queued: 0, retrying: 0, failed: 0, recentFailures: [] });
  });

  it('gives up after the last attempt, and at once on 410 Gone, and says why', async () => {
    const failing = await setUp([500], { retryDelaysMs: [20] });
    await failing.store.setSubscriberStatus(failing.subscriber.id, 'unsubscribed', new Date());
    failing.dispatcher.start();
    await waitFor(async () => (await failing.store.eventQueueReport()).failed === 1, { what: 'given up' });
    expect(failing.received).toHaveLength(2);
    expect((await failing.store.eventQueueReport()).recentFailures[0]).toMatchObject({ attempts: 2, lastStatus: 500, lastError: 'HTTP 500 Internal Server Error' });

    const gone = await setUp([410], { retryDelaysMs: [20, 20, 20] });
    await gone.store.setSubscriberStatus(gone.subscriber.id, 'unsubscribed', new Date());
    gone.dispatcher.start();
    await waitFor(async () => (await gone.store.eventQueueReport()).failed === 1, { what: 'given up on 410' });
    expect(gone.received).toHaveLength(1);
  });

  it('an endpoint that is down is retried, and reached once it is up', async () => {
    const { store, dispatcher, subscriber, received, server, url } = await setUp([202], { retryDelaysMs: [300, 300, 300] });
    const port = new URL(url).port;
    await new Promise((resolve) => server.close(resolve));
    await store.setSubscriberStatus(subscriber.id, 'unsubscribed', new Date());
    dispatcher.start();
    await waitFor(async () => (await store.eventQueueReport()).retrying === 1, { what: 'a retry after ECONNREFUSED' });
    expect((await store.eventQueueReport()).recentFailures[0]).toMatchObject({ lastStatus: null, lastError: 'ECONNREFUSED' });
    await new Promise<void>((resolve) => server.listen(Number(port), '127.0.0.1', resolve));
    await waitFor(async () => (await store.eventQueueReport()).delivered === 1, { what: 'delivered once the endpoint is back' });
    expect(received).toHaveLength(1);
  });

  it('without an endpoint sends nothing and keeps the events queued', async () => {
    const { store, dispatcher, subscriber, received } = await setUp([204], { url: null });
    await store.setSubscriberStatus(subscriber.id, 'unsubscribed', new Date());
    dispatcher.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
    expect((await store.eventQueueReport()).queued).toBe(1);
  });

  it('the configuration refuses plain http to another host, a missing secret and a malformed one, naming the setting', () => {
    const env = (vars: Record<string, string>) => () => loadConfig({}, vars, tempDir('pressroom-events-config-'));
    expect(env({ PRESSROOM_EVENTS_URL: 'http://crm.example.org/hooks', PRESSROOM_EVENTS_SECRET: SECRET })).toThrow(
      /^PRESSROOM_EVENTS_URL: must be https \(events carry subscribers' addresses; plain http only to localhost\)$/,
    );
    expect(env({ PRESSROOM_EVENTS_URL: 'https://crm.example.org/hooks' })).toThrow(/^events\.secret: is required with PRESSROOM_EVENTS_URL \(expected whsec_/);
    expect(env({ PRESSROOM_EVENTS_URL: 'https://crm.example.org/hooks', PRESSROOM_EVENTS_SECRET: 'whsec_c2hvcnQ=' })).toThrow(
      /^PRESSROOM_EVENTS_SECRET: is not a Standard Webhooks secret/,
    );
    expect(env({ PRESSROOM_EVENTS_URL: 'ftp://x', PRESSROOM_EVENTS_SECRET: SECRET })).toThrow(/^PRESSROOM_EVENTS_URL: "ftp:\/\/x" is not an http\(s\) URL/);
    expect(env({ PRESSROOM_EVENTS_URL: 'http://127.0.0.1:9/hooks', PRESSROOM_EVENTS_SECRET: SECRET })().events.url).toBe('http://127.0.0.1:9/hooks');
  });
});
