// Sign-up (double opt-in), confirm, RFC 8058 one-click unsubscribe and preferences, against a
// real SQLite store and a real loopback SMTP server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../src/email/tokens.js';
import { isOneClick } from '../../src/server/subscription.js';
import { isoFromNow, linkIn, SECRET, startHarness, writeIssue, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ rateLimit: { max: 1000, windowMs: 60_000 } });
});
afterAll(async () => {
  await h?.close();
});

const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) body.append(k, item);
  return { payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
};

const tokenFromLink = (link: string) => new URL(link).searchParams.get('token')!;

describe('POST /subscribe', () => {
  it('shows a sign-up form with security headers', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/subscribe' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.body).toContain('<form method="post" action="/subscribe"');
  });

  it('creates a pending subscriber and mails a signed, expiring confirm link', async () => {
    const res = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...form({ email: 'ada@example.org', name: 'Ada', topics: ['sofa', 'mosn'] }) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('check your inbox');
    const s = await h.store.findSubscriberByEmail('ada@example.org');
    expect(s).toMatchObject({ status: 'pending', name: 'Ada', topics: ['sofa', 'mosn'], source: 'web' });

    const [mail] = await h.waitForMail('ada@example.org');
    const link = linkIn(mail!, 'http://news.test/confirm?token=');
    const token = tokenFromLink(link);
    expect(verifyToken(SECRET, token, 'confirm')).toEqual({ ok: true, subscriberId: s!.id });
    // It expires after 7 days.
    const week = 7 * 24 * 3600 * 1000;
    expect(verifyToken(SECRET, token, 'confirm', Date.now() + week - 60_000)).toEqual({ ok: true, subscriberId: s!.id });
    expect(verifyToken(SECRET, token, 'confirm', Date.now() + week + 60_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('answers identically whether the address is unknown, pending or active', async () => {
    await h.store.addSubscriber({ email: 'known@example.org', status: 'active' });
    const known = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...form({ email: 'known@example.org' }) });
    const unknown = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...form({ email: 'stranger@example.org' }) });
    expect(known.statusCode).toBe(unknown.statusCode);
    expect(known.body).toBe(unknown.body);
    const json1 = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: 'known@example.org' } });
    const json2 = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: 'other@example.org' } });
    expect(json1.statusCode).toBe(202);
    expect(json1.json()).toEqual(json2.json());
    // The active subscriber stays active and gets no confirm email.
    await h.waitForMail('stranger@example.org');
    expect((await h.store.findSubscriberByEmail('known@example.org'))!.status).toBe('active');
    expect(await h.mailFor('known@example.org')).toHaveLength(0);
  });

  it('rejects a bad address with a message naming the field', async () => {
    const res = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: 'not an address' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/^email: /);
    const html = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...form({ email: '' }) });
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('email: required');
  });

  it('limits the body size', async () => {
    const res = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...form({ email: 'big@example.org', name: 'x'.repeat(40_000) }) });
    expect(res.statusCode).toBe(413);
    expect(await h.store.findSubscriberByEmail('big@example.org')).toBeNull();
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-address limit', async () => {
    const limited = await startHarness({ rateLimit: { max: 2, windowMs: 60_000 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: `r${i}@example.org` }, remoteAddress: '10.0.0.7' });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([202, 202, 429, 429]);
      // Another client is not affected.
      const other = await limited.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: 'r9@example.org' }, remoteAddress: '10.0.0.8' });
      expect(other.statusCode).toBe(202);
      expect(await limited.store.findSubscriberByEmail('r3@example.org')).toBeNull();
    } finally {
      await limited.close();
    }
  });
});

describe('client addresses behind a proxy', () => {
  it('uses X-Forwarded-For only when told to trust the proxy', async () => {
    for (const trustProxy of [false, 1] as const) {
      const hh = await startHarness({ rateLimit: { max: 1, windowMs: 60_000 }, trustProxy });
      try {
        const statuses = [];
        for (const client of ['203.0.113.1', '203.0.113.2']) {
          const res = await hh.server.app.inject({
            method: 'POST',
            url: '/subscribe',
            payload: { email: `p-${client}@example.org` },
            remoteAddress: '127.0.0.1',
            headers: { 'x-forwarded-for': client },
          });
          statuses.push(res.statusCode);
        }
        // Trusted: two clients, one sign-up each. Not trusted: both are the proxy, the second is limited.
        expect(statuses).toEqual(trustProxy ? [202, 202] : [202, 429]);
      } finally {
        await hh.close();
      }
    }
  });
});

