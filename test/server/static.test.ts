// Static serving of the build output: types, caching headers, conditional GETs, HEAD, index
// files, 404s and path escapes, through fastify inject and over a real socket.
import { mkdtemp, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSecurityHeaders } from '../../src/server/headers.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles, safeSegments } from '../../src/server/static.js';

let root: string;
let outDir: string;
let app: FastifyInstance;

const RSS = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title></channel></rss>\n';

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-static-'));
  outDir = path.join(root, 'public');
  await mkdir(path.join(outDir, 'issues', 'first'), { recursive: true });
  await mkdir(path.join(outDir, 'tags', 'sofa'), { recursive: true });
  await writeFile(path.join(outDir, 'feed.xml'), RSS);
  await writeFile(path.join(outDir, 'atom.xml'), '<feed xmlns="http://www.w3.org/2005/Atom"></feed>\n');
  await writeFile(path.join(outDir, 'feed.json'), '{"version":"https://jsonfeed.org/version/1.1"}\n');
  await writeFile(path.join(outDir, 'index.html'), '<!doctype html><title>Home</title>\n');
  await writeFile(path.join(outDir, 'issues', 'first', 'index.html'), '<!doctype html><title>首期</title>\n');
  await writeFile(path.join(outDir, 'tags', 'sofa', 'feed.xml'), RSS);
  await writeFile(path.join(outDir, 'style.css'), 'body{}\n');
  await writeFile(path.join(outDir, '.pressroom-files'), 'feed.xml\n');
  // A file beside (not inside) the output folder that no request may reach.
  await writeFile(path.join(root, 'secret.txt'), 'do not serve\n');
  await symlink(path.join(root, 'secret.txt'), path.join(outDir, 'escape.txt'));
  await symlink(path.join(outDir, 'feed.xml'), path.join(outDir, 'inside.xml'));
  app = Fastify();
  await registerSecurityHeaders(app, () => 'https://news.example.org/');
  registerStaticRoute(app, new StaticFiles(outDir, { revalidateMs: 0 }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await rm(root, { recursive: true, force: true });
});

describe('content types and headers', () => {
  it.each([
    ['/feed.xml', 'application/rss+xml; charset=utf-8', 'public, max-age=300'],
    ['/atom.xml', 'application/atom+xml; charset=utf-8', 'public, max-age=300'],
    ['/feed.json', 'application/feed+json; charset=utf-8', 'public, max-age=300'],
    ['/tags/sofa/feed.xml', 'application/rss+xml; charset=utf-8', 'public, max-age=300'],
    ['/index.html', 'text/html; charset=utf-8', 'public, max-age=60'],
    ['/style.css', 'text/css; charset=utf-8', 'public, max-age=3600'],
  ])('%s is %s', async (url, type, cache) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['cache-control']).toBe(cache);
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(new Date(String(res.headers['last-modified'])).getTime()).not.toBeNaN();
  });

  it('serves the bytes of the file', async () => {
    const res = await app.inject({ method: 'GET', url: '/feed.xml' });
    expect(res.body).toBe(RSS);
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(RSS)));
  });

  it('puts security headers on HTML and not on feeds', async () => {
    const html = await app.inject({ method: 'GET', url: '/' });
    expect(html.headers['content-security-policy']).toContain("default-src 'self'");
    expect(html.headers['content-security-policy']).toContain("form-action 'self' https://news.example.org");
    expect(html.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.headers['referrer-policy']).toBe('no-referrer');
    expect(html.headers['x-frame-options']).toBe('DENY');
    const feed = await app.inject({ method: 'GET', url: '/feed.xml' });
    expect(feed.headers['content-security-policy']).toBeUndefined();
  });
});

