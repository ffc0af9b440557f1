// `send_at` in front matter: read like `date` (the same forms, the author's offset, else
// site.timeZone), never before `date`, one problem line when wrong.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { formatProblem } from '../../src/content/issue.js';
import { findIssue, loadIssues } from '../../src/content/load.js';
import { projectRoot } from '../support/paths.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Loads the given files (name -> content) with the given site.timeZone. */
async function load(files: Record<string, string>, timeZone = 'Asia/Shanghai') {
  const dir = await mkdtemp(path.join(tmpdir(), 'pressroom-send-at-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const config = defaultConfig(projectRoot);
  config.issuesDir = dir;
  config.dataDir = path.join(dir, '.data');
  config.site.url = 'https://news.example.org/';
  config.site.timeZone = timeZone;
  const result = await loadIssues(config, { cache: false });
  return { ...result, lines: result.problems.map((p) => formatProblem(p).replace(`${dir}/`, '')) };
}

const yaml = (fields: string) => `---\ntitle: T\n${fields}\n---\n\nBody.\n`;

describe('send_at', () => {
  it('keeps the offset it is written with, and is not an unknown field', async () => {
    const { issues, lines } = await load({ 'a.md': yaml('date: 2026-11-04T09:00:00+01:00\nsend_at: 2026-11-05T07:30:00-05:00') });
    expect(lines).toEqual([]);
    const issue = findIssue(issues, 'a')!;
    expect(issue.sendAt).toEqual({ iso: '2026-11-05T07:30:00-05:00', epochMs: Date.parse('2026-11-05T12:30:00Z'), offset: '-05:00' });
    expect(issue.date.iso).toBe('2026-11-04T09:00:00+01:00');
    expect(issue.extra).toEqual({});
  });

  it('without an offset is read in site.timeZone, daylight saving included, in the Jekyll and bare-date forms too', async () => {
    const { issues, lines } = await load(
      {
        'winter.md': yaml('date: 2026-01-10\nsend_at: 2026-01-10 08:00'),
        'summer.md': yaml('date: 2026-07-10\nsend_at: 2026-07-10T08:00:00'),
        'jekyll.md': yaml('date: 2026-07-10\nsend_at: 2026-07-11 08:00:00 +0800'),
        'bare.md': yaml('date: 2026-07-10\nsend_at: 2026-07-12'),
      },
      'Europe/Berlin',
    );
    expect(lines).toEqual([]);
    expect(findIssue(issues, 'winter')!.sendAt?.iso).toBe('2026-01-10T08:00:00+01:00');
    expect(findIssue(issues, 'summer')!.sendAt?.iso).toBe('2026-07-10T08:00:00+02:00');
    expect(findIssue(issues, 'jekyll')!.sendAt?.epochMs).toBe(Date.parse('2026-07-11T00:00:00Z'));
    expect(findIssue(issues, 'bare')!.sendAt?.iso).toBe('2026-07-12T00:00:00+02:00');
  });

  it('is read from TOML and JSON front matter as well', async () => {
    const { issues, lines } = await load({
      'toml.md': '+++\ntitle = "T"\ndate = 2026-03-01T10:00:00+08:00\nsend_at = 2026-03-02T10:00:00+08:00\n+++\n\nBody.\n',
      'json.md': '{\n"title": "J",\n"date": "2026-03-01",\n"send_at": "2026-03-01T18:00:00"\n}\n\nBody.\n',
    });
    expect(lines).toEqual([]);
    expect(findIssue(issues, 'toml')!.sendAt?.epochMs).toBe(Date.parse('2026-03-02T02:00:00Z'));
    expect(findIssue(issues, 'json')!.sendAt?.iso).toBe('2026-03-01T18:00:00+08:00');
  });

  it('is optional: without it the issue has no sendAt (it is emailed at its date)', async () => {
    const { issues } = await load({ 'plain.md': yaml('date: 2026-03-01') });
    expect(findIssue(issues, 'plain')!.sendAt).toBeUndefined();
  });

  it('refuses a send_at before the date, one that is not a date, and a camelCase sendAt, with one line naming the field', async () => {
    const { issues, lines } = await load({
      'early.md': yaml('date: 2026-03-02T10:00:00+08:00\nsend_at: 2026-03-02T09:59:59+08:00'),
      'words.md': yaml('date: 2026-03-02\nsend_at: next monday'),
      'same.md': yaml('date: 2026-03-02T10:00:00+08:00\nsend_at: 2026-03-02T03:00:00+01:00'),
      'camel.md': yaml('date: 2026-03-02\nsendAt: 2026-03-03'),
    });
    expect(lines.sort()).toEqual([
      'camel.md:4: sendAt: is not a field Pressroom knows; the send time is written send_at (e.g. send_at: 2022-11-05T08:00:00+08:00)',
      'early.md:4: send_at: 2026-03-02T09:59:59+08:00 is before the date 2026-03-02T10:00:00+08:00; an issue is emailed at or after its publication (its email links to its page)',
      'words.md:4: send_at: "next monday" is not a date (expected e.g. 2022-11-04T15:00:00+08:00)',
    ]);
    // The same instant as the date, in another offset, is fine.
    expect(issues.map((i) => i.slug)).toEqual(['same']);
  });
});
