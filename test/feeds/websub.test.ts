// WebSub: every feed names the hubs and itself (in the feed and in its Link header); a build that
// changed feeds pings each hub about each of them (retrying a failing hub, never failing the
// build), an unchanged build pings nothing. The hub is a real HTTP server in this test.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { buildSite } from '../../src/build/site.js';
import { feedLinkHeader, pingHubs } from '../../src/feeds/websub.js';
import { silentLogger } from '../../src/logging.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles } from '../../src/server/static.js';
import { execCli } from '../support/cli.js';
import { tempDir } from '../support/site.js';
import { issue, siteConfig, validateFeeds } from './helpers.js';

interface Ping {
  mode: string | null;
  url: string | null;
  type: string | undefined;
}

/** A hub: records publish pings; answers 503 to the first `failFirst` of them. */
function startHub(failFirst = 0): Promise<{ url: string; pings: Ping[]; server: Server }> {
  const pings: Ping[] = [];
  let seen = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen += 1;
      const form = new URLSearchParams(body);
      if (seen <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      pings.push({ mode: form.get('hub.mode'), url: form.get('hub.url'), type: req.headers['content-type'] });
      res.writeHead(202).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, pings, server })));
}

const NOW = Date.parse('2023-01-01T00:00:00Z');
const HUB_A = 'https://hub.example.org/';
let hub: Awaited<ReturnType<typeof startHub>>;

beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub.server.close());

function config(dir: string, hubs: string[]) {
  const c = siteConfig();
  c.outDir = dir;
  c.feeds = { websubHubs: hubs };
  return c;
}

describe('WebSub discovery', () => {
  it('every feed names each hub and itself, and stays valid', async () => {
    const dir = tempDir();
    await buildSite(config(dir, [HUB_A, hub.url]), [issue('one', { tags: ['SOFA Weekly'] })], { now: NOW });
    const atom = readFileSync(path.join(dir, 'atom.xml'), 'utf8');
    expect(atom).toContain(`<link rel="hub" href="${HUB_A}"/>`);
    expect(atom).toContain('<link rel="self" type="application/atom+xml" href="https://news.example.org/atom.xml"/>');
    const rss = readFileSync(path.join(dir, 'tags/sofa-weekly/feed.xml'), 'utf8');
    expect(rss).toContain(`<atom:link href="${hub.url}" rel="hub"/>`);
    expect(rss).toContain('<atom:link href="https://news.example.org/tags/sofa-weekly/feed.xml" rel="self" type="application/rss+xml"/>');
    const json = JSON.parse(readFileSync(path.join(dir, 'feed.json'), 'utf8')) as { hubs: unknown };
    expect(json.hubs).toEqual([
      { type: 'WebSub', url: HUB_A },
      { type: 'WebSub', url: hub.url },
    ]);
    const v = validateFeeds(dir);
    expect(v.lines.join('\n')).not.toMatch(/error|warning/i);
    expect(v.status).toBe(0);
  });

  it('feeds are served with a Link header naming the hubs and the feed; pages without one', async () => {
    const dir = tempDir();
    await buildSite(config(dir, [HUB_A]), [issue('one', { tags: ['Go'] })], { now: NOW });
    const app = Fastify();
    registerStaticRoute(app, new StaticFiles(dir, { linkHeader: feedLinkHeader('https://news.example.org/', [HUB_A]) }));
    const feed = await app.inject({ method: 'GET', url: '/tags/go/atom.xml', headers: { 'accept-encoding': 'br' } });
    const page = await app.inject({ method: 'GET', url: '/' });
    await app.close();
    expect(feed.headers.link).toBe(`<${HUB_A}>; rel="hub", <https://news.example.org/tags/go/atom.xml>; rel="self"`);
    expect(page.headers.link).toBeUndefined();
  });
});

