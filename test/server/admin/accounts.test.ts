// Operators and API tokens over HTTP, owner only: /api/operators and /api/tokens (bearer and
// session callers) and the console pages /admin/operators and /admin/tokens, over real HTTP on
// loopback against a real SQLite store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/password.js';
import { secretHash } from '../../../src/accounts/secrets.js';
import { startHarness, type Harness } from '../harness.js';
import { ConsoleClient, csrfIn } from './console-client.js';

const ADMIN_TOKEN = 'admin-token-for-account-tests';
const PASSWORD = 'correct horse battery staple';
let h: Harness;
let base: string;

beforeAll(async () => {
  h = await startHarness({ adminToken: ADMIN_TOKEN, loginRateLimit: { max: 1000, windowMs: 60_000 } });
  const passwordHash = await hashPassword(PASSWORD);
  for (const [email, role] of [
    ['owner@example.org', 'owner'],
    ['editor@example.org', 'editor'],
    ['viewer@example.org', 'viewer'],
  ] as const)
    await h.store.addOperator({ email, role, passwordHash });
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.close();
});

async function api(method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>), headers: res.headers };
}

async function signedIn(email: string): Promise<ConsoleClient> {
  const c = new ConsoleClient(base);
  expect((await c.signIn(email, PASSWORD)).status).toBe(303);
  return c;
}

describe('/api/operators and /api/tokens', () => {
  it('lists, adds with a role, changes the role and removes operators; never a hash', async () => {
    const list = await api('GET', '/api/operators');
    expect(list.status).toBe(200);
    expect((list.body!.operators as Array<{ email: string; role: string }>).map((o) => `${o.email}:${o.role}`)).toEqual([
      'editor@example.org:editor',
      'owner@example.org:owner',
      'viewer@example.org:viewer',
    ]);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|passwordHash|"id"/);

    const added = await api('POST', '/api/operators', { email: 'New@Example.org', role: 'editor', password: PASSWORD });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ email: 'New@Example.org', role: 'editor', createdAt: expect.any(String), lockedUntil: null });
    expect((await api('POST', '/api/operators', { email: 'new@example.org', role: 'viewer', password: PASSWORD })).status).toBe(409);
    expect(await api('POST', '/api/operators', { email: 'short@example.org', role: 'viewer', password: 'short' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^password: /) },
    });
    expect(await api('POST', '/api/operators', { email: 'x@example.org', role: 'king', password: PASSWORD })).toEqual(
      expect.objectContaining({ status: 400, body: { error: 'role: expected one of viewer, editor, owner' } }),
    );
    expect((await api('POST', '/api/operators', { email: 'not an address', role: 'viewer', password: PASSWORD })).status).toBe(400);

    // The new operator signs in; a new role holds at their next request; removal ends their session.
    const c = await signedIn('new@example.org');
    expect((await c.get('/admin/operators')).status).toBe(403);
    expect(await api('PATCH', '/api/operators/NEW@example.org', { role: 'owner' })).toMatchObject({ status: 200, body: { role: 'owner' } });
    expect((await c.get('/admin/operators')).status).toBe(200);
    expect((await api('PATCH', '/api/operators/nobody@example.org', { role: 'owner' })).status).toBe(404);
    const sessionHash = secretHash(c.jar.get('pressroom_session')!);
    expect(await h.store.findSession(sessionHash)).not.toBeNull();
    expect((await api('DELETE', '/api/operators/new@example.org')).status).toBe(204);
    expect(await h.store.findSession(sessionHash)).toBeNull();
    expect((await c.get('/admin')).location).toBe('/admin/login');
    expect((await api('DELETE', '/api/operators/new@example.org')).status).toBe(404);
  });

  it('keeps the last owner: neither removed nor given another role', async () => {
    const demote = await api('PATCH', '/api/operators/owner@example.org', { role: 'editor' });
    expect(demote).toMatchObject({ status: 409, body: { error: 'owner@example.org is the last owner: make another operator owner first' } });
    expect((await api('DELETE', '/api/operators/owner@example.org')).status).toBe(409);
    expect((await h.store.findOperator('owner@example.org'))?.role).toBe('owner');
  });

  it('creates a token shown once, lists it without the token, revokes it', async () => {
    const made = await api('POST', '/api/tokens', { name: 'deploy', role: 'viewer' });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    const token = made.body!.token as string;
    expect(token).toMatch(/^prt_/);
    expect(made.body).toEqual({ name: 'deploy', role: 'viewer', createdAt: expect.any(String), lastUsedAt: null, token });
    expect((await api('GET', '/api/campaigns/none', undefined, token)).status).toBe(404); // it works, as a viewer
    expect((await api('GET', '/api/tokens', undefined, token)).status).toBe(403);
    const list = await api('GET', '/api/tokens');
    expect(list.body).toEqual({ tokens: [{ name: 'deploy', role: 'viewer', createdAt: expect.any(String), lastUsedAt: expect.any(String) }] });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect((await api('POST', '/api/tokens', { name: 'deploy', role: 'owner' })).status).toBe(409);
    expect(await api('POST', '/api/tokens', { name: 'has space', role: 'owner' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^token name "has space": expected/) },
    });
    expect((await api('DELETE', '/api/tokens/deploy')).status).toBe(204);
    expect((await api('GET', '/api/campaigns/none', undefined, token)).status).toBe(401);
    expect((await api('DELETE', '/api/tokens/deploy')).status).toBe(404);
  });

  it('is for owners only: editor and viewer sessions and tokens get 403; a session writes only with its CSRF header', async () => {
    for (const email of ['editor@example.org', 'viewer@example.org']) {
      const c = await signedIn(email);
      for (const path of ['/api/operators', '/api/tokens']) expect((await c.get(path)).status, `${email} ${path}`).toBe(403);
    }
    const owner = await signedIn('owner@example.org');
    expect((await owner.get('/api/operators')).status).toBe(200);
    const body = JSON.stringify({ name: 'from-session', role: 'viewer' });
    expect((await owner.request('POST', '/api/tokens', undefined, { 'content-type': 'application/json', 'x-csrf-token': 'forged' })).status).toBe(403);
    const res = await fetch(new URL('/api/tokens', base), {
      method: 'POST',
      headers: { cookie: `pressroom_session=${owner.jar.get('pressroom_session')}`, 'content-type': 'application/json', 'x-csrf-token': await owner.csrf() },
      body,
    });
    expect(res.status).toBe(201);
    await api('DELETE', '/api/tokens/from-session');
  });
});