describe('confirm', () => {
  const confirmUrl = async (address: string) => {
    await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: address } });
    const [mail] = await h.waitForMail(address);
    const url = new URL(linkIn(mail!, 'http://news.test/confirm?token='));
    return `${url.pathname}${url.search}`;
  };

  it('opening the link (GET or HEAD, as mail scanners do) changes nothing and shows one button', async () => {
    const url = await confirmUrl('scanned@example.org');
    for (const method of ['GET', 'HEAD', 'GET', 'HEAD'] as const) {
      const res = await h.server.app.inject({ method, url });
      expect(res.statusCode, method).toBe(200);
      if (method === 'GET') {
        expect(res.body).toContain(`<form method="post" action="${url}" id="confirm">`);
        expect(res.body.match(/<button/g)).toHaveLength(1);
      }
    }
    expect((await h.store.findSubscriberByEmail('scanned@example.org'))!.status).toBe('pending');
    await h.server.context.mailer.drain();
    expect(await h.mailFor('scanned@example.org')).toHaveLength(1); // the confirm email only, no welcome
  });

  it('pressing the button (POST) activates the subscriber and sends the welcome email, once', async () => {
    const url = await confirmUrl('grace@example.org');
    const res = await h.server.app.inject({ method: 'POST', url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("You're subscribed to Test Weekly.");
    expect(res.body).not.toMatch(/Status:|>active</);
    expect((await h.store.findSubscriberByEmail('grace@example.org'))!.status).toBe('active');
    const mails = await h.waitForMail('grace@example.org', 2);
    expect(mails).toHaveLength(2); // confirm + welcome
    for (const method of ['POST', 'GET'] as const) {
      const again = await h.server.app.inject({ method, url });
      expect(again.statusCode).toBe(200);
      expect(again.body).toContain('already subscribed');
    }
    await h.server.context.mailer.drain();
    expect(await h.mailFor('grace@example.org')).toHaveLength(2);
  });

  it('sends one welcome email when the button is pressed several times at once', async () => {
    const url = await confirmUrl('twice@example.org');
    const clicks = await Promise.all([1, 2, 3].map(() => h.server.app.inject({ method: 'POST', url })));
    expect(clicks.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(clicks.filter((r) => r.body.includes("You're subscribed to"))).toHaveLength(1);
    expect(clicks.filter((r) => r.body.includes('already subscribed to'))).toHaveLength(2);
    await h.server.context.mailer.drain();
    await h.waitForMail('twice@example.org', 2);
    expect(await h.mailFor('twice@example.org')).toHaveLength(2); // confirm + one welcome
  });

  it('refuses a confirmation another site makes the browser send', async () => {
    const url = await confirmUrl('forged@example.org');
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: 'http://evil.test' }, { origin: 'null' }]) {
      const res = await h.server.app.inject({ method: 'POST', url, headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
    }
    expect((await h.store.findSubscriberByEmail('forged@example.org'))!.status).toBe('pending');
    // Our own page's button: same-origin.
    const own = await h.server.app.inject({ method: 'POST', url, headers: { 'sec-fetch-site': 'same-origin', origin: 'http://news.test' } });
    expect(own.statusCode).toBe(200);
    expect((await h.store.findSubscriberByEmail('forged@example.org'))!.status).toBe('active');
  });

  it('answers a forged, expired or wrong-purpose token with a clear 400 page', async () => {
    const s = await h.store.addSubscriber({ email: 'mallory@example.org', status: 'pending' });
    const valid = signToken(SECRET, s.id, 'confirm', Date.now() + 60_000);
    const forged = `${valid.slice(0, -3)}${valid.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const otherSecret = signToken('another-secret-0123456789', s.id, 'confirm', Date.now() + 60_000);
    for (const method of ['GET', 'POST'] as const) {
      for (const token of [forged, otherSecret, 'garbage', '', signToken(SECRET, s.id, 'unsubscribe')]) {
        const res = await h.server.app.inject({ method, url: `/confirm?token=${encodeURIComponent(token)}` });
        expect(res.statusCode, token).toBe(400);
        expect(res.body).toContain('This link is not valid');
      }
      const expired = signToken(SECRET, s.id, 'confirm', Date.now() - 1000);
      const res = await h.server.app.inject({ method, url: `/confirm?token=${expired}` });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This link has expired');
    }
    expect((await h.store.getSubscriber(s.id))!.status).toBe('pending');
  });
});

describe('unsubscribe', () => {
  it('GET shows one button that posts the one-click body', async () => {
    const s = await h.store.addSubscriber({ email: 'button@example.org', status: 'active' });
    const token = signToken(SECRET, s.id, 'unsubscribe');
    const res = await h.server.app.inject({ method: 'GET', url: `/unsubscribe?token=${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`action="/unsubscribe?token=${token}"`);
    expect(res.body).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(res.body.match(/<button/g)).toHaveLength(1);
    // Showing the page changes nothing.
    expect((await h.store.getSubscriber(s.id))!.status).toBe('active');
  });

  it('RFC 8058 one-click POST unsubscribes with no other step, idempotently', async () => {
    const s = await h.store.addSubscriber({ email: 'oneclick@example.org', status: 'active' });
    const token = signToken(SECRET, s.id, 'unsubscribe');
    const post = () =>
      h.server.app.inject({
        method: 'POST',
        url: `/unsubscribe?token=${token}`,
        payload: 'List-Unsubscribe=One-Click',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    const first = await post();
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain("You've unsubscribed from Test Weekly.");
    expect(first.body).toContain('<form method="post" action="/resubscribe?token=');
    const after = await h.store.getSubscriber(s.id);
    expect(after!.status).toBe('unsubscribed');
    const second = await post();
    expect(second.statusCode).toBe(200);
    expect((await h.store.getSubscriber(s.id))!.unsubscribedAt).toBe(after!.unsubscribedAt);
  });

  it('accepts the one-click body as multipart/form-data too', async () => {
    const s = await h.store.addSubscriber({ email: 'multipart@example.org', status: 'active' });
    const token = signToken(SECRET, s.id, 'unsubscribe');
    const boundary = '----pressroom1234';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await h.server.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${token}`,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode).toBe(200);
    expect((await h.store.getSubscriber(s.id))!.status).toBe('unsubscribed');
  });

  it('refuses a forged token or a missing one-click body and changes nothing', async () => {
    const s = await h.store.addSubscriber({ email: 'keep@example.org', status: 'active' });
    const other = await h.store.addSubscriber({ email: 'keep2@example.org', status: 'active' });
    const forged = signToken('wrong-secret-0123456789abcdef', s.id, 'unsubscribe');
    const r1 = await h.server.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${forged}`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r1.statusCode).toBe(400);
    const r2 = await h.server.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${signToken(SECRET, other.id, 'unsubscribe')}`,
      payload: 'x=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r2.statusCode).toBe(400);
    const r3 = await h.server.app.inject({
      method: 'POST',
      url: `/unsubscribe?token=${signToken(SECRET, s.id, 'preferences')}`,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r3.statusCode).toBe(400);
    expect((await h.store.getSubscriber(s.id))!.status).toBe('active');
    expect((await h.store.getSubscriber(other.id))!.status).toBe('active');
  });

  it('recognises the one-click body forms', () => {
    expect(isOneClick({ 'List-Unsubscribe': 'One-Click' })).toBe(true);
    expect(isOneClick('List-Unsubscribe=One-Click')).toBe(true);
    expect(isOneClick({ 'List-Unsubscribe': 'Two-Clicks' })).toBe(false);
    expect(isOneClick(undefined)).toBe(false);
    expect(isOneClick('--b\r\nContent-Disposition: form-data; name="other"\r\n\r\nOne-Click\r\n--b--')).toBe(false);
  });

  it('a former subscriber signing up again must confirm again', async () => {
    const s = await h.store.addSubscriber({ email: 'returning@example.org', status: 'unsubscribed' });
    await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email: 'returning@example.org' } });
    expect((await h.store.getSubscriber(s.id))!.status).toBe('pending');
    const [mail] = await h.waitForMail('returning@example.org');
    expect(linkIn(mail!, 'http://news.test/confirm?token=')).toBeTruthy();
  });
});

describe('preferences', () => {
  it('shows and saves topics with a preferences token', async () => {
    const s = await h.store.addSubscriber({ email: 'prefs@example.org', status: 'active', topics: ['a'] });
    const token = signToken(SECRET, s.id, 'preferences');
    const page = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('value="a" checked');
    const unsubscribeLink = /href="\/unsubscribe\?token=([^"]+)"/.exec(page.body)?.[1];
    expect(verifyToken(SECRET, decodeURIComponent(unsubscribeLink!), 'unsubscribe')).toEqual({ ok: true, subscriberId: s.id });
    const saved = await h.server.app.inject({ method: 'POST', url: `/preferences?token=${token}`, ...form({ topics: ['b', 'c'] }) });
    expect(saved.statusCode).toBe(200);
    expect((await h.store.getSubscriber(s.id))!.topics).toEqual(['b', 'c']);
    const bad = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${signToken(SECRET, s.id, 'unsubscribe')}` });
    expect(bad.statusCode).toBe(400);
  });

  it('escapes what it shows', async () => {
    const s = await h.store.addSubscriber({ email: 'xss@example.org', status: 'active', topics: ['<script>alert(1)</script>'] });
    const page = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${signToken(SECRET, s.id, 'preferences')}` });
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;');
  });
});

describe('preferences are changed only from our own page', () => {
  it('refuses a POST another site makes the browser send, and changes nothing', async () => {
    const s = await h.store.addSubscriber({ email: 'csrf@example.org', status: 'active', topics: ['keep'] });
    const url = `/preferences?token=${signToken(SECRET, s.id, 'preferences')}`;
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'http://evil.test' }, { origin: 'http://news.test.evil.test' }]) {
      const res = await h.server.app.inject({ method: 'POST', url, ...form({ topics: 'spam' }), headers: { ...form({}).headers, ...headers } });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.body).toContain('sent from another site');
    }
    expect((await h.store.getSubscriber(s.id))!.topics).toEqual(['keep']);
    // Our page (same origin, or Origin naming the site or the host it was served from) may.
    for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { origin: 'http://news.test' }, { origin: 'http://localhost:80', host: 'localhost:80' }, {}]) {
      const res = await h.server.app.inject({ method: 'POST', url, ...form({ topics: 'chosen' }), headers: { ...form({}).headers, ...headers } });
      expect(res.statusCode, JSON.stringify(headers)).toBe(200);
    }
    expect((await h.store.getSubscriber(s.id))!.topics).toEqual(['chosen']);
  });
});

describe('topics that differ only by case', () => {
  it('are one topic, shown by the label as first written in the issues', async () => {
    await writeIssue(h.config, { slug: 'case-1', date: isoFromNow(-3 * 60_000), tags: ['sofa weekly'] });
    await writeIssue(h.config, { slug: 'case-2', date: isoFromNow(-2 * 60_000), tags: ['SOFA Weekly', 'MOSN'] });
    await writeIssue(h.config, { slug: 'case-3', date: isoFromNow(-60_000), tags: ['SOFA Weekly', 'mosn'] });
    h.server.context.issues.invalidate();
    const s = await h.store.addSubscriber({ email: 'cases@example.org', status: 'active', topics: ['SOFA Weekly'] });
    const token = signToken(SECRET, s.id, 'preferences');
    const checkboxes = (html: string) =>
      [...html.matchAll(/<label><input type="checkbox" name="topics" value="([^"]*)"( checked)?> ([^<]*)<\/label>/g)].map((m) => `${m[1]}|${m[3]}${m[2] ? '|checked' : ''}`);

    const page = await h.server.app.inject({ method: 'GET', url: `/preferences?token=${token}` });
    // Issues come newest first: case-3's spellings are the first written.
    expect(checkboxes(page.body)).toEqual(['mosn|mosn', 'sofa weekly|SOFA Weekly|checked']);
    const signUp = await h.server.app.inject({ method: 'GET', url: '/subscribe' });
    expect(checkboxes(signUp.body)).toEqual(['mosn|mosn', 'sofa weekly|SOFA Weekly']);

    const saved = await h.server.app.inject({ method: 'POST', url: `/preferences?token=${token}`, ...form({ topics: ['MOSN', 'sofa weekly'] }) });
    expect(saved.body).toContain("Saved: you'll receive issues about mosn, SOFA Weekly.");
    expect(checkboxes(saved.body)).toEqual(['mosn|mosn|checked', 'sofa weekly|SOFA Weekly|checked']);
    expect((await h.store.getSubscriber(s.id))!.topics).toEqual(['mosn', 'sofa weekly']);
  });
});
