// Hand-built issues and a small site config for feed and archive tests, plus the real
// feed readers we check output with (xmllint, Python feedparser, ../shared/tools/validate-feeds).
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { defaultConfig, type Config } from '../../src/config/config.js';
import type { Issue, IssueDate } from '../../src/content/issue.js';
import { validateFeedsTool } from '../support/paths.js';

export { corpusDir as CORPUS } from '../support/paths.js';

export function siteConfig(overrides: Partial<Config['site']> = {}): Config {
  const config = defaultConfig(os.tmpdir());
  config.site = {
    ...config.site,
    title: 'Test Weekly',
    url: 'https://news.example.org/',
    description: 'A newsletter for tests',
    language: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    author: { name: 'Test Team', url: 'https://example.org/team' },
    feedItems: 20,
    ...overrides,
  };
  return config;
}

/** "2022-11-04T15:00:00+08:00" -> IssueDate */
export function date(iso: string): IssueDate {
  const m = /(Z|[+-]\d\d:\d\d)$/.exec(iso);
  return { iso, epochMs: Date.parse(iso), offset: m ? m[1]! : 'Z' };
}

export function issue(slug: string, overrides: Partial<Issue> = {}): Issue {
  return {
    slug,
    sourcePath: `${slug}.md`,
    title: `Issue ${slug}`,
    date: date('2022-11-04T15:00:00+08:00'),
    tags: [],
    categories: [],
    authors: [],
    draft: false,
    email: true,
    markdown: 'Hello',
    bodyLine: 1,
    removed: [],
    html: '<p>Hello</p>',
    url: `https://news.example.org/issues/${slug}/`,
    extra: {},
    ...overrides,
  };
}

export { tempDir, tempFile } from '../support/site.js';

/** Runs validate-feeds; returns its exit status and output lines. */
export function validateFeeds(...paths: string[]): { status: number | null; lines: string[] } {
  const r = spawnSync(validateFeedsTool, paths, { encoding: 'utf8' });
  return { status: r.status, lines: `${r.stdout}${r.stderr}`.trim().split('\n') };
}

/** xmllint --noout: throws with xmllint's message when the file is not well-formed. */
export function xmllint(file: string): void {
  execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' });
}

export interface ParsedEntry {
  id: string;
  title: string;
  link: string;
  published?: string;
  tags: Array<{ term: string | null; label: string | null }>;
  authors: string[];
  enclosures: Array<{ href: string; type: string | null; length: string | null }>;
}

/** What Python feedparser (a strict, widely used reader) sees in a feed file. */
export function feedparser(file: string): { bozo: boolean; version: string; language?: string; entries: ParsedEntry[] } {
  const script = `
import feedparser, json, sys
d = feedparser.parse(sys.argv[1])
print(json.dumps({
  "bozo": bool(d.bozo), "version": d.version, "language": d.feed.get("language"),
  "entries": [{
    "id": e.get("id"), "title": e.get("title"), "link": e.get("link"), "published": e.get("published"),
    "tags": [{"term": t.get("term"), "label": t.get("label")} for t in e.get("tags", [])],
    "authors": [a.get("name") for a in e.get("authors", []) if a.get("name")],
    "enclosures": [{"href": x.get("href"), "type": x.get("type"), "length": x.get("length")} for x in e.get("enclosures", [])],
  } for e in d.entries]}))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}
