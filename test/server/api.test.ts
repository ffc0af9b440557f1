// The operator API, /healthz and /metrics, against a real store and a real loopback SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenMatches } from '../../src/server/api.js';
import { isoFromNow, startHarness, writeIssue, type Harness } from './harness.js';

const TOKEN = 'operator-token-for-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ adminToken: TOKEN });
  await writeIssue(h.config, { slug: 'old-one', date: isoFromNow(-10 * 86_400_000), tags: ['sofa'] });
  await writeIssue(h.config, { slug: 'fresh', date: isoFromNow(-60_000), tags: ['mosn'] });
  await writeIssue(h.config, { slug: 'wip', date: isoFromNow(-60_000), draft: true });
  await writeIssue(h.config, { slug: 'feeds-only', date: isoFromNow(-60_000), email: false });
});
afterAll(async () => {
  await h?.close();
});

describe('authentication', () => {
  it('answers 401 without credentials even when no admin token is configured (named tokens and sessions still reach it)', async () => {
    const off = await startHarness();
    try {
      const res = await off.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
      expect(res.statusCode).toBe(401);
      const post = await off.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 'a@example.org' } });
      expect(post.statusCode).toBe(401);
    } finally {
      await off.close();
    }
  });

  it('answers 401 without the right bearer token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` }]) {
      const res = await h.server.app.inject({ method: 'GET', url: '/api/subscribers', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
    const del = await h.server.app.inject({ method: 'DELETE', url: '/api/subscribers/a@example.org' });
    expect(del.statusCode).toBe(401);
  });

  it('compares tokens by hash', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
  });
});

describe('subscribers', () => {
  it('adds, lists, removes', async () => {
    const add = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 'op1@example.org', name: 'Op One', topics: ['mosn'] } });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ email: 'op1@example.org', status: 'active', topics: ['mosn'] });
    const dup = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 'op1@example.org' } });
    expect(dup.statusCode).toBe(409);
    const bad = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/^email:/);
    await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email: 'op2@example.org' } });

    const list = await h.server.app.inject({ method: 'GET', url: '/api/subscribers', headers: auth });
    expect(list.statusCode).toBe(200);
    const emails = list.json().subscribers.map((s: { email: string; status: string }) => `${s.email}:${s.status}`);
    expect(emails).toEqual(expect.arrayContaining(['op1@example.org:active', 'op2@example.org:active']));

    const page = await h.server.app.inject({ method: 'GET', url: '/api/subscribers?limit=1', headers: auth });
    expect(page.json().subscribers).toHaveLength(1);
    expect(page.json().next).toBe(page.json().subscribers[0].id);

    const del = await h.server.app.inject({ method: 'DELETE', url: '/api/subscribers/op2@example.org', headers: auth });
    expect(del.statusCode).toBe(204);
    const again = await h.server.app.inject({ method: 'DELETE', url: '/api/subscribers/op2@example.org', headers: auth });
    expect(again.statusCode).toBe(404);
    const badStatus = await h.server.app.inject({ method: 'GET', url: '/api/subscribers?status=happy', headers: auth });
    expect(badStatus.statusCode).toBe(400);
  });

  it('imports CSV, reporting bad rows by line and skipping duplicates', async () => {
    const csv = 'email,name,topics\nimp1@example.org,Imp One,sofa;mosn\nnot-an-address,Bad,\nimp2@example.org,,\nop1@example.org,dup,\n';
    const res = await h.server.app.inject({ method: 'POST', url: '/api/subscribers/import', headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ rows: 4, added: 2, duplicates: 1, suppressed: 0, bad: 1, problems: [expect.stringMatching(/^line 3: email: /)] });
    expect((await h.store.findSubscriberByEmail('imp1@example.org'))!.topics).toEqual(['sofa', 'mosn']);
    const again = await h.server.app.inject({ method: 'POST', url: '/api/subscribers/import', headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
    expect(again.json()).toMatchObject({ added: 0, duplicates: 3 });
    const noEmail = await h.server.app.inject({ method: 'POST', url: '/api/subscribers/import', headers: { ...auth, 'content-type': 'text/csv' }, payload: 'name\nx\n' });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.json().error).toContain('no "email" column');
    const notCsv = await h.server.app.inject({ method: 'POST', url: '/api/subscribers/import', headers: auth, payload: { email: 'x@example.org' } });
    expect(notCsv.statusCode).toBe(415);
  });
});

