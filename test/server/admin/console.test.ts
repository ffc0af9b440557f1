// The operators' console and the API's callers, over real HTTP on loopback against a real SQLite
// store: sign-in, the same answer for every refusal, lockout, CSRF, session expiry, sign-out
// everywhere, roles on pages and on /api (named tokens, sessions, the admin token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/password.js';
import { newApiToken, secretHash } from '../../../src/accounts/secrets.js';
import { SIGN_IN_REFUSED } from '../../../src/server/admin/login.js';
import { IDLE_TIMEOUT_MS, LOGIN_FAILURES, SESSION_LIFETIME_MS } from '../../../src/server/admin/session-policy.js';
import { startHarness, type Harness } from '../harness.js';
import { ConsoleClient } from './console-client.js';

const ADMIN_TOKEN = 'admin-token-for-console-tests';
const PASSWORD = 'correct horse battery staple';
let offset = 0;
let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness({ adminToken: ADMIN_TOKEN, now: () => Date.now() + offset, loginRateLimit: { max: 1000, windowMs: 60_000 } });
  const passwordHash = await hashPassword(PASSWORD);
  for (const [email, role] of [
    ['owner@example.org', 'owner'],
    ['editor@example.org', 'editor'],
    ['viewer@example.org', 'viewer'],
    ['locked@example.org', 'editor'],
  ] as const)
    await h.store.addOperator({ email, role, passwordHash });
  await h.store.addSubscriber({ email: 'reader@example.org' });
  await h.store.createCampaign({ slug: 'first', title: 'First <b>issue</b>', topics: [] });
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.close();
});

const client = () => new ConsoleClient(base);

async function campaignState(): Promise<string> {
  const c = await h.store.getCampaign('first');
  return c!.pausedAt ? 'paused' : 'running';
}

describe('without a session', () => {
  it('every page under /admin sends the browser to sign in, and /api answers 401', async () => {
    const c = client();
    for (const path of ['/admin', '/admin/', '/admin/campaigns/first', '/admin/no-such-page']) {
      const res = await c.get(path);
      expect([res.status, res.location], path).toEqual([303, '/admin/login']);
    }
    for (const path of ['/admin/campaigns/first/pause', '/admin/logout', '/admin/logout-everywhere']) {
      expect((await c.post(path, { _csrf: 'x' })).status, path).toBe(303);
    }
    expect(await campaignState()).toBe('running');
    expect((await c.get('/api/campaigns/first')).status).toBe(401);
  });
});

