// The preflight rules on real issue files: each rule with a file that trips it (and the line it
// names) and a file that does not. Files are written to a temp folder and loaded by loadIssues,
// so the line numbers are the file's own, front matter included.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, type Config } from '../../src/config/config.js';
import { siteOutputPaths } from '../../src/build/site-paths.js';
import { renderSite } from '../../src/build/site.js';
import { formatProblem, type Issue } from '../../src/content/issue.js';
import { loadIssues } from '../../src/content/load.js';
import { emailSizeProblem, GMAIL_CLIP_BYTES, preflight, type PreflightSite } from '../../src/content/preflight.js';
import { projectRoot } from '../support/paths.js';

const FRONT = (extra = '', description = 'What this issue is about') =>
  `---\ntitle: "A fine issue"\ndate: 2024-05-01T09:00:00+08:00\n${description ? `description: "${description}"\n` : ''}${extra}---\n`;

async function load(files: Record<string, string>, tweak: (config: Config) => void = () => {}): Promise<{ config: Config; issues: Issue[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-preflight-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const config = defaultConfig(projectRoot);
  config.issuesDir = dir;
  config.site.url = 'https://news.example.org/weekly/';
  config.site.timeZone = 'Asia/Shanghai';
  tweak(config);
  const { issues, problems } = await loadIssues(config);
  expect(problems.map(formatProblem)).toEqual([]);
  return { config, issues };
}

function siteOf(config: Config, issues: Issue[], now = Date.parse('2024-06-01T00:00:00Z')): PreflightSite {
  return {
    paths: siteOutputPaths(config, issues, [], Number.POSITIVE_INFINITY),
    dates: new Map(issues.filter((i) => !i.draft).map((i) => [i.slug, i.date.epochMs])),
    drafts: new Set(issues.filter((i) => i.draft).map((i) => i.slug)),
    now,
  };
}

/** "line: message" of each warning of the issue `slug`. */
async function warningsOf(files: Record<string, string>, slug: string, tweak?: (config: Config) => void): Promise<string[]> {
  const { config, issues } = await load(files, tweak);
  const issue = issues.find((i) => i.slug === slug)!;
  return preflight(issue, config, siteOf(config, issues)).map((p) => `${p.line ?? '-'}:${p.field ? ` ${p.field}:` : ''} ${p.message}`);
}

describe('preflight rules', () => {
  it('a clean issue has no warnings', async () => {
    const body = '\n## Hello\n\n![A diagram of the pipeline](https://cdn.example.org/d.png)\n\nSee [the home page](../../) and [last week](../older/).\n';
    const files = { 'clean.md': FRONT() + body, 'older.md': FRONT('slug: older\n').replace('2024-05-01', '2024-04-24') + '\nOlder.\n' };
    expect(await warningsOf(files, 'clean')).toEqual([]);
  });

  it('subject over 78 characters: the rendered email.subject pattern, not just the title', async () => {
    const files = { 'long.md': FRONT().replace('A fine issue', 'x'.repeat(60)) + '\nBody.\n' };
    expect(await warningsOf(files, 'long')).toEqual([]); // 60 characters: fine
    const warnings = await warningsOf(files, 'long', (config) => (config.email.subject = '{{ site.title }} | {{ title }} ({{ date }})'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^-: title: the email's subject is \d+ characters \("Pressroom \| x{60} \(.*\)"\); mail clients cut it after about 78/);
  });

  it('an empty preheader: no description on an issue that is emailed (not on a feeds-only one)', async () => {
    const files = { 'bare.md': FRONT('', '') + '\nBody.\n', 'feeds.md': FRONT('email: false\n', '') + '\nBody.\n' };
    expect(await warningsOf(files, 'bare')).toEqual([
      '-: description: empty: the email preheader (the line inboxes show after the subject) is the description; without one they show the first words of the body',
    ]);
    expect(await warningsOf(files, 'feeds')).toEqual([]);
  });

  it('images without alt text, with their line: Markdown ![](...) and <img> without alt; alt="" and code are fine', async () => {
    const body = [
      '', // line 6
      '![](https://cdn.example.org/a.png)', // 7
      '',
      '<img src="https://cdn.example.org/b.png">', // 9
      '',
      '<img src="https://cdn.example.org/c.png" alt="">', // 11: decorative, on purpose
      '',
      '`![](in-code.png)`', // 13
      '',
      '```md',
      '![](fenced.png)',
      '```',
      '',
      '![Described](https://cdn.example.org/e.png)',
    ].join('\n');
    expect(await warningsOf({ 'img.md': FRONT() + body }, 'img')).toEqual([
      '7: image https://cdn.example.org/a.png has no alt text (![what it shows](...)): screen readers and mail clients that block images show nothing',
      '9: image https://cdn.example.org/b.png has no alt attribute: screen readers and mail clients that block images show nothing',
    ]);
  });

  it('TK, TODO and FIXME as whole words outside code, with their line', async () => {
    const body = [
      '',
      'The launch is on TK.',
      '',
      'TODOS and todo are words; a TODO is not.',
      '',
      '    TODO in an indented code block',
      '',
      '```',
      'FIXME in a fence',
      '```',
      '',
      'Inline `FIXME` is code; https://example.org/TODO is a URL.',
      'FIXME: last',
    ].join('\n');
    expect(await warningsOf({ 'tk.md': FRONT() + body }, 'tk')).toEqual(['7: "TK" left in the text', '9: "TODO" left in the text', '18: "FIXME" left in the text']);
  });

  it('links to pages of the site the build does not write: a missing issue, a draft, a later issue, a stray path', async () => {
    const body = [
      '',
      '[missing](../no-such-issue/)', // 7
      '[draft](https://news.example.org/weekly/issues/draft/)', // 8
      '[later](../later/)', // 9
      '[stray](/weekly/blog/post/)', // 10
      '[fine](../../tags/) [feed](../../feed.xml) [signup](../../subscribe) [elsewhere](https://example.org/x) [outside](/other/)', // 11
      '[ref]: ../also-missing/', // 12
    ].join('\n');
    const files = {
      'links.md': FRONT() + body,
      'draft.md': FRONT('draft: true\n') + '\nDraft.\n',
      'later.md': FRONT().replace('2024-05-01', '2024-07-01') + '\nLater.\n',
    };
    expect(await warningsOf(files, 'links')).toEqual([
      '7: links to https://news.example.org/weekly/issues/no-such-issue/, which the build does not write (no issue, page or file of the site has that path)',
      '8: links to https://news.example.org/weekly/issues/draft/, which the build does not write (issue "draft" is a draft)',
      '9: links to https://news.example.org/weekly/issues/later/, an issue not published until 2024-07-01T01:00:00.000Z, after this one',
      '10: links to https://news.example.org/weekly/blog/post/, which the build does not write (no issue, page or file of the site has that path)',
      '12: links to https://news.example.org/weekly/issues/also-missing/, which the build does not write (no issue, page or file of the site has that path)',
    ]);
  });

  it('what the sanitizer removed, with its line: a data: image, an iframe, a script, an on* attribute, a javascript: link', async () => {
    const body = [
      '',
      'Intro.', // 7
      '',
      '![chart](data:image/png;base64,iVBORw0KGgo=)', // 9
      '',
      '<iframe src="https://video.example.org/embed/1"></iframe>', // 11
      '',
      '<script>alert(1)</script>', // 13
      '',
      '<p onclick="steal()">Click</p>', // 15
      '',
      '[run](javascript:alert(1))', // 17
      '',
      "- [ ] a task list checkbox is marked's own, not removed content",
    ].join('\n');
    expect(await warningsOf({ 'removed.md': FRONT() + body }, 'removed')).toEqual([
      '9: an image with a data: URL (images must be http(s) URLs or files of the bundle) was removed: issues may not contain it (feeds, archive and email leave it out)',
      '11: an <iframe> element was removed: issues may not contain it (feeds, archive and email leave it out)',
      '13: a <script> element was removed: issues may not contain it (feeds, archive and email leave it out)',
      '15: the onclick attribute of a <p> was removed: issues may not contain it (feeds, archive and email leave it out)',
      '17: the target of a link with a javascript: URL was removed: issues may not contain it (feeds, archive and email leave it out)',
    ]);
  });

  it("the email size rule: over Gmail's 102 KB clipping, not at it", async () => {
    const { issues } = await load({ 'size.md': FRONT() + '\nBody.\n' });
    expect(emailSizeProblem(issues[0]!, GMAIL_CLIP_BYTES)).toBeUndefined();
    expect(emailSizeProblem(issues[0]!, GMAIL_CLIP_BYTES + 1)?.message).toMatch(/^the email's HTML is 102 KB; Gmail clips messages above 102 KB/);
  });
});

describe('siteOutputPaths', () => {
  it('names exactly the files renderSite writes', async () => {
    const files: Record<string, string> = { 'draft.md': FRONT('draft: true\n') + '\nDraft.\n' };
    for (let i = 0; i < 5; i++) files[`issue-${i}.md`] = FRONT(`tags: ["t${i % 2}", "Shared Topic"]\n`).replace('2024-05-01', `2024-05-0${i + 1}`) + '\nBody.\n';
    const { config, issues } = await load(files, (c) => (c.site.feedItems = 2));
    const now = Date.parse('2024-06-01T00:00:00Z');
    expect([...siteOutputPaths(config, issues, [], now)].sort()).toEqual([...renderSite(config, issues, { now }).keys()].sort());
  });
});