describe('issues and sending', () => {
  it('lists issues with their campaign status', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
    expect(res.statusCode).toBe(200);
    const bySlug = Object.fromEntries(res.json().issues.map((i: { slug: string; status: string }) => [i.slug, i.status]));
    // old-one's send time (its date) is 10 days ago, more than email.maxLatenessHours (48): not mailed by a worker.
    expect(bySlug).toMatchObject({ 'old-one': 'too-late', fresh: 'due', wip: 'draft', 'feeds-only': 'feeds-only' });
    const old = res.json().issues.find((i: { slug: string }) => i.slug === 'old-one');
    expect(old.reason).toMatch(
      /^was due to be emailed at \S+, more than 48 hours ago \(email\.maxLatenessHours\); it is not mailed automatically: pressroom send old-one sends it$/,
    );
    expect(old.sendAt).toBe(old.date);
    expect(res.json().issues.find((i: { slug: string }) => i.slug === 'fresh').reason).toBeNull();
  });

  it('sends an issue on command, once', async () => {
    const before = h.smtp.accepted();
    const res = await h.server.app.inject({ method: 'POST', url: '/api/issues/fresh/send?wait=1', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ created: true, campaign: { slug: 'fresh' } });
    // Active subscribers whose topics match "mosn" or are empty: op1 (mosn), imp1 (sofa;mosn), imp2 (all).
    expect(res.json().stats.sent).toBe(3);
    expect(h.smtp.accepted() - before).toBe(3);
    expect(h.smtp.countFor('op1@example.org')).toBe(1);
    const again = await h.server.app.inject({ method: 'POST', url: '/api/issues/fresh/send?wait=1', headers: auth });
    expect(again.json()).toMatchObject({ created: false });
    expect(h.smtp.accepted() - before).toBe(3);
    const list = await h.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
    const fresh = list.json().issues.find((i: { slug: string }) => i.slug === 'fresh');
    expect(fresh.status).toBe('sent');
    expect(fresh.campaign.stats).toMatchObject({ sent: 3, queued: 0, failed: 0 });
  });

  it('refuses unknown, draft and feeds-only issues', async () => {
    expect((await h.server.app.inject({ method: 'POST', url: '/api/issues/nope/send', headers: auth })).statusCode).toBe(404);
    const draft = await h.server.app.inject({ method: 'POST', url: '/api/issues/wip/send', headers: auth });
    expect(draft.statusCode).toBe(409);
    expect(draft.json().error).toContain('not published');
    const feedsOnly = await h.server.app.inject({ method: 'POST', url: '/api/issues/feeds-only/send', headers: auth });
    expect(feedsOnly.statusCode).toBe(409);
    expect(feedsOnly.json().error).toContain('email is false');
    expect(await h.store.getCampaign('wip')).toBeNull();
  });

  it('sends a test copy to one address only, without a campaign', async () => {
    const before = h.smtp.accepted();
    const res = await h.server.app.inject({ method: 'POST', url: '/api/issues/old-one/test', headers: auth, payload: { email: 'editor@example.org' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, code: 250 });
    expect(h.smtp.accepted() - before).toBe(1);
    const [mail] = await h.mailFor('editor@example.org');
    expect(mail!.subject).toContain('Issue old-one');
    expect(await h.store.getCampaign('old-one')).toBeNull();
    const bad = await h.server.app.inject({ method: 'POST', url: '/api/issues/old-one/test', headers: auth, payload: {} });
    expect(bad.statusCode).toBe(400);
  });
});

describe('health and metrics', () => {
  it('/healthz answers ok', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ok');
  });

  it('/metrics reports sends in Prometheus text format', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/metrics', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = res.body;
    expect(body).toContain('# TYPE pressroom_messages_sent_total counter');
    expect(body).toMatch(/^pressroom_messages_sent_total 3$/m);
    expect(body).toMatch(/^pressroom_messages_failed_total 0$/m);
    expect(body).toMatch(/^pressroom_messages_queued\{state="queued"\} 0$/m);
    expect(body).toMatch(/^pressroom_send_rate \d+(\.\d+)?$/m);
    expect(body).toMatch(/^pressroom_worker_last_tick_timestamp_seconds 0$/m);
    expect(body).toMatch(/^pressroom_subscribers\{status="active"\} \d+$/m);
    // Every sample line is "name{labels} value".
    for (const line of body.trim().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{[a-z]+="[a-z0-9_-]+"(,[a-z]+="[a-z0-9_-]+")*\})? -?\d+(\.\d+)?(e[+-]?\d+)?$/);
    }
  });
});
