// Precompressed feeds and pages: the build writes NAME.br and NAME.gz beside each text file, the
// server picks one by Accept-Encoding, with Vary, an ETag per encoding and 304s per encoding.
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST, writeOutput } from '../../src/build/output.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles } from '../../src/server/static.js';

const outDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pressroom-gzip-')), 'public');
const items = Array.from({ length: 60 }, (_, i) => `<item><title>第 ${i} 期 SOFA Weekly</title><link>https://news.example.org/issues/${i}/</link></item>`).join('');
const FEED = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>${items}</channel></rss>\n`;
const PAGE = `<!doctype html><title>Home</title>${'<p>SOFAStack 社区周报</p>'.repeat(200)}\n`;
const TINY = '<!doctype html><title>x</title>\n';

let app: FastifyInstance;

const files = () =>
  new Map<string, string | Buffer>([
    ['feed.xml', FEED],
    ['index.html', PAGE],
    ['tiny/index.html', TINY],
    ['cover.png', Buffer.alloc(4096, 7)],
  ]);

beforeAll(async () => {
  await writeOutput(outDir, files());
  app = Fastify();
  registerStaticRoute(app, new StaticFiles(outDir, { revalidateMs: 0 }));
  await app.ready();
});

afterAll(() => app.close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('precompressed copies at build', () => {
  it('writes .br and .gz beside text files worth compressing, lists them in the manifest, and not for small or binary files', async () => {
    const manifest = (await readFile(path.join(outDir, MANIFEST), 'utf8')).trim().split('\n');
    expect(manifest).toEqual(['cover.png', 'feed.xml', 'feed.xml.br', 'feed.xml.gz', 'index.html', 'index.html.br', 'index.html.gz', 'tiny/index.html']);
    expect(brotliDecompressSync(await readFile(path.join(outDir, 'feed.xml.br'))).toString()).toBe(FEED);
    expect(gunzipSync(await readFile(path.join(outDir, 'index.html.gz'))).toString()).toBe(PAGE);
  });

  it('an unchanged build leaves the copies alone; a removed file takes its copies with it', async () => {
    const before = await stat(path.join(outDir, 'feed.xml.br'));
    await writeOutput(outDir, files());
    expect((await stat(path.join(outDir, 'feed.xml.br'))).mtimeMs).toBe(before.mtimeMs);
    const fewer = files();
    fewer.delete('index.html');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pressroom-gzip-rm-'));
    await writeOutput(dir, files());
    await writeOutput(dir, fewer);
    await expect(stat(path.join(dir, 'index.html.br'))).rejects.toThrow();
    await expect(stat(path.join(dir, 'index.html.gz'))).rejects.toThrow();
    expect((await stat(path.join(dir, 'feed.xml.gz'))).isFile()).toBe(true);
  });
});

describe('serving by Accept-Encoding', () => {
  it('answers br, gzip or identity as asked, the same bytes after decoding, each with Vary and its own ETag', async () => {
    const br = await get('/feed.xml', { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await get('/feed.xml', { 'accept-encoding': 'gzip' });
    const plain = await get('/feed.xml');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const res of [br, gz, plain]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers.vary).toBe('accept-encoding');
      expect(res.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    }
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(FEED);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(FEED);
    expect(plain.body).toBe(FEED);
    expect(br.rawPayload.length).toBeLessThan(FEED.length / 3);
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  it("answers 304 to the ETag of the encoding it would send, and 200 to another encoding's ETag", async () => {
    const br = await get('/index.html', { 'accept-encoding': 'br' });
    const again = await get('/index.html', { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.headers.etag).toBe(br.headers.etag);
    expect(again.headers.vary).toBe('accept-encoding');
    expect(again.rawPayload.length).toBe(0);
    const other = await get('/index.html', { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) });
    expect(other.statusCode).toBe(200);
    expect(other.headers['content-encoding']).toBe('gzip');
  });

  it('serves small and binary files as they are, without Vary', async () => {
    for (const url of ['/tiny/', '/cover.png']) {
      const res = await get(url, { 'accept-encoding': 'br, gzip' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers.vary).toBeUndefined();
    }
  });

  it('never serves a copy older than its file (a file rewritten by hand after the build)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pressroom-gzip-stale-'));
    await writeOutput(dir, files());
    const changed = PAGE.replace('Home', 'Changed');
    await writeFile(path.join(dir, 'index.html'), changed);
    const copy = path.join(dir, 'index.html.br');
    const old = new Date(Date.now() - 60_000);
    await utimes(copy, old, old);
    const server = Fastify();
    registerStaticRoute(server, new StaticFiles(dir, { revalidateMs: 0 }));
    const res = await server.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br' } });
    await server.close();
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toBe(changed);
  });

  it('a real HTTP client (fetch: gzip on Node 20, br too on newer) gets a compressed copy and reads the feed', async () => {
    const server = Fastify();
    registerStaticRoute(server, new StaticFiles(outDir));
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = server.server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/feed.xml`);
      expect(['br', 'gzip']).toContain(res.headers.get('content-encoding'));
      expect(await res.text()).toBe(FEED);
    } finally {
      await server.close();
    }
  });
});
