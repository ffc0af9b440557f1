// Hugo-style bundles: images next to issues/<name>/index.md are published beside the issue
// page, where the loader points their (bundle-relative) URLs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { loadIssues } from '../../src/content/load.js';
import { siteConfig, tempDir } from '../feeds/helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('bundle resources', () => {
  it('are copied to issues/<slug>/ so the URLs in the page and feeds resolve', async () => {
    const root = tempDir();
    const issuesDir = path.join(root, 'issues');
    const bundle = path.join(issuesDir, 'with-image');
    mkdirSync(path.join(bundle, 'img'), { recursive: true });
    writeFileSync(path.join(bundle, 'index.md'), '---\ntitle: With image\ndate: 2022-11-04T15:00:00+08:00\ncover: cover.png\n---\n\n![d](diagram.png)\n\n![n](img/nested.svg)\n');
    writeFileSync(path.join(bundle, 'diagram.png'), PNG);
    writeFileSync(path.join(bundle, 'cover.png'), PNG);
    writeFileSync(path.join(bundle, 'img/nested.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(bundle, '.DS_Store'), 'x');
    writeFileSync(path.join(bundle, 'index.html'), '<p>would replace the page</p>');
    writeFileSync(path.join(issuesDir, 'plain.md'), '---\ntitle: Plain\ndate: 2022-11-05T15:00:00+08:00\n---\n\nText\n');

    const config = siteConfig();
    config.issuesDir = issuesDir;
    config.outDir = path.join(root, 'public');
    const { issues, problems } = await loadIssues(config);
    expect(problems).toEqual([]);
    const { files } = await buildSite(config, issues, { now: Date.parse('2026-01-01T00:00:00Z') });

    expect(files.filter((f) => f.startsWith('issues/with-image/')).sort()).toEqual([
      'issues/with-image/cover.png',
      'issues/with-image/diagram.png',
      'issues/with-image/img/nested.svg',
      'issues/with-image/index.html',
    ]);
    expect(readFileSync(path.join(config.outDir, 'issues/with-image/diagram.png')).equals(PNG)).toBe(true);
    const page = readFileSync(path.join(config.outDir, 'issues/with-image/index.html'), 'utf8');
    expect(page).not.toContain('would replace the page');

    // Every site URL the page and the feed point at is a file we wrote.
    const feed = readFileSync(path.join(config.outDir, 'feed.json'), 'utf8');
    const urls = [...`${page}\n${feed}`.matchAll(/https:\/\/news\.example\.org\/(issues\/with-image\/[^"\s]+\.(?:png|svg))/g)].map((m) => m[1]!);
    expect(new Set(urls)).toEqual(new Set(['issues/with-image/cover.png', 'issues/with-image/diagram.png', 'issues/with-image/img/nested.svg']));
    for (const rel of urls) expect(existsSync(path.join(config.outDir, rel))).toBe(true);
    expect(files.some((f) => f.startsWith('issues/plain/') && f !== 'issues/plain/index.html')).toBe(false);
  });
});
