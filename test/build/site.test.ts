import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { MANIFEST } from '../../src/build/output.js';
import type { Config } from '../../src/config/config.js';
import type { Issue } from '../../src/content/issue.js';
import { loadIssues } from '../../src/content/load.js';
import { issueId } from '../../src/feeds/ids.js';
import { groupTopics } from '../../src/feeds/topics.js';
import { CORPUS, date, feedparser, issue, siteConfig, tempDir, validateFeeds } from '../feeds/helpers.js';
import { readTree } from '../support/site.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const corpusFiles = readdirSync(CORPUS).filter((f) => f.endsWith('.md'));

function corpusConfig(outDir: string, site: Partial<Config['site']> = {}): Config {
  const config = siteConfig({ title: 'SOFA Weekly', ...site });
  config.issuesDir = CORPUS;
  config.outDir = outDir;
  return config;
}

let issues: Issue[];
let out: string;
let files: string[];

beforeAll(async () => {
  const loaded = await loadIssues(corpusConfig(tempDir()));
  expect(loaded.problems).toEqual([]);
  issues = loaded.issues;
  out = tempDir('pressroom-corpus-');
  files = (await buildSite(corpusConfig(out), issues, { now: NOW })).files;
});

describe('building the whole corpus', () => {
  it('gives one archive page per issue file and feeds for every topic', () => {
    expect(issues).toHaveLength(corpusFiles.length);
    expect(corpusFiles.length).toBeGreaterThan(190);
    for (const i of issues) expect(existsSync(path.join(out, 'issues', i.slug, 'index.html'))).toBe(true);
    const topics = groupTopics(issues);
    expect(topics.map((t) => t.slug)).toEqual(['sofa-weekly', 'sofastack']);
    // RFC 5005 archive pages of the site feed: complete pages of 20, RSS and Atom each.
    const archivePages = Math.floor(issues.length / 20);
    // 5: index, style, three feeds; 2: favicon.svg, tags/index.html; 5: the search page, its list of parts and three scripts, and the parts.
    expect(files).toHaveLength(5 + 2 + 5 + Math.ceil(issues.length / 100) + issues.length + 4 * topics.length + 2 * archivePages);
    expect(files).toContain(`archive/${archivePages}/atom.xml`);
    expect(files).toContain('tags/sofa-weekly/feed.xml');
    expect(files).toContain('tags/sofastack/feed.json');
  });

  it('passes validate-feeds with 0 problems, site and per-topic feeds alike', () => {
    const v = validateFeeds(out);
    const archives = 2 * Math.floor(issues.length / 20);
    expect(v.lines.at(-1)).toBe(`${3 * (1 + groupTopics(issues).length) + archives} feeds checked, 0 problems`);
    expect(v.status).toBe(0);
  });

  it('site feeds hold the 20 newest issues with stable ids, in every format', () => {
    const newest = [...issues].sort((a, b) => b.date.epochMs - a.date.epochMs).slice(0, 20);
    const ids = newest.map((i) => issueId('https://news.example.org/', i.slug));
    expect(feedparser(path.join(out, 'feed.xml')).entries.map((e) => e.id)).toEqual(ids);
    expect(feedparser(path.join(out, 'atom.xml')).entries.map((e) => e.id)).toEqual(ids);
    const json = JSON.parse(readFileSync(path.join(out, 'feed.json'), 'utf8'));
    expect(json.items.map((i: { id: string }) => i.id)).toEqual(ids);
    expect(json.items[0].date_published).toMatch(/\+08:00$/);
  });

  it("per-topic feeds hold exactly that topic's newest issues", () => {
    for (const topic of groupTopics(issues)) {
      const expected = topic.issues.slice(0, 20).map((i) => issueId('https://news.example.org/', i.slug));
      const json = JSON.parse(readFileSync(path.join(out, 'tags', topic.slug, 'feed.json'), 'utf8'));
      expect(json.feed_url).toBe(`https://news.example.org/tags/${topic.slug}/feed.json`);
      expect(json.items.map((i: { id: string }) => i.id)).toEqual(expected);
      expect(feedparser(path.join(out, 'tags', topic.slug, 'atom.xml')).entries.map((e) => e.id)).toEqual(expected);
    }
    expect(groupTopics(issues).find((t) => t.slug === 'sofastack')!.issues.length).toBeLessThan(20);
  });

  it('with room for all, each issue file is exactly one item in each format', async () => {
    const dir = tempDir();
    await buildSite(corpusConfig(dir, { feedItems: 10_000 }), issues, { now: NOW });
    const all = new Set(issues.map((i) => issueId('https://news.example.org/', i.slug)));
    expect(all.size).toBe(corpusFiles.length);
    const rss = feedparser(path.join(dir, 'feed.xml'));
    const atom = feedparser(path.join(dir, 'atom.xml'));
    const json = JSON.parse(readFileSync(path.join(dir, 'feed.json'), 'utf8'));
    for (const ids of [rss.entries.map((e) => e.id), atom.entries.map((e) => e.id), json.items.map((i: { id: string }) => i.id)]) {
      expect(ids).toHaveLength(corpusFiles.length);
      expect(new Set(ids)).toEqual(all);
    }
    expect(validateFeeds(dir).status).toBe(0);
  });

  it('two builds are byte-identical, into a fresh folder and over the old one', async () => {
    const again = tempDir();
    // This build 400 days and a few seconds later on the clock (Date only: file times stay real).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 400 * 86_400_000 + 3_700 });
    try {
      await buildSite(corpusConfig(again), [...issues].reverse(), { now: NOW });
    } finally {
      vi.useRealTimers();
    }
    const first = readTree(out);
    expect(readTree(again)).toEqual(first);
    await buildSite(corpusConfig(out), issues, { now: NOW });
    expect(readTree(out)).toEqual(first);
  });
});

