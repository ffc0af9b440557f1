// What the service answers when something goes wrong, through the real server: bad input gets a
// 4xx with a message for the visitor (an HTML page for forms, JSON for JSON callers and the API);
// anything else a generic 500 with the detail only in the log. Hostile inputs are fixtures in
// test/fixtures/hostile/web-*:
// - web-store-refused-addresses.txt: addresses the form accepted but the store refused (HTTP 500
//   with fastify's JSON and the internal message, even to the HTML form);
// - web-coffee-front-matter.md: front matter in an unregistered language (/api/issues showed
//   `gray-matter engine "coffee" is not registered`);
// - web-bad-date.md: an ordinary problem file, named in /api/issues without server paths.
import { copyFile, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../support/paths.js';
import { isoFromNow, startHarness, writeIssue, type Harness } from './harness.js';

const TOKEN = 'operator-token-for-error-tests';
const auth = { authorization: `Bearer ${TOKEN}` };
const hostile = (name: string) => path.join(fixturesDir, 'hostile', name);
const refusedAddresses = readFileSync(hostile('web-store-refused-addresses.txt'), 'utf8').split('\n').filter(Boolean);
const formPost = (fields: Record<string, string>) => ({ payload: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });

/** Log lines the server wrote, parsed. */
const logLines: Array<Record<string, unknown>> = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ adminToken: TOKEN, logger, rateLimit: { max: 1000, windowMs: 60_000 } });
});
afterAll(async () => {
  await h?.close();
});

describe('bad input gets a 4xx with a user message', () => {
  it('addresses the store refuses: 400 naming the field, an HTML page for the form', async () => {
    expect(refusedAddresses).toEqual(['a..b@x.org', 'ab@-x-.org', 'ab@ex_ample.org']);
    for (const email of refusedAddresses) {
      const res = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...formPost({ email }) });
      expect(res.statusCode, email).toBe(400);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.body).toContain('<p class="error">Please check the email address.</p><p class="detail">The exact reason: <code>email: ');
      expect(res.body).toContain('<form method="post" action="/subscribe"');
      expect(await h.store.findSubscriberByEmail(email)).toBeNull();
    }
  });

  it('addresses the store refuses: 400 JSON for JSON sign-ups and the API', async () => {
    for (const email of refusedAddresses) {
      const json = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: { email } });
      expect(json.statusCode, email).toBe(400);
      expect(json.json()).toEqual({ ok: false, error: expect.stringMatching(/^email: /) });
      const api = await h.server.app.inject({ method: 'POST', url: '/api/subscribers', headers: auth, payload: { email } });
      expect(api.statusCode, email).toBe(400);
      expect(api.json()).toEqual({ error: expect.stringMatching(/^email: /) });
    }
  });

  it("fastify's own request errors are answered in our words, as a page or JSON", async () => {
    const badJson = await h.server.app.inject({ method: 'POST', url: '/subscribe', payload: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toEqual({ error: 'The request body is not valid JSON.' });

    const tooBig = await h.server.app.inject({ method: 'POST', url: '/subscribe', ...formPost({ email: 'big@example.org', name: 'x'.repeat(40_000) }) });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(tooBig.body).toContain('The request body is too large.');

    const wrongType = await h.server.app.inject({ method: 'POST', url: '/preferences?token=x', payload: '<x/>', headers: { 'content-type': 'application/xml' } });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(wrongType.body).toContain('Unsupported content type');

    const badUrlPage = await h.server.app.inject({ method: 'GET', url: '/confirm%zz' });
    expect(badUrlPage.statusCode).toBe(400);
    expect(badUrlPage.headers['content-type']).toBe('text/html; charset=utf-8');
    const badUrlApi = await h.server.app.inject({ method: 'DELETE', url: '/api/subscribers/%E0%A4%A', headers: auth });
    expect(badUrlApi.statusCode).toBe(400);
    expect(badUrlApi.json()).toEqual({ error: 'The address is not valid (bad percent-encoding).' });

    for (const res of [badJson, tooBig, wrongType, badUrlPage, badUrlApi]) {
      expect(res.body).not.toMatch(/FST_|statusCode/);
    }
  });

  it('unknown routes: a 404 page for browsers, JSON under /api', async () => {
    const page = await h.server.app.inject({ method: 'POST', url: '/no-such-form' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const api = await h.server.app.inject({ method: 'GET', url: '/api/no-such-thing', headers: auth });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ error: expect.any(String) });
  });
});

describe('/api/issues shows problem files without internals or server paths', () => {
  it('names a problem file relative to the issues folder', async () => {
    await writeIssue(h.config, { slug: 'good-one', date: isoFromNow(-60_000) });
    await promisify(copyFile)(hostile('web-bad-date.md'), path.join(h.config.issuesDir, 'web-bad-date.md'));
    try {
      const res = await h.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.problems).toEqual([expect.stringMatching(/^web-bad-date\.md:4: date: "next friday" is not a date/)]);
      expect(body.issues.map((i: { source: string }) => i.source)).toEqual(['good-one.md']);
      expect(res.body).not.toContain(h.root);
    } finally {
      await rm(path.join(h.config.issuesDir, 'web-bad-date.md'));
    }
  });

  it("never shows a library's own message for a file", async () => {
    await promisify(copyFile)(hostile('web-coffee-front-matter.md'), path.join(h.config.issuesDir, 'web-coffee-front-matter.md'));
    try {
      const res = await h.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
      // Either the file is one problem line (the loader names it) or the listing fails as a
      // generic 500; never the library's message, never a server path.
      expect([200, 500]).toContain(res.statusCode);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.body).not.toContain('gray-matter');
      expect(res.body).not.toContain('is not registered');
      expect(res.body).not.toContain(h.root);
    } finally {
      await rm(path.join(h.config.issuesDir, 'web-coffee-front-matter.md'));
    }
  });
});

describe('anything else is a generic 500, with the detail only in the log', () => {
  it('JSON under /api', async () => {
    await rm(h.config.issuesDir, { recursive: true, force: true }); // the issues folder is gone
    const res = await h.server.app.inject({ method: 'GET', url: '/api/issues', headers: auth });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'Something went wrong on our side. Please try again later.' });
    expect(res.body).not.toContain(h.root);
    const logged = logLines.filter((l) => l.msg === 'request failed' && l.route === '/api/issues').at(-1);
    expect(JSON.stringify(logged?.err)).toContain('cannot read the issues folder');
  });

  it('an HTML page for forms', async () => {
    const broken = await startHarness({ logger });
    try {
      await broken.store.close(); // the store stops answering
      const res = await broken.server.app.inject({ method: 'POST', url: '/subscribe', ...formPost({ email: 'someone@example.org' }) });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.body).toContain('Something went wrong on our side.');
      expect(res.body).not.toMatch(/database|statusCode|Internal Server Error/i);
      expect(logLines.some((l) => l.msg === 'request failed' && l.route === '/subscribe')).toBe(true);
    } finally {
      await broken.close();
    }
  });
});
