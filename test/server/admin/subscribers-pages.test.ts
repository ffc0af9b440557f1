// The console's subscriber pages over real HTTP on loopback against a real SQLite store: nothing
// without a session, the list's search, filters and keyset links, a viewer's read-only pages and
// refused POSTs, an editor's edit and confirmed removal, and the text-box import's per-line report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/accounts/password.js';
import { startHarness, type Harness } from '../harness.js';
import { ConsoleClient, csrfIn } from './console-client.js';

const PASSWORD = 'correct horse battery staple';
let h: Harness;
let base: string;
let editor: ConsoleClient;
let viewer: ConsoleClient;

beforeAll(async () => {
  h = await startHarness();
  const passwordHash = await hashPassword(PASSWORD);
  await h.store.addOperator({ email: 'editor@example.org', role: 'editor', passwordHash });
  await h.store.addOperator({ email: 'viewer@example.org', role: 'viewer', passwordHash });
  await h.store.importSubscribers(Array.from({ length: 60 }, (_, i) => ({ email: `reader${i}@example.org`, topics: i < 3 ? ['go'] : [] })));
  await h.store.addSubscriber({ email: 'mallory@example.org', name: '<b>Mallory</b>' });
  base = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
  editor = new ConsoleClient(base);
  expect((await editor.signIn('editor@example.org', PASSWORD)).status).toBe(303);
  viewer = new ConsoleClient(base);
  expect((await viewer.signIn('viewer@example.org', PASSWORD)).status).toBe(303);
});
afterAll(async () => {
  await h?.close();
});

const idOf = async (email: string) => (await h.store.findSubscriberByEmail(email))!.id;

describe('the subscriber pages', () => {
  it('answer a stranger only with the way to sign in', async () => {
    const stranger = new ConsoleClient(base);
    const id = await idOf('reader1@example.org');
    for (const path of ['/admin/subscribers', `/admin/subscribers/${id}`, '/admin/subscribers/import', '/admin/subscribers/import.js', '/admin/subscribers?q=reader1']) {
      const res = await stranger.get(path);
      expect([res.status, res.location], path).toEqual([303, '/admin/login']);
      expect(res.body).not.toContain('reader1');
    }
    expect((await stranger.post(`/admin/subscribers/${id}`, { _csrf: 'x', name: 'Hacked', status: 'active' })).status).toBe(303);
    expect((await stranger.get('/api/subscribers.csv')).status).toBe(401);
    expect((await h.store.getSubscriber(id))!.name).toBeNull();
  });

  it('list 50 a page with a next link, search and filter, names escaped', async () => {
    const first = await editor.get('/admin/subscribers');
    expect(first.status).toBe(200);
    expect(first.body.match(/<tr>/g)).toHaveLength(51); // the header row and 50
    expect(first.body).toContain('61 subscribers match');
    const next = /href="([^"]+)" rel="next"/.exec(first.body)![1]!.replaceAll('&amp;', '&');
    const second = await editor.get(next);
    expect(second.body.match(/<tr>/g)).toHaveLength(12);
    expect(second.body).not.toContain('rel="next"');
    expect(second.body).toContain('&lt;b&gt;Mallory&lt;/b&gt;');
    expect(second.body).not.toContain('<b>Mallory</b>');

    const found = await editor.get('/admin/subscribers?q=READER5&status=active');
    expect(found.body).toContain('11 subscribers match'); // reader5, reader50..59
    expect(found.body).toContain('href="/api/subscribers.csv?q=READER5&amp;status=active"');
    const topic = await editor.get('/admin/subscribers?topic=go&status=nonsense');
    expect(topic.body).toContain('3 subscribers match');
  });

  it('show a viewer no forms, and refuse their POSTs', async () => {
    const id = await idOf('reader2@example.org');
    const page = await viewer.get(`/admin/subscribers/${id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('reader2@example.org');
    expect(page.body).not.toContain('<form class="stack"');
    const list = await viewer.get('/admin/subscribers');
    expect(list.body).not.toContain('/api/subscribers.csv');
    expect(list.body).not.toContain('/admin/subscribers/import');
    const csrf = csrfIn(page.body);
    expect((await viewer.post(`/admin/subscribers/${id}`, { _csrf: csrf, name: 'Viewer was here', status: 'active' })).status).toBe(403);
    expect((await viewer.post(`/admin/subscribers/${id}/remove`, { _csrf: csrf, confirm: 'yes' })).status).toBe(403);
    expect((await viewer.post('/admin/subscribers/import', { _csrf: csrf, csv: 'email\nv@example.org\n' })).status).toBe(403);
    expect((await viewer.get('/admin/subscribers/import')).status).toBe(403);
    expect(await h.store.getSubscriber(id)).toMatchObject({ name: null, status: 'active' });
    expect(await h.store.findSubscriberByEmail('v@example.org')).toBeNull();
  });

  it('let an editor edit, and remove only with the box ticked', async () => {
    const id = await idOf('reader3@example.org');
    const page = await editor.get(`/admin/subscribers/${id}`);
    const csrf = csrfIn(page.body);
    expect((await editor.post(`/admin/subscribers/${id}`, { name: 'Three', topics: 'x', status: 'active' })).status).toBe(403); // no CSRF token
    const saved = await editor.post(`/admin/subscribers/${id}`, { _csrf: csrf, name: 'Three', topics: 'Go, Rust', status: 'unsubscribed' });
    expect([saved.status, saved.location]).toEqual([303, `/admin/subscribers/${id}?saved=1`]);
    expect(await h.store.getSubscriber(id)).toMatchObject({ name: 'Three', topics: ['go', 'rust'], status: 'unsubscribed' });
    const tooLong = await editor.post(`/admin/subscribers/${id}`, { _csrf: csrf, name: 'n'.repeat(500), topics: '', status: 'active' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toContain('name: longer than');

    const unticked = await editor.post(`/admin/subscribers/${id}/remove`, { _csrf: csrf });
    expect(unticked.status).toBe(400);
    expect(unticked.body).toContain('Tick the box');
    expect(await h.store.getSubscriber(id)).not.toBeNull();
    const removed = await editor.post(`/admin/subscribers/${id}/remove`, { _csrf: csrf, confirm: 'yes' });
    expect([removed.status, removed.location]).toEqual([303, '/admin/subscribers?removed=1']);
    expect(await h.store.exportSubscriber('reader3@example.org')).toBeNull();
    expect((await editor.get(`/admin/subscribers/${id}`)).status).toBe(404);
  });

  it('import pasted CSV text with a report per bad line', async () => {
    const csrf = csrfIn((await editor.get('/admin/subscribers/import')).body);
    const res = await editor.post('/admin/subscribers/import', { _csrf: csrf, csv: 'email,name\nnew1@example.org,New\nnot-an-address,Bad\nreader1@example.org,Dup\n' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('3 rows: 1 added, 1 already on the list, 0 suppressed, 1 with problems.');
    expect(res.body).toMatch(/<li>line 3: email: [^<]+<\/li>/);
    expect(await h.store.findSubscriberByEmail('new1@example.org')).not.toBeNull();
    const header = await editor.post('/admin/subscribers/import', { _csrf: csrf, csv: 'name\nx\n' });
    expect(header.status).toBe(400);
    expect(header.body).toContain('header: no "email" column');
  });
});