describe('topics with CJK, spaces and markup', () => {
  it('get their own folders and valid feeds with percent-encoded self links', async () => {
    const dir = tempDir();
    const list = [
      issue('a', { tags: ['云原生 周报', 'C++ <templates> & more'], categories: ['SOFA Weekly'] }),
      issue('b', { date: date('2022-11-11T15:00:00+08:00'), tags: ['SOFA WEEKLY'], categories: ['云原生 周报'] }),
    ];
    const { files } = await buildSite(corpusConfig(dir), list, { now: NOW });
    const topicFolders = [...new Set(files.filter((f) => f.startsWith('tags/') && f !== 'tags/index.html').map((f) => f.split('/')[1]))];
    expect(topicFolders).toEqual(['c-templates-more', 'sofa-weekly', '云原生-周报']);
    const v = validateFeeds(dir);
    expect(v.lines.at(-1)).toBe('12 feeds checked, 0 problems');
    const json = JSON.parse(readFileSync(path.join(dir, 'tags/云原生-周报/feed.json'), 'utf8'));
    expect(json.feed_url).toBe('https://news.example.org/tags/%E4%BA%91%E5%8E%9F%E7%94%9F-%E5%91%A8%E6%8A%A5/feed.json');
    expect(json.title).toBe('SOFA Weekly · 云原生 周报');
    expect(json.items.map((i: { url: string }) => i.url)).toEqual(['https://news.example.org/issues/b/', 'https://news.example.org/issues/a/']);
    const rss = readFileSync(path.join(dir, 'tags/云原生-周报/feed.xml'), 'utf8');
    expect(rss).toContain('<atom:link href="https://news.example.org/tags/%E4%BA%91%E5%8E%9F%E7%94%9F-%E5%91%A8%E6%8A%A5/feed.xml" rel="self"');
  });
});