describe('WebSub publish pings', () => {
  it('a build reports the feeds it changed; each is pinged once per hub; an unchanged build changes none', async () => {
    const dir = tempDir();
    const c = config(dir, [hub.url]);
    const first = await buildSite(c, [issue('one', { tags: ['Go'] })], { now: NOW });
    expect(first.changedFeeds.sort()).toEqual(
      ['atom.xml', 'feed.json', 'feed.xml', 'tags/go/atom.xml', 'tags/go/feed.json', 'tags/go/feed.xml'].map((f) => `https://news.example.org/${f}`).sort(),
    );
    hub.pings.length = 0;
    const results = await pingHubs(c.feeds.websubHubs, first.changedFeeds, silentLogger(), { retryDelayMs: 1 });
    expect(results.every((r) => r.ok && r.attempts === 1)).toBe(true);
    expect(hub.pings.map((p) => p.url).sort()).toEqual([...first.changedFeeds].sort());
    expect(hub.pings.every((p) => p.mode === 'publish' && p.type === 'application/x-www-form-urlencoded')).toBe(true);
    expect((await buildSite(c, [issue('one', { tags: ['Go'] })], { now: NOW })).changedFeeds).toEqual([]);
    // A second issue in another topic changes the site feeds and the new topic's, not Go's.
    const third = await buildSite(
      c,
      [issue('one', { tags: ['Go'] }), issue('two', { tags: ['Rust'], date: { iso: '2022-12-01T00:00:00Z', epochMs: Date.parse('2022-12-01T00:00:00Z'), offset: 'Z' } })],
      { now: NOW },
    );
    expect(third.changedFeeds.some((u) => u.includes('/tags/go/'))).toBe(false);
    expect(third.changedFeeds).toContain('https://news.example.org/tags/rust/atom.xml');
    expect(third.changedFeeds).toContain('https://news.example.org/feed.xml');
  });

  it('retries a failing hub with backoff, gives up on a refused or dead one, and never throws', async () => {
    const flaky = await startHub(2);
    const dead = 'http://127.0.0.1:9/';
    const delays: number[] = [];
    const sleep = async (ms: number) => {
      delays.push(ms);
    };
    const results = await pingHubs([flaky.url, dead], ['https://news.example.org/feed.xml'], silentLogger(), { attempts: 4, retryDelayMs: 100, sleep });
    flaky.server.close();
    expect(results.find((r) => r.hub === flaky.url)).toMatchObject({ ok: true, attempts: 3 });
    expect(results.find((r) => r.hub === dead)).toMatchObject({ ok: false, attempts: 4 });
    expect(flaky.pings).toHaveLength(1);
    // flaky: 100, 200 before its 2nd and 3rd tries; dead: 100, 200, 400.
    expect(delays.sort((a, b) => a - b)).toEqual([100, 100, 200, 200, 400]);
  });

  it('`pressroom build` pings the hubs of PRESSROOM_WEBSUB_HUBS after writing, and a dead hub costs a warning, not the exit code', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'issues'));
    writeFileSync(path.join(dir, 'issues', 'first.md'), '---\ntitle: First\ndate: 2024-05-01T09:00:00+08:00\n---\n\nHello.\n');
    hub.pings.length = 0;
    const env = { PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'), PRESSROOM_OUT_DIR: path.join(dir, 'public'), PRESSROOM_DATA_DIR: path.join(dir, 'data') };
    const ok = await execCli(['build'], { cwd: dir, env: { ...env, PRESSROOM_WEBSUB_HUBS: hub.url } });
    expect(ok.code).toBe(0);
    expect(hub.pings.map((p) => p.url).sort()).toEqual(['atom.xml', 'feed.json', 'feed.xml'].map((f) => `http://localhost:8080/${f}`));
    expect(ok.stdout).toContain(`websub: told ${hub.url} that http://localhost:8080/feed.xml changed`);
    writeFileSync(path.join(dir, 'issues', 'second.md'), '---\ntitle: Second\ndate: 2024-05-08T09:00:00+08:00\n---\n\nAgain.\n');
    const down = await execCli(['build'], { cwd: dir, env: { ...env, PRESSROOM_WEBSUB_HUBS: 'http://127.0.0.1:9/' } });
    expect(down.code).toBe(0);
    expect(down.stderr).toMatch(/^websub: http:\/\/127\.0\.0\.1:9\/ was not told that http:\/\/localhost:8080\/feed\.xml changed \(.+\); readers will see it at their next poll$/m);
    expect(readFileSync(path.join(dir, 'public', 'feed.xml'), 'utf8')).toContain('Second');
  });
});