describe('signing in', () => {
  it('a good password opens a session: an HttpOnly, SameSite=Strict cookie for /, not Secure on an http site', async () => {
    const c = client();
    const res = await c.signIn('Editor@Example.org', PASSWORD);
    expect([res.status, res.location]).toEqual([303, '/admin']);
    const cookie = res.cookies.find((x) => x.startsWith('pressroom_session='))!;
    expect(cookie).toMatch(/; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    const page = await c.get('/admin');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<a href="/admin/campaigns/first">First &lt;b&gt;issue&lt;/b&gt;</a>');
    expect(page.body).toContain('editor@example.org (editor)');
    expect(page.body).toContain('href="/style.css"');
    // The store holds the SHA-256 of the id, not the id.
    const id = c.jar.get('pressroom_session')!;
    expect(await h.store.findSession(id)).toBeNull();
    expect(await h.store.findSession(secretHash(id))).not.toBeNull();
  });

  it('a wrong password, an unknown address and a locked account get the same page, byte for byte', async () => {
    const c = client();
    const wrong = await c.signIn('editor@example.org', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain(SIGN_IN_REFUSED);
    expect(c.jar.has('pressroom_session')).toBe(false);
    const unknown = await c.signIn('nobody@example.org', PASSWORD);
    expect([unknown.status, unknown.body]).toEqual([wrong.status, wrong.body]);
    const empty = await c.signIn('', '');
    expect([empty.status, empty.body]).toEqual([wrong.status, wrong.body]);

    // LOGIN_FAILURES.maxFailures wrong passwords lock the account: then even the right one is refused, with the same page.
    for (let i = 0; i < LOGIN_FAILURES.maxFailures; i++) expect((await c.signIn('locked@example.org', 'wrong password here')).body).toBe(wrong.body);
    expect((await h.store.findOperator('locked@example.org'))!.lockedUntil).not.toBeNull();
    const locked = await c.signIn('locked@example.org', PASSWORD);
    expect([locked.status, locked.body]).toEqual([wrong.status, wrong.body]);
    expect(c.jar.has('pressroom_session')).toBe(false);

    // After the lock's time the right password works again.
    offset += LOGIN_FAILURES.lockMs + 1000;
    try {
      expect((await c.signIn('locked@example.org', PASSWORD)).status).toBe(303);
      expect((await c.get('/admin')).status).toBe(200);
    } finally {
      offset -= LOGIN_FAILURES.lockMs + 1000;
    }
  });

  it('refuses a sign-in form without its CSRF value, with a forged one, or posted from another site', async () => {
    const c = client();
    const form = await c.get('/admin/login');
    const good = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    expect((await c.post('/admin/login', { email: 'editor@example.org', password: PASSWORD })).status).toBe(403);
    expect((await c.post('/admin/login', { _csrf: `${good}x`, email: 'editor@example.org', password: PASSWORD })).status).toBe(403);
    const cross = await c.request('POST', '/admin/login', { _csrf: good, email: 'editor@example.org', password: PASSWORD }, { 'sec-fetch-site': 'cross-site' });
    expect(cross.status).toBe(403);
    expect(c.jar.has('pressroom_session')).toBe(false);
    expect((await c.post('/admin/login', { _csrf: good, email: 'editor@example.org', password: PASSWORD })).status).toBe(303);
  });

  it('limits sign-in attempts per client address', async () => {
    const limited = await startHarness({ loginRateLimit: { max: 2, windowMs: 60_000 } });
    try {
      const url = await limited.server.app.listen({ port: 0, host: '127.0.0.1' });
      const c = new ConsoleClient(url);
      expect((await c.signIn('a@example.org', 'x')).status).toBe(401);
      expect((await c.signIn('b@example.org', 'x')).status).toBe(401);
      const third = await c.signIn('c@example.org', 'x');
      expect(third.status).toBe(429);
      expect(third.body).toContain('Too many sign-in attempts from your address');
    } finally {
      await limited.close();
    }
  });

  it('marks the cookies Secure when the site is https', async () => {
    const https = await startHarness({ configure: (config) => (config.site.url = 'https://news.test/') });
    try {
      await https.store.addOperator({ email: 'o@example.org', role: 'owner', passwordHash: await hashPassword(PASSWORD) });
      const c = new ConsoleClient(await https.server.app.listen({ port: 0, host: '127.0.0.1' }));
      const form = await c.get('/admin/login');
      expect(form.cookies[0]).toMatch(/^pressroom_login=[^;]+; Path=\/admin\/login; Max-Age=3600; HttpOnly; SameSite=Strict; Secure$/);
      const res = await c.signIn('o@example.org', PASSWORD);
      expect(res.cookies.find((x) => x.startsWith('pressroom_session='))).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await https.close();
    }
  });
});

describe('sessions', () => {
  it('refuses a forged or missing CSRF token on a form (403), and takes the right one', async () => {
    const c = client();
    await c.signIn('editor@example.org', PASSWORD);
    const csrf = await c.csrf('/admin/campaigns/first');
    expect((await c.post('/admin/campaigns/first/pause', {})).status).toBe(403);
    expect((await c.post('/admin/campaigns/first/pause', { _csrf: 'forged' })).status).toBe(403);
    const other = client();
    await other.signIn('owner@example.org', PASSWORD);
    // Another session's token is not this session's.
    expect((await c.post('/admin/campaigns/first/pause', { _csrf: await other.csrf() })).status).toBe(403);
    expect(await campaignState()).toBe('running');
    const ok = await c.post('/admin/campaigns/first/pause', { _csrf: csrf });
    expect([ok.status, ok.location]).toEqual([303, '/admin/campaigns/first']);
    expect(await campaignState()).toBe('paused');
    const page = await c.get('/admin/campaigns/first');
    expect(page.body).toContain('<dd data-live="state">paused</dd>');
    expect(page.body).toContain('action="/admin/campaigns/first/resume"');
    expect(page.body).not.toContain('action="/admin/campaigns/first/pause"');
    expect((await c.post('/admin/campaigns/first/resume', { _csrf: csrf })).status).toBe(303);
    expect(await campaignState()).toBe('running');
  });

  it('ends a session idle longer than the timeout', async () => {
    const c = client();
    await c.signIn('viewer@example.org', PASSWORD);
    expect((await c.get('/admin')).status).toBe(200);
    offset += IDLE_TIMEOUT_MS + 1000;
    try {
      const res = await c.get('/admin');
      expect([res.status, res.location]).toEqual([303, '/admin/login']);
    } finally {
      offset -= IDLE_TIMEOUT_MS + 1000;
    }
    // Gone from the store, not only refused.
    expect((await c.get('/admin')).status).toBe(303);
    expect(await h.store.findSession(secretHash(c.jar.get('pressroom_session')!))).toBeNull();
  });

  it('ends a session past its lifetime however often it is used, on the pages and on /api', async () => {
    const c = client();
    await c.signIn('editor@example.org', PASSWORD);
    const start = offset;
    try {
      // A request every 20 minutes: never idle, until the lifetime runs out.
      for (let t = 0; t < SESSION_LIFETIME_MS; t += 20 * 60 * 1000) {
        offset = start + t;
        expect((await c.get('/api/campaigns/first')).status, `after ${t / 60_000} minutes`).toBe(200);
      }
      offset = start + SESSION_LIFETIME_MS + 1000;
      expect((await c.get('/api/campaigns/first')).status).toBe(401);
      const page = await c.get('/admin');
      expect([page.status, page.location]).toEqual([303, '/admin/login']);
    } finally {
      offset = start;
    }
    expect(await h.store.findSession(secretHash(c.jar.get('pressroom_session')!))).toBeNull();
  });

  it('signs out one session, or every session of the operator', async () => {
    const [a, b, d] = [client(), client(), client()];
    for (const x of [a, b, d]) expect((await x.signIn('owner@example.org', PASSWORD)).status).toBe(303);
    const other = client();
    await other.signIn('viewer@example.org', PASSWORD);

    const out = await d.post('/admin/logout', { _csrf: await d.csrf() });
    expect([out.status, out.location]).toEqual([303, '/admin/login']);
    expect((await d.get('/admin')).status).toBe(303);
    expect((await a.get('/admin')).status).toBe(200);

    expect((await a.post('/admin/logout-everywhere', { _csrf: 'forged' })).status).toBe(403);
    const everywhere = await a.post('/admin/logout-everywhere', { _csrf: await a.csrf() });
    expect(everywhere.status).toBe(303);
    expect(everywhere.cookies.find((x) => x.startsWith('pressroom_session='))).toMatch(/Max-Age=0/);
    expect((await b.get('/admin')).status).toBe(303);
    expect((await a.request('GET', '/admin', undefined, { cookie: `pressroom_session=${b.jar.get('pressroom_session')}` })).status).toBe(303);
    // Someone else's session is untouched.
    expect((await other.get('/admin')).status).toBe(200);
  });
});

describe('roles', () => {
  it('a viewer sees no buttons, and their POST is refused', async () => {
    const c = client();
    await c.signIn('viewer@example.org', PASSWORD);
    const page = await c.get('/admin/campaigns/first');
    expect(page.status).toBe(200);
    expect(page.body).not.toMatch(/action="\/admin\/campaigns\/first\/(pause|resume|cancel)"/);
    for (const action of ['pause', 'cancel']) expect((await c.post(`/admin/campaigns/first/${action}`, { _csrf: csrfFromPage(page.body) })).status).toBe(403);
    expect(await campaignState()).toBe('running');
    expect((await h.store.getCampaign('first'))!.cancelledAt).toBeNull();

    const editor = client();
    await editor.signIn('editor@example.org', PASSWORD);
    const editorPage = await editor.get('/admin/campaigns/first');
    expect(editorPage.body).toContain('action="/admin/campaigns/first/pause"');
    expect(editorPage.body).toContain('action="/admin/campaigns/first/cancel"');
  });

  it('cancel asks for a ticked box, on the server too', async () => {
    await h.store.createCampaign({ slug: 'to-cancel', title: 'To cancel', topics: [] });
    const c = client();
    await c.signIn('editor@example.org', PASSWORD);
    const page = await c.get('/admin/campaigns/to-cancel');
    expect(page.body).toMatch(/<label><input type="checkbox" name="confirm" value="yes" required> Yes: [^<]+<\/label><button type="submit">Cancel the campaign<\/button>/);
    const csrf = csrfFromPage(page.body);
    const unticked = await c.post('/admin/campaigns/to-cancel/cancel', { _csrf: csrf });
    expect(unticked.status).toBe(400);
    expect(unticked.body).toContain('Tick the box to confirm the cancellation.');
    expect((await h.store.getCampaign('to-cancel'))!.cancelledAt).toBeNull();
    expect((await c.post('/admin/campaigns/to-cancel/cancel', { _csrf: csrf, confirm: 'yes' })).status).toBe(303);
    expect((await h.store.getCampaign('to-cancel'))!.cancelledAt).not.toBeNull();
    expect((await c.get('/admin/campaigns/to-cancel')).body).toContain('<dd data-live="state">cancelled</dd>');
  });

  it('named API tokens act with their role on /api; the admin token is owner; a session needs its CSRF header to write', async () => {
    const viewer = newApiToken();
    const editor = newApiToken();
    await h.store.addApiToken({ name: 'dashboard', tokenHash: secretHash(viewer), role: 'viewer' });
    await h.store.addApiToken({ name: 'deploy', tokenHash: secretHash(editor), role: 'editor' });
    const api = (method: string, path: string, token: string) => fetch(new URL(path, base), { method, headers: { authorization: `Bearer ${token}` } });

    expect((await api('GET', '/api/campaigns/first', viewer)).status).toBe(200);
    const refused = await api('POST', '/api/campaigns/first/pause', viewer);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'this needs the editor role' });
    expect(await campaignState()).toBe('running');
    expect((await api('POST', '/api/campaigns/first/pause', editor)).status).toBe(200);
    expect(await campaignState()).toBe('paused');
    expect((await api('POST', '/api/campaigns/first/resume', ADMIN_TOKEN)).status).toBe(200);
    expect(await campaignState()).toBe('running');
    expect((await api('GET', '/api/campaigns/first', `${viewer}x`)).status).toBe(401);
    expect((await h.store.listApiTokens()).find((t) => t.name === 'dashboard')!.lastUsedAt).not.toBeNull();

    // Every route that writes needs editor: the viewer token is refused before anything is read or changed.
    const writes: Array<[string, string]> = [
      ['POST', '/api/issues/first/send'],
      ['POST', '/api/issues/first/test'],
      ['POST', '/api/subscribers'],
      ['POST', '/api/subscribers/import'],
      ['DELETE', '/api/subscribers/reader@example.org'],
      ['POST', '/api/campaigns/first/cancel'],
    ];
    for (const [method, path] of writes) expect((await api(method, path, viewer)).status, `${method} ${path}`).toBe(403);
    expect(await h.store.findSubscriberByEmail('reader@example.org')).not.toBeNull();
    for (const path of ['/api/issues', '/api/subscribers', '/api/subscribers/reader@example.org/export']) expect((await api('GET', path, viewer)).status, path).toBe(200);

    // A removed token stops at once.
    await h.store.removeApiToken('deploy');
    expect((await api('POST', '/api/campaigns/first/pause', editor)).status).toBe(401);

    const c = client();
    await c.signIn('editor@example.org', PASSWORD);
    const csrf = await c.csrf();
    expect((await c.get('/api/campaigns/first')).status).toBe(200);
    expect((await c.request('POST', '/api/campaigns/first/pause')).status).toBe(403);
    expect((await c.request('POST', '/api/campaigns/first/pause', undefined, { 'x-csrf-token': 'forged' })).status).toBe(403);
    expect(await campaignState()).toBe('running');
    expect((await c.request('POST', '/api/campaigns/first/pause', undefined, { 'x-csrf-token': csrf })).status).toBe(200);
    expect(await campaignState()).toBe('paused');
    expect((await c.request('POST', '/api/campaigns/first/resume', undefined, { 'x-csrf-token': csrf })).status).toBe(200);
  });
});

function csrfFromPage(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
}
