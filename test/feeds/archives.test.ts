// RFC 5005 archived feeds: the subscription feed keeps the newest items and links back to
// immutable archive pages, so a reader (feedparser here) can walk back to issue 1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { tempDir } from '../support/site.js';
import { date, feedparser, issue, siteConfig, validateFeeds } from './helpers.js';

const NOW = Date.parse('2024-01-01T00:00:00Z');
const week = (n: number) => date(new Date(Date.parse('2022-01-03T01:00:00Z') + n * 7 * 86_400_000).toISOString().replace('.000Z', 'Z'));
const issues = (n: number) => Array.from({ length: n }, (_, i) => issue(`issue-${String(i + 1).padStart(3, '0')}`, { date: week(i) }));

async function build(n: number, dir = tempDir()) {
  const config = siteConfig({ feedItems: 20 });
  config.outDir = dir;
  await buildSite(config, issues(n), { now: NOW });
  return dir;
}

const links = (xml: string, rel: string) => [...xml.matchAll(new RegExp(`<(?:atom:)?link[^>]*rel="${rel}"[^>]*>`, 'g'))].map((m) => /href="([^"]+)"/.exec(m[0])![1]!);
const file = (dir: string, url: string) => path.join(dir, new URL(url).pathname);

describe('archived feeds', () => {
  it('walking prev-archive from the subscription feed reaches issue 1 and every issue, in both formats', async () => {
    const dir = await build(45);
    for (const name of ['atom.xml', 'feed.xml']) {
      const seen = new Set<string>();
      let url: string | undefined = `https://news.example.org/${name}`;
      let documents = 0;
      while (url) {
        const text: string = readFileSync(file(dir, url), 'utf8');
        for (const entry of feedparser(file(dir, url)).entries) seen.add(entry.link);
        documents += 1;
        url = links(text, 'prev-archive')[0];
      }
      expect(documents).toBe(3); // the subscription feed and pages 2 and 1
      expect(seen.size).toBe(45);
      expect(seen).toContain('https://news.example.org/issues/issue-001/');
    }
  });

  it('archive pages are complete, marked fh:archive, link current and their neighbours; the subscription feed only prev-archive', async () => {
    const dir = await build(45);
    const sub = readFileSync(path.join(dir, 'atom.xml'), 'utf8');
    expect(links(sub, 'prev-archive')).toEqual(['https://news.example.org/archive/2/atom.xml']);
    expect(sub).not.toContain('fh:archive');
    expect(feedparser(path.join(dir, 'atom.xml')).entries).toHaveLength(20);
    const page1 = readFileSync(path.join(dir, 'archive/1/atom.xml'), 'utf8');
    expect(page1).toContain('xmlns:fh="http://purl.org/syndication/history/1.0"');
    expect(page1).toContain('<fh:archive/>');
    expect(links(page1, 'current')).toEqual(['https://news.example.org/atom.xml']);
    expect(links(page1, 'prev-archive')).toEqual([]);
    expect(links(page1, 'next-archive')).toEqual(['https://news.example.org/archive/2/atom.xml']);
    const page2 = readFileSync(path.join(dir, 'archive/2/feed.xml'), 'utf8');
    expect(links(page2, 'prev-archive')).toEqual(['https://news.example.org/archive/1/feed.xml']);
    expect(links(page2, 'next-archive')).toEqual([]);
    const entries = feedparser(path.join(dir, 'archive/1/feed.xml')).entries.map((e) => e.link);
    expect(entries).toHaveLength(20);
    expect(entries.at(-1)).toBe('https://news.example.org/issues/issue-001/');
    const v = validateFeeds(dir);
    expect(v.lines.join('\n')).not.toMatch(/\berror|warning/i);
    expect(v.status).toBe(0);
  });

  it('a page never changes when newer issues arrive, but for the newest gaining its next-archive link once the next page exists', async () => {
    const dir = tempDir();
    await build(45, dir);
    const before = ['archive/1/atom.xml', 'archive/2/atom.xml', 'archive/2/feed.xml'].map((f) => readFileSync(path.join(dir, f), 'utf8'));
    await build(59, dir);
    const after = ['archive/1/atom.xml', 'archive/2/atom.xml', 'archive/2/feed.xml'].map((f) => readFileSync(path.join(dir, f), 'utf8'));
    expect(after).toEqual(before);
    expect(links(readFileSync(path.join(dir, 'atom.xml'), 'utf8'), 'prev-archive')).toEqual(['https://news.example.org/archive/2/atom.xml']);
    await build(60, dir);
    expect(links(readFileSync(path.join(dir, 'atom.xml'), 'utf8'), 'prev-archive')).toEqual(['https://news.example.org/archive/3/atom.xml']);
    const [page1After, page2After] = ['archive/1/atom.xml', 'archive/2/atom.xml'].map((f) => readFileSync(path.join(dir, f), 'utf8'));
    expect(page1After).toBe(before[0]);
    expect(links(page2After!, 'next-archive')).toEqual(['https://news.example.org/archive/3/atom.xml']);
    expect(page2After!.replace(/\s*<link rel="next-archive"[^>]*>/, '')).toBe(before[1]);
    expect(links(readFileSync(path.join(dir, 'archive/3/atom.xml'), 'utf8'), 'prev-archive')).toEqual(['https://news.example.org/archive/2/atom.xml']);
  });

  it('no archives until two complete pages exist: the subscription feed then carries every issue', async () => {
    for (const n of [20, 39]) {
      const dir = await build(n);
      expect(readFileSync(path.join(dir, 'atom.xml'), 'utf8')).not.toContain('prev-archive');
      expect(() => readFileSync(path.join(dir, 'archive/1/atom.xml'))).toThrow();
      expect(feedparser(path.join(dir, 'feed.xml')).entries).toHaveLength(n);
    }
  });
});
