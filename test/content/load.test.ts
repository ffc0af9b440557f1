import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { formatProblem, isPublished } from '../../src/content/issue.js';
import { findIssue, loadIssues } from '../../src/content/load.js';
import { corpusDir, fixturesDir, projectRoot } from '../support/paths.js';

function configFor(issuesDir: string, timeZone = 'Asia/Shanghai'): Config {
  const config = defaultConfig(projectRoot);
  config.issuesDir = issuesDir;
  config.site.url = 'https://news.example.org/';
  config.site.timeZone = timeZone;
  return config;
}

describe('loading the real SOFA Weekly corpus', async () => {
  const files = (await readdir(corpusDir)).filter((name) => name.endsWith('.md'));
  const { issues, problems } = await loadIssues(configFor(corpusDir));

  it('maps every file to exactly one published issue, with no problems', () => {
    expect(problems.map(formatProblem)).toEqual([]);
    expect(files.length).toBe(192);
    expect(issues).toHaveLength(files.length);
    expect(new Set(issues.map((i) => i.slug)).size).toBe(files.length);
    expect(issues.map((i) => `${i.slug}.md`).sort()).toEqual([...files].sort());
    expect(issues.every((i) => isPublished(i))).toBe(true);
  });

  it('keeps the author offset and sorts newest first', () => {
    expect(issues.every((i) => i.date.offset === '+08:00')).toBe(true);
    const times = issues.map((i) => i.date.epochMs);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // The file name says 2022, the front matter says 2021: the front matter wins.
    expect(findIssue(issues, 'sofa-weekly-20220114')?.date.iso).toBe('2021-01-14T15:00:00+08:00');
  });

  it('reads titles as plain text: entities decoded, spaces trimmed', () => {
    expect(findIssue(issues, 'sofa-weekly-20200508')?.title).toBe('SOFA Weekly | MOSN&SOFARPC 发布、社区活动报名');
    expect(issues.every((i) => i.title === i.title.trim() && i.title !== '')).toBe(true);
  });

  it('reads categories given as a string and tags given as a list', () => {
    const issue = findIssue(issues, 'sofa-weekly-20221104')!;
    expect(issue.categories).toEqual(['SOFA Weekly']);
    expect(issue.tags).toEqual(['SOFA Weekly']);
    expect(issue.cover).toMatch(/^https:\/\/gw\.alipayobjects\.com\//);
  });

  it('produces safe HTML with only absolute links', () => {
    for (const issue of issues) {
      expect(issue.html, issue.slug).not.toMatch(/<script|<iframe|<style|\son\w+=|javascript:|data:/i);
      for (const [, url] of issue.html.matchAll(/(?:href|src)="([^"]*)"/g)) {
        expect(url, issue.slug).toMatch(/^(https?:|mailto:|#)/);
      }
    }
  });
});

describe('loading the fixture issues', async () => {
  const { issues, problems } = await loadIssues(configFor(path.join(fixturesDir, 'issues-good')));
  const bySlug = (slug: string) => findIssue(issues, slug)!;

  it('reads YAML, TOML (+++) and JSON front matter, bundles, BOM and CRLF', () => {
    expect(problems.map(formatProblem)).toEqual([]);
    expect(issues.map((i) => i.slug).sort()).toEqual(['2022-11-04', 'bom-crlf', 'bundle-issue', 'draft', 'json-issue', 'scheduled', 'toml-special'].sort());
    expect(bySlug('toml-special')).toMatchObject({ title: 'A TOML issue', tags: ['release'], date: { iso: '2022-11-04T15:00:00+08:00' } });
    expect(bySlug('json-issue')).toMatchObject({ email: false, categories: ['News', 'Releases'], date: { iso: '2022-10-28T00:00:00+08:00' } });
    expect(bySlug('bom-crlf')).toMatchObject({ title: 'BOM and CRLF', date: { iso: '2022-10-14T08:00:00+02:00' } });
    expect(bySlug('bom-crlf').markdown).not.toContain('\r');
  });

  it('resolves bundle-relative images against the issue URL', () => {
    const html = bySlug('bundle-issue').html;
    expect(html).toContain('src="https://news.example.org/issues/bundle-issue/diagram.png"');
    expect(html).toContain('src="https://news.example.org/images/x.png"');
  });

  it('keeps unknown fields and reads author and authorlink', () => {
    const issue = bySlug('2022-11-04');
    expect(issue.extra).toEqual({ custom_field: 'kept' });
    expect(issue.authors).toEqual([{ name: 'SOFA 团队', url: 'https://github.com/sofastack' }]);
    expect(issue.url).toBe('https://news.example.org/issues/2022-11-04/');
    expect(issue.html).toContain('href="https://news.example.org/blog/sofa-weekly-20221028/"');
  });

  it('treats drafts and future dates as unpublished', () => {
    expect(isPublished(bySlug('draft'))).toBe(false);
    expect(isPublished(bySlug('scheduled'))).toBe(false);
    expect(isPublished(bySlug('scheduled'), Date.parse('3000-01-01T00:00:00Z'))).toBe(true);
  });
});

describe('bad issue files', async () => {
  delete (globalThis as { __pressroomPwned?: string }).__pressroomPwned;
  const { issues, problems } = await loadIssues(configFor(path.join(fixturesDir, 'issues-bad')));
  const lines = problems.map(formatProblem);
  const at = (file: string) => `test/fixtures/issues-bad/${file}`;

  it('gives one clear line per problem', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        `${at('bad-date.md')}:3: date: "next friday" is not a date (expected e.g. 2022-11-04T15:00:00+08:00)`,
        `${at('bad-date-day.md')}:3: date: "2022-02-30T10:00:00+08:00" is not a date (expected e.g. 2022-11-04T15:00:00+08:00)`,
        `${at('no-title.md')}: title: missing (every issue needs a title)`,
        `${at('empty-body.md')}:5: the issue has no content after the front matter`,
        `${at('bad-tags.md')}:4: tags: a mapping is not a name or a list of names (expected e.g. tags: ["SOFA Weekly"])`,
        `${at('latin1.md')}:2: contains bytes that are not UTF-8 (save the file as UTF-8)`,
        `${at('no-front-matter.md')}:1: no front matter (expected a --- block with title and date at the top of the file)`,
        `${at('dup-b.md')}: slug: duplicate slug "same-slug": already used by ${at('dup-a.md')}`,
      ]),
    );
    expect(lines.find((l) => l.startsWith(at('bad-yaml.md')))).toMatch(/^test\/fixtures\/issues-bad\/bad-yaml\.md:\d+: front matter is not valid YAML: /);
    expect(problems).toHaveLength(11);
  });

  it('refuses executable front matter without running it', () => {
    for (const file of ['js-front-matter.md', 'javascript-front-matter.md']) {
      expect(lines).toContain(`${at(file)}:1: executable front matter (js/javascript) is not allowed; use YAML, TOML or JSON`);
    }
    expect((globalThis as { __pressroomPwned?: string }).__pressroomPwned).toBeUndefined();
  });

  it('still loads the good files beside the bad ones, sanitized', () => {
    expect(issues.map((i) => i.slug).sort()).toEqual(['dirty', 'same-slug']);
    expect(findIssue(issues, 'same-slug')?.title).toBe('First with this slug');
    expect(findIssue(issues, 'dirty')?.html).not.toMatch(/<script|<iframe|onerror|javascript:|data:|<style/);
  });

  it('rejects files over 2 MB', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pressroom-big-'));
    await writeFile(path.join(dir, 'big.md'), `---\ntitle: Big\ndate: 2022-11-04\n---\n\n${'x'.repeat(2 * 1024 * 1024 + 10)}\n`);
    await writeFile(path.join(dir, 'small.md'), `---\ntitle: Small\ndate: 2022-11-04\n---\n\nok\n`);
    const result = await loadIssues(configFor(dir));
    expect(result.problems).toHaveLength(1);
    expect(formatProblem(result.problems[0]!)).toMatch(/big\.md: file is 2\.0 MB; issue files are limited to 2 MB$/);
    expect(result.issues.map((i) => i.slug)).toEqual(['small']);
  });
});
