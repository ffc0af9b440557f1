// Enclosures only for real attachments: the audio, video and PDF files of a bundle issue, with
// their true length and type, in all three formats; images (covers, inline) never.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { loadIssues } from '../../src/content/load.js';
import { registerStaticRoute } from '../../src/server/static-route.js';
import { StaticFiles } from '../../src/server/static.js';
import { feedparser, siteConfig, tempDir, validateFeeds } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
const MP3 = Buffer.alloc(12_345, 1);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2_000, 32)]);
const ISSUE_URL = 'https://news.example.org/issues/episode-1/';

let out: string;

beforeAll(async () => {
  const root = tempDir();
  const issuesDir = path.join(root, 'issues');
  const bundle = path.join(issuesDir, 'episode-1');
  mkdirSync(bundle, { recursive: true });
  writeFileSync(
    path.join(bundle, 'index.md'),
    '---\ntitle: Episode 1\ndate: 2022-11-04T15:00:00+08:00\ntags: [Podcast]\ncover: cover.png\n---\n\n![d](diagram.png)\n\n[Slides](第一期 slides.pdf)\n',
  );
  writeFileSync(path.join(bundle, 'cover.png'), PNG);
  writeFileSync(path.join(bundle, 'diagram.png'), PNG);
  writeFileSync(path.join(bundle, 'episode.mp3'), MP3);
  writeFileSync(path.join(bundle, '第一期 slides.pdf'), PDF);
  writeFileSync(path.join(issuesDir, 'plain.md'), '---\ntitle: Plain\ndate: 2022-11-05T15:00:00+08:00\n---\n\nText\n');
  const config = siteConfig();
  config.issuesDir = issuesDir;
  config.outDir = out = path.join(root, 'public');
  const { issues, problems } = await loadIssues(config);
  expect(problems).toEqual([]);
  await buildSite(config, issues, { now: Date.parse('2026-01-01T00:00:00Z') });
});

const PDF_URL = `${ISSUE_URL}${encodeURIComponent('第一期 slides.pdf')}`;

describe('enclosures from bundle files', () => {
  it('RSS: one enclosure per item (the audio), with its true length and type; none for an issue without attachments', () => {
    const rss = readFileSync(path.join(out, 'feed.xml'), 'utf8');
    expect(rss).toContain(`<enclosure url="${ISSUE_URL}episode.mp3" length="12345" type="audio/mpeg"/>`);
    expect(rss.match(/<enclosure /g)).toHaveLength(1);
    const entries = feedparser(path.join(out, 'feed.xml')).entries;
    expect(entries.find((e) => e.link === ISSUE_URL)!.enclosures).toEqual([{ href: `${ISSUE_URL}episode.mp3`, type: 'audio/mpeg', length: '12345' }]);
    expect(entries.find((e) => e.link.includes('/plain/'))!.enclosures).toEqual([]);
  });

  it('Atom: an enclosure link per attachment, typed and sized, in the site and topic feeds; no image is one', () => {
    for (const feed of ['atom.xml', 'tags/podcast/atom.xml']) {
      const entry = feedparser(path.join(out, feed)).entries.find((e) => e.link === ISSUE_URL)!;
      expect(entry.enclosures).toEqual([
        { href: `${ISSUE_URL}episode.mp3`, type: 'audio/mpeg', length: '12345' },
        { href: PDF_URL, type: 'application/pdf', length: String(PDF.length) },
      ]);
    }
  });

  it('JSON Feed: attachments with mime_type and size_in_bytes', () => {
    const json = JSON.parse(readFileSync(path.join(out, 'feed.json'), 'utf8')) as { items: Array<{ url: string; attachments?: unknown }> };
    expect(json.items.find((i) => i.url === ISSUE_URL)!.attachments).toEqual([
      { url: `${ISSUE_URL}episode.mp3`, mime_type: 'audio/mpeg', size_in_bytes: 12_345 },
      { url: PDF_URL, mime_type: 'application/pdf', size_in_bytes: PDF.length },
    ]);
    expect(json.items.find((i) => i.url.includes('/plain/'))!.attachments).toBeUndefined();
  });

  it('the feeds stay valid, and each enclosure URL serves exactly those bytes with that type', async () => {
    const v = validateFeeds(out);
    expect(v.lines.join('\n')).not.toMatch(/\berror|warning/i);
    expect(v.status).toBe(0);
    const app = Fastify();
    registerStaticRoute(app, new StaticFiles(out));
    for (const [url, bytes, type] of [
      [`${ISSUE_URL}episode.mp3`, MP3, 'audio/mpeg'],
      [PDF_URL, PDF, 'application/pdf'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: new URL(url).pathname });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.rawPayload.equals(bytes)).toBe(true);
    }
    await app.close();
  });
});
