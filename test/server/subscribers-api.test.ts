// The subscriber routes of the operator API over real HTTP on loopback against a real SQLite
// store: the filtered keyset list with its next cursor and total, PATCH (status through the
// store's rules), DELETE by id as erasure, the CSV export (filtered, formula-safe, editor only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newApiToken, secretHash } from '../../src/accounts/secrets.js';
import { startHarness, type Harness } from './harness.js';

const ADMIN = 'admin-token-for-subscriber-api';
let h: Harness;
let base: string;
let viewer: string;

beforeAll(async () => {
  h = await startHarness({ adminToken: ADMIN });
  viewer = newApiToken();
  await h.store.addApiToken({ name: 'reader', role: 'viewer', tokenHash: secretHash(viewer) });
  await h.store.importSubscribers([
    ...Array.from({ length: 12 }, (_, i) => ({ email: `r${String(i).padStart(2, '0')}@example.org`, name: `Reader ${i}`, topics: i % 3 === 0 ? ['rust'] : [] })),
    { email: 'eve@example.org', name: '=HYPERLINK("http://evil/")', topics: ['rust'] },
    { email: 'gone@example.org', status: 'unsubscribed' },
  ]);
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await h?.close();
});

async function api(method: string, path: string, options: { token?: string; json?: unknown } = {}) {
  const res = await fetch(new URL(path, base), {
    method,
    headers: { authorization: `Bearer ${options.token ?? ADMIN}`, ...(options.json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe('GET /api/subscribers', () => {
  it('pages by id with a next cursor until the last page, the filter kept', async () => {
    const seen: string[] = [];
    let after = '';
    for (let pages = 0; pages < 10; pages++) {
      const res = await api('GET', `/api/subscribers?topic=rust&limit=2${after}`, { token: viewer });
      expect(res.status).toBe(200);
      const body = res.json();
      expect(body.total).toEqual({ count: 5, capped: false });
      seen.push(...body.subscribers.map((s: { email: string }) => s.email));
      if (body.next === null) break;
      after = `&after=${body.next}`;
    }
    expect(seen).toEqual(['r00@example.org', 'r03@example.org', 'r06@example.org', 'r09@example.org', 'eve@example.org']);
  });

  it('searches a prefix of the address or name in any case, with a status', async () => {
    const body = (await api('GET', '/api/subscribers?q=READER%201&status=active')).json();
    expect(body.subscribers.map((s: { name: string }) => s.name)).toEqual(['Reader 1', 'Reader 10', 'Reader 11']);
    expect(body.next).toBeNull();
    expect((await api('GET', '/api/subscribers?q=gone&status=active')).json().subscribers).toEqual([]);
    const bad = await api('GET', '/api/subscribers?status=happy');
    expect([bad.status, bad.json().error]).toEqual([400, 'status: expected one of pending, active, unsubscribed, bounced, complained']);
  });
});

describe('PATCH and DELETE /api/subscribers/:id', () => {
  it('edits name, topics and status; a viewer is refused; a bad field is named', async () => {
    const s = (await h.store.findSubscriberByEmail('r05@example.org'))!;
    expect((await api('PATCH', `/api/subscribers/${s.id}`, { token: viewer, json: { name: 'X' } })).status).toBe(403);
    const res = await api('PATCH', `/api/subscribers/${s.id}`, { json: { name: 'Five', topics: 'go, Rust', status: 'unsubscribed' } });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ id: s.id, name: 'Five', topics: ['go', 'rust'], status: 'unsubscribed' });
    expect(res.json().unsubscribedAt).not.toBeNull();
    const bad = await api('PATCH', `/api/subscribers/${s.id}`, { json: { status: 'gone' } });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/^status: /);
    expect((await api('PATCH', '/api/subscribers/999999', { json: { name: 'Nobody' } })).status).toBe(404);
    expect((await api('PATCH', '/api/subscribers/abc', { json: { name: 'Nobody' } })).status).toBe(400);
  });

  it('DELETE by id erases the subscriber (editor only), and 404s after', async () => {
    const s = (await h.store.findSubscriberByEmail('r07@example.org'))!;
    expect((await api('DELETE', `/api/subscribers/${s.id}`, { token: viewer })).status).toBe(403);
    expect((await api('DELETE', `/api/subscribers/${s.id}`)).status).toBe(204);
    expect(await h.store.findSubscriberByEmail('r07@example.org')).toBeNull();
    expect(await h.store.exportSubscriber('r07@example.org')).toBeNull();
    expect((await api('DELETE', `/api/subscribers/${s.id}`)).status).toBe(404);
  });
});

describe('GET /api/subscribers.csv', () => {
  it('exports the filtered list as formula-safe CSV to an editor, not to a viewer', async () => {
    expect((await api('GET', '/api/subscribers.csv', { token: viewer })).status).toBe(403);
    const res = await api('GET', '/api/subscribers.csv?topic=rust&q=e');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="subscribers.csv"');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('email,name,topics,status,source,created_at,confirmed_at,unsubscribed_at');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['eve@example.org']);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil/"")"`);
    const all = await api('GET', '/api/subscribers.csv');
    expect(all.text.trim().split('\n')).toHaveLength(1 + 13); // 14 added, one erased
  });
});
