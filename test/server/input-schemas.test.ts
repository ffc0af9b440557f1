// Bad input shapes, now refused by fastify route schemas (src/server/schemas.ts): the same status
// and one-line message naming the field as the hand-written checks gave, as JSON for the API and
// JSON callers, on the form's own page for browsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, writeIssue, isoFromNow, type Harness } from './harness.js';

const TOKEN = 'admin-token-for-schema-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
const STATUS_ERROR = 'status: expected one of pending, active, unsubscribed, bounced, complained';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ adminToken: TOKEN, rateLimit: { max: 1000, windowMs: 60_000 } });
  await writeIssue(h.config, { slug: 'one', date: isoFromNow(-86_400_000) });
});
afterAll(async () => {
  await h?.close();
});

describe('operator API', () => {
  it.each([
    ['limit=0', 'limit: expected an integer from 1 to 1000'],
    ['limit=1001', 'limit: expected an integer from 1 to 1000'],
    ['limit=ten', 'limit: expected an integer from 1 to 1000'],
    ['limit=2.5', 'limit: expected an integer from 1 to 1000'],
    ['after=x', 'after: expected a subscriber id'],
    ['status=happy', STATUS_ERROR],
  ])('GET /api/subscribers?%s: 400 %s', async (query, error) => {
    const res = await h.server.app.inject({ method: 'GET', url: `/api/subscribers?${query}`, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
  });

  it('GET /api/subscribers pages with the defaults and the numbers given', async () => {
    for (const email of ['q1@example.org', 'q2@example.org']) await h.store.addSubscriber({ email });
    const all = await h.server.app.inject({ method: 'GET', url: '/api/subscribers?status=active', headers: auth });
    expect(all.json()).toMatchObject({ next: null });
    const first = await h.server.app.inject({ method: 'GET', url: '/api/subscribers?limit=1', headers: auth });
    const next = first.json().next as number;
    const second = await h.server.app.inject({ method: 'GET', url: `/api/subscribers?limit=1&after=${next}`, headers: auth });
    expect(second.json().subscribers[0].id).toBeGreaterThan(next);
  });

  it.each([
    [{}, 'email: required'],
    [{ email: '' }, 'email: required'],
    [{ email: 'a@example.org', name: { first: 'A' } }, 'name: expected text'],
    [{ email: 'a@example.org', topics: { a: 1 } }, 'topics: expected a list of text values'],
    [{ email: 'a@example.org', topics: [{ x: 1 }] }, 'topics: expected a list of text values'],
    [{ email: 'a@example.org', topics: true }, 'topics: expected a list of text values'],
    [{ email: 'a@example.org', status: 'happy' }, STATUS_ERROR],
  ])('POST /api/subscribers %j: 400 %s', async (payload, error) => {
    const res = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error });
  });

  it('POST /api/subscribers stores the status given, active by default', async () => {
    const pending = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 's1@example.org', status: 'pending' } });
    expect(pending.json()).toMatchObject({ status: 'pending' });
    const active = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 's2@example.org', topics: 'a,b' } });
    expect(active.json()).toMatchObject({ status: 'active', topics: ['a', 'b'] });
  });

  it('POST /api/issues/:slug/test without an email: 400, before looking for the issue', async () => {
    for (const slug of ['one', 'no-such-issue']) {
      const res = await h.server.app.inject({ method: 'POST', url: `/api/issues/${slug}/test`, headers: auth, payload: {} });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'email: required' });
    }
  });
});

describe('sign-up form', () => {
  it('JSON without an email: 400 {ok: false}', async () => {
    const res = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { name: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ ok: false, error: 'email: required' });
  });

  it('a form without an email: the form again with the message', async () => {
    const res = await h.server.app.inject({
      method: 'POST',
      url: '/subscribe',
      payload: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    // A sentence for the reader (src/i18n/), with the exact reason below it.
    expect(res.body).toContain('<p class="error">Please check the email address.</p><p class="detail">The exact reason: <code>email: required</code></p>');
    expect(res.body).toContain('<form method="post" action="/subscribe"');
  });

  it('a repeated topics field is a list', async () => {
    const res = await h.server.app.inject({
      method: 'POST',
      url: '/subscribe',
      payload: 'email=rep%40example.org&topics=a&topics=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(200);
    expect((await h.store.findSubscriberByEmail('rep@example.org'))?.topics).toEqual(['a', 'b']);
  });
});