describe('conditional requests', () => {
  it('answers 304 to If-None-Match with the current ETag, with validators and no body', async () => {
    const first = await app.inject({ method: 'GET', url: '/feed.xml' });
    const etag = String(first.headers.etag);
    const res = await app.inject({ method: 'GET', url: '/feed.xml', headers: { 'if-none-match': etag } });
    expect(res.statusCode).toBe(304);
    expect(res.body).toBe('');
    expect(res.headers.etag).toBe(etag);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['last-modified']).toBe(first.headers['last-modified']);
    expect(res.headers['content-type']).toBeUndefined();
    // A list containing it, and the weak form, match too (weak comparison, RFC 9110).
    const listed = await app.inject({ method: 'GET', url: '/feed.xml', headers: { 'if-none-match': `"nope", W/${etag}` } });
    expect(listed.statusCode).toBe(304);
    const star = await app.inject({ method: 'GET', url: '/feed.xml', headers: { 'if-none-match': '*' } });
    expect(star.statusCode).toBe(304);
  });

  it('answers 200 to a stale ETag', async () => {
    const res = await app.inject({ method: 'GET', url: '/feed.xml', headers: { 'if-none-match': '"stale"' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(RSS);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before', async () => {
    const first = await app.inject({ method: 'GET', url: '/atom.xml' });
    const lastModified = String(first.headers['last-modified']);
    const same = await app.inject({ method: 'GET', url: '/atom.xml', headers: { 'if-modified-since': lastModified } });
    expect(same.statusCode).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 10_000).toUTCString();
    const older = await app.inject({ method: 'GET', url: '/atom.xml', headers: { 'if-modified-since': earlier } });
    expect(older.statusCode).toBe(200);
    const garbage = await app.inject({ method: 'GET', url: '/atom.xml', headers: { 'if-modified-since': 'yesterday' } });
    expect(garbage.statusCode).toBe(200);
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const first = await app.inject({ method: 'GET', url: '/atom.xml' });
    const res = await app.inject({
      method: 'GET',
      url: '/atom.xml',
      headers: { 'if-none-match': '"other"', 'if-modified-since': String(first.headers['last-modified']) },
    });
    expect(res.statusCode).toBe(200);
  });

  it('changes the ETag when the file changes, and keeps it (and Last-Modified) when only rewritten', async () => {
    const file = path.join(outDir, 'feed.json');
    const before = await app.inject({ method: 'GET', url: '/feed.json' });
    // Same bytes, new mtime (what a rebuild does): validators stay.
    await writeFile(file, '{"version":"https://jsonfeed.org/version/1.1"}\n');
    const future = new Date(Date.now() + 60_000);
    await utimes(file, future, future);
    const rewritten = await app.inject({ method: 'GET', url: '/feed.json' });
    expect(rewritten.headers.etag).toBe(before.headers.etag);
    expect(rewritten.headers['last-modified']).toBe(before.headers['last-modified']);
    // New bytes: new ETag, and the old one no longer gets a 304.
    await writeFile(file, '{"version":"https://jsonfeed.org/version/1.1","title":"x"}\n');
    const changed = await app.inject({ method: 'GET', url: '/feed.json', headers: { 'if-none-match': String(before.headers.etag) } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(before.headers.etag);
    expect(changed.body).toContain('"title":"x"');
  });
});

describe('methods, directories, unknown paths', () => {
  it('HEAD has the headers and no body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/feed.xml' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    expect(res.headers.etag).toMatch(/^"/);
  });

  it('serves index.html for a directory and redirects a directory without its slash', async () => {
    const res = await app.inject({ method: 'GET', url: '/issues/first/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('首期');
    const bare = await app.inject({ method: 'GET', url: '/issues/first' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/issues/first/');
    const query = await app.inject({ method: 'GET', url: '/?utm_source=x' });
    expect(query.statusCode).toBe(200);
  });

  it('404s unknown paths, dot files and directories without an index', async () => {
    for (const url of ['/nope.xml', '/issues/missing/', '/.pressroom-files', '/tags/']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
    }
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/issues/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/feed.xml%00.html',
    '/%c0%ae%c0%ae/secret.txt',
  ])('never leaves the output folder: %s', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect([400, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('do not serve');
  });

  it('follows symlinks only when they stay inside the output folder', async () => {
    const escaped = await app.inject({ method: 'GET', url: '/escaped.txt' });
    expect(escaped.statusCode).toBe(404);
    expect(escaped.body).not.toContain('do not serve');
    const inside = await app.inject({ method: 'GET', url: '/inside.xml' });
    expect(inside.statusCode).toBe(200);
    expect(inside.body).toBe(RSS);
  });

  it('rejects path tricks at the segment level', () => {
    expect(safeSegments('/a/../b')).toBeNull();
    expect(safeSegments('/a/%2e%2e/b')).toBeNull();
    expect(safeSegments('/a%00b')).toBeNull();
    expect(safeSegments('/a%2fb')).toBeNull();
    expect(safeSegments('/%E0%A4%A')).toBeNull();
    expect(safeSegments('/tags/%E4%B8%AD%E6%96%87/feed.xml')).toEqual(['tags', '中文', 'feed.xml']);
  });
});

describe('over a real socket', () => {
  it('serves and revalidates through listen()', async () => {
    const server = Fastify();
    registerStaticRoute(server, new StaticFiles(outDir));
    await server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = server.server.address() as AddressInfo;
    try {
      const first = await fetch(`http://127.0.0.1:${port}/feed.xml`);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
      expect(await first.text()).toBe(RSS);
      const again = await fetch(`http://127.0.0.1:${port}/feed.xml`, { headers: { 'if-none-match': first.headers.get('etag')! } });
      expect(again.status).toBe(304);
      // fetch() normalises "..", so send the raw request line ourselves.
      const raw = await rawGet(port, '/../secret.txt');
      expect([400, 404]).toContain(raw.status);
      expect(raw.body).not.toContain('do not serve');
      const encoded = await rawGet(port, '/%2e%2e/%2e%2e/secret.txt');
      expect([400, 404]).toContain(encoded.status);
    } finally {
      await server.close();
    }
  });
});

function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