describe('what gets published', () => {
  it('drafts and future issues are in no feed and no page', async () => {
    const dir = tempDir();
    const draft = issue('draft-one', { draft: true, date: date('2025-01-01T00:00:00+08:00') });
    const future = issue('future-one', { date: date('2026-06-01T00:00:00+08:00'), tags: ['future-only'] });
    const res = await buildSite(corpusConfig(dir), [...issues, draft, future], { now: NOW });
    expect(res.files.some((f) => f.includes('draft-one') || f.includes('future-one') || f.includes('future-only'))).toBe(false);
    const all = [...readTree(dir).keys()].map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(all).not.toContain('draft-one');
    expect(all).not.toContain('future-one');
  });

  it('an unsafe slug is refused with a message naming the file', async () => {
    await expect(buildSite(corpusConfig(tempDir()), [issue('../escape', { sourcePath: 'issues/x.md' })], { now: NOW })).rejects.toThrow(
      'issues/x.md: slug: "../escape" is not a safe folder name',
    );
  });
});

describe('stale files', () => {
  it('are removed when an issue goes away, while files we did not write stay', async () => {
    const dir = tempDir();
    const a = issue('keep', { tags: ['Kept'] });
    const b = issue('gone', { date: date('2022-11-05T15:00:00+08:00'), tags: ['Only Gone'] });
    await buildSite(corpusConfig(dir), [a, b], { now: NOW });
    writeFileSync(path.join(dir, 'CNAME'), 'news.example.org\n');
    expect(existsSync(path.join(dir, 'issues/gone/index.html'))).toBe(true);
    expect(existsSync(path.join(dir, 'tags/only-gone/feed.xml'))).toBe(true);

    const res = await buildSite(corpusConfig(dir), [a], { now: NOW });
    expect(existsSync(path.join(dir, 'issues/gone'))).toBe(false);
    expect(existsSync(path.join(dir, 'tags/only-gone'))).toBe(false);
    expect(existsSync(path.join(dir, 'issues/keep/index.html'))).toBe(true);
    expect(readFileSync(path.join(dir, 'CNAME'), 'utf8')).toBe('news.example.org\n');
    // The manifest lists the files and their precompressed copies (NAME.br, NAME.gz), nothing else.
    const manifest = readFileSync(path.join(dir, MANIFEST), 'utf8').trim().split('\n');
    expect(manifest.filter((f) => !/\.(br|gz)$/.test(f))).toEqual(res.files);
    expect(manifest.filter((f) => /\.(br|gz)$/.test(f)).every((f) => res.files.includes(f.slice(0, -3)))).toBe(true);
    expect([...readTree(dir).keys()].sort()).toEqual([...manifest, 'CNAME', MANIFEST].sort());
  });

  it('unchanged files keep their mtime, changed ones are rewritten', async () => {
    const dir = tempDir();
    const a = issue('a', { date: date('2022-11-04T15:00:00+08:00') });
    const b = issue('b', { date: date('2022-11-11T15:00:00+08:00') });
    await buildSite(corpusConfig(dir), [a, b], { now: NOW });
    const mtime = (f: string) => statSync(path.join(dir, f)).mtimeMs;
    const before = { a: mtime('issues/a/index.html'), b: mtime('issues/b/index.html'), css: mtime('style.css') };
    await new Promise((r) => setTimeout(r, 50));
    await buildSite(corpusConfig(dir), [a, { ...b, html: '<p>Corrected</p>' }], { now: NOW });
    expect(mtime('issues/a/index.html')).toBe(before.a);
    expect(mtime('style.css')).toBe(before.css);
    expect(mtime('issues/b/index.html')).toBeGreaterThan(before.b);
    expect(readFileSync(path.join(dir, 'issues/b/index.html'), 'utf8')).toContain('<p>Corrected</p>');
  });

  it('a manifest naming a path outside the folder is refused, nothing deleted', async () => {
    const dir = tempDir();
    const victim = path.join(tempDir(), 'victim.txt');
    writeFileSync(victim, 'x');
    writeFileSync(path.join(dir, MANIFEST), `../${path.basename(path.dirname(victim))}/victim.txt\n`);
    await expect(buildSite(corpusConfig(dir), [issue('a')], { now: NOW })).rejects.toThrow(/not a plain relative path/);
    expect(existsSync(victim)).toBe(true);
  });
});
