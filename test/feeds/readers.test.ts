// Real feed readers from Debian read the built feeds from the running server: sfeed (the RSS/Atom
// parser behind sfeed_curses) and newsboat (its cache after a reload). Titles with an ampersand and
// Chinese text must come out as written, in RSS and Atom alike, with the right links and authors.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles } from '../../src/server/static.js';
import { tempDir } from '../support/site.js';
import { date, issue, siteConfig } from './helpers.js';

const execFileAsync = promisify(execFile);
const SFEED = '/usr/bin/sfeed';
const NEWSBOAT = '/usr/bin/newsboat';
const present = existsSync(SFEED) && existsSync(NEWSBOAT);
if (!present && process.env.CI === 'true') throw new Error('CI=true: sfeed and newsboat are required (Debian packages sfeed, newsboat; .ci/run installs them)');

const TITLES = ['SOFA Weekly | 本周贡献 & issue 精选', 'Layotto 社区会议回顾', 'AT&T, Q&A: 50% off'];
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  if (!present) return;
  const out = tempDir();
  const config = siteConfig({ url: 'https://news.example.org/' });
  config.outDir = out;
  const issues = TITLES.map((title, i) => issue(`issue-${i + 1}`, { title, date: date(`2023-0${i + 1}-06T09:00:00+08:00`), authors: [{ name: '社区小助手' }] }));
  await buildSite(config, issues, { now: Date.parse('2024-01-01T00:00:00Z') });
  app = Fastify();
  registerStaticRoute(app, new StaticFiles(out));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await app?.close();
});

/** sfeed's TSV: timestamp, title, link, content, content-type, id, author, enclosure, category. */
async function sfeed(file: string): Promise<Array<{ title: string; link: string; author: string }>> {
  const body = Buffer.from(await (await fetch(`${base}${file}`)).arrayBuffer());
  const run = spawnSync(SFEED, [], { input: body, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .map((f) => ({ title: f[1]!, link: f[2]!, author: f[6]! }));
}

/** What newsboat stored for the feed after `newsboat -x reload` (run asynchronously: this process serves the feed). */
async function newsboat(file: string): Promise<Array<{ title: string; url: string; author: string }>> {
  const home = tempDir();
  mkdirSync(path.join(home, '.newsboat'));
  writeFileSync(path.join(home, 'urls'), `${base}${file}\n`);
  const cache = path.join(home, 'cache.db');
  await execFileAsync(NEWSBOAT, ['-u', path.join(home, 'urls'), '-c', cache, '-C', '/dev/null', '-x', 'reload'], { env: { ...process.env, HOME: home }, timeout: 30_000 });
  const db = new Database(cache, { readonly: true });
  try {
    return db.prepare('SELECT title, url, author FROM rss_item ORDER BY pubDate DESC').all() as Array<{ title: string; url: string; author: string }>;
  } finally {
    db.close();
  }
}

const newestFirst = [...TITLES].reverse();
const links = newestFirst.map((_, i) => `https://news.example.org/issues/issue-${TITLES.length - i}/`);

describe.skipIf(!present)('real feed readers over HTTP', () => {
  it.each(['feed.xml', 'atom.xml'])('sfeed reads %s: titles as written (ampersands, Chinese), links, authors', async (file) => {
    const items = await sfeed(file);
    expect(items.map((i) => i.title)).toEqual(newestFirst);
    expect(items.map((i) => i.link)).toEqual(links);
    expect(new Set(items.map((i) => i.author))).toEqual(new Set(['社区小助手']));
  });

  it.each(['feed.xml', 'atom.xml'])('newsboat stores %s with titles as written and the issue links', async (file) => {
    const items = await newsboat(file);
    expect(items.map((i) => i.title)).toEqual(newestFirst);
    expect(items.map((i) => i.url)).toEqual(links);
  });
});