describe('the console pages /admin/operators and /admin/tokens', () => {
  it('owners see the nav links and the pages; editors and viewers get 403 and no link', async () => {
    const owner = await signedIn('owner@example.org');
    const home = await owner.get('/admin');
    expect(home.body).toContain('href="/admin/operators"');
    expect(home.body).toContain('href="/admin/tokens"');
    expect(home.body).toContain('href="/admin/health"');
    for (const email of ['editor@example.org', 'viewer@example.org']) {
      const c = await signedIn(email);
      const page = await c.get('/admin');
      expect(page.body).not.toContain('href="/admin/operators"');
      expect(page.body).not.toContain('href="/admin/tokens"');
      expect(page.body).toContain('href="/admin/health"');
      for (const path of ['/admin/operators', '/admin/tokens']) expect((await c.get(path)).status, `${email} ${path}`).toBe(403);
      const csrf = csrfIn(page.body);
      expect((await c.post('/admin/operators', { _csrf: csrf, email: 'sneak@example.org', role: 'owner', password: PASSWORD })).status).toBe(403);
      expect((await c.post('/admin/tokens', { _csrf: csrf, name: 'sneak', role: 'owner' })).status).toBe(403);
    }
    expect(await h.store.findOperator('sneak@example.org')).toBeNull();
    expect((await h.store.listApiTokens()).map((t) => t.name)).not.toContain('sneak');
  });

  it('adds an operator, changes their role, removes them (ending their sessions), with the CSRF token', async () => {
    const owner = await signedIn('owner@example.org');
    const csrf = await owner.csrf('/admin/operators');
    expect((await owner.post('/admin/operators', { _csrf: 'forged', email: 'pat@example.org', role: 'viewer', password: PASSWORD })).status).toBe(403);
    const added = await owner.post('/admin/operators', { _csrf: csrf, email: 'pat@example.org', role: 'viewer', password: PASSWORD });
    expect([added.status, added.location]).toEqual([303, '/admin/operators']);
    const page = await owner.get('/admin/operators');
    expect(page.body).toContain('pat@example.org');
    const short = await owner.post('/admin/operators', { _csrf: csrf, email: 'q@example.org', role: 'viewer', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body).toMatch(/role="alert">password: /);

    const pat = await signedIn('pat@example.org');
    expect((await owner.post('/admin/operators/role', { _csrf: csrf, email: 'pat@example.org', role: 'editor' })).status).toBe(303);
    expect((await h.store.findOperator('pat@example.org'))?.role).toBe('editor');
    expect((await pat.get('/admin')).body).toContain('pat@example.org (editor)');
    const last = await owner.post('/admin/operators/role', { _csrf: csrf, email: 'owner@example.org', role: 'viewer' });
    expect(last.status).toBe(409);
    expect(last.body).toContain('is the last owner');
    expect((await owner.post('/admin/operators/remove', { _csrf: csrf, email: 'pat@example.org' })).status).toBe(303);
    expect((await pat.get('/admin')).location).toBe('/admin/login');
    expect(await h.store.findOperator('pat@example.org')).toBeNull();
  });

  it('makes a token and shows it once, then revokes it', async () => {
    const owner = await signedIn('owner@example.org');
    const csrf = await owner.csrf('/admin/tokens');
    const made = await owner.post('/admin/tokens', { _csrf: csrf, name: 'ci', role: 'editor' });
    expect(made.status).toBe(201);
    const token = /id="new-token" class="token" type="text" value="(prt_[^"]+)"/.exec(made.body)?.[1];
    expect(token).toBeDefined();
    const list = await owner.get('/admin/tokens');
    expect(list.body).toContain('>ci<');
    expect(list.body).not.toContain(token);
    expect((await api('GET', '/api/campaigns/none', undefined, token)).status).toBe(404);
    expect((await owner.post('/admin/tokens/revoke', { _csrf: csrf, name: 'ci' })).status).toBe(303);
    expect((await api('GET', '/api/campaigns/none', undefined, token)).status).toBe(401);
    expect((await owner.post('/admin/tokens/revoke', { _csrf: csrf, name: 'ci' })).status).toBe(404);
  });
});
