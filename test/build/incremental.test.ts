import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import type { Config } from '../../src/config/config.js';
import { PAGE_CACHE_FILE } from '../../src/build/page-cache.js';
import { CACHE_FILE } from '../../src/content/cache.js';
import { loadIssues } from '../../src/content/load.js';
import { CORPUS, siteConfig, tempDir } from '../feeds/helpers.js';
import { execCli } from '../support/cli.js';
import { readTree } from '../support/site.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const SAMPLE = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .slice(0, 30);

/** A folder of 30 corpus issues, its out and data folders, and the config for them. */
function makeFolder(): { issuesDir: string; config: (outDir: string) => Config } {
  const root = tempDir('pressroom-incremental-');
  const issuesDir = path.join(root, 'issues');
  for (const name of SAMPLE) cpSync(path.join(CORPUS, name), path.join(issuesDir, name));
  const config = (outDir: string) => {
    const c = siteConfig({ title: 'SOFA Weekly' });
    c.issuesDir = issuesDir;
    c.outDir = outDir;
    c.dataDir = path.join(root, 'data');
    return c;
  };
  return { issuesDir, config };
}

async function build(config: Config, cache: boolean) {
  const loaded = await loadIssues(config, { cache, threads: 0 });
  expect(loaded.problems).toEqual([]);
  const built = await buildSite(config, loaded.issues, { now: NOW, cache });
  expect(built.warnings.map((w) => w.message)).toEqual(loaded.warnings.map((w) => w.message));
  return loaded;
}

describe('an incremental build', () => {
  it('after adding, editing and deleting issues, writes exactly what a cold build of the new folder writes', async () => {
    const { issuesDir, config } = makeFolder();
    const out = tempDir('pressroom-incremental-out-');
    const cold = await build(config(out), true);
    expect(cold.cached).toBe(0);
    expect(existsSync(path.join(config(out).dataDir, CACHE_FILE))).toBe(true);

    // Added: a copy of one issue under a new slug, dated after every other; edited: one body and
    // one title; deleted: one file.
    const added = readFileSync(path.join(issuesDir, SAMPLE[0]!), 'utf8')
      .replace(/^---\n/, '---\nslug: added-issue\n')
      .replace(/^date:.*$/m, 'date: 2025-12-30T09:00:00+08:00');
    writeFileSync(path.join(issuesDir, 'added-issue.md'), added);
    const edited = path.join(issuesDir, SAMPLE[1]!);
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}\n\nOne more paragraph, with a [link](/about) and **bold** text.\n`);
    const retitled = path.join(issuesDir, SAMPLE[2]!);
    writeFileSync(retitled, readFileSync(retitled, 'utf8').replace(/^title:.*$/m, 'title: "A new title"'));
    rmSync(path.join(issuesDir, SAMPLE[3]!));

    const warm = await build(config(out), true);
    expect(warm.cached).toBe(SAMPLE.length - 3); // 30 files again: all but the added and the two edited ones
    expect(warm.warnings).toEqual([]);

    const fresh = tempDir('pressroom-incremental-cold-');
    const reference = await build(config(fresh), false);
    expect(reference.cached).toBe(0);
    expect(warm.issues).toEqual(reference.issues);
    expect(readTree(out)).toEqual(readTree(fresh));
    expect(readTree(out).has('issues/added-issue/index.html')).toBe(true);

    const again = await build(config(out), true);
    expect(again.cached).toBe(SAMPLE.length);
    expect(readTree(out)).toEqual(readTree(fresh));
  });

  it('writes the pages and issues of a small change beside pages.bin and issues.bin (.recent), and still gives the cold output', async () => {
    const folder = makeFolder();
    const { issuesDir } = folder;
    // Five items a feed, so the 30 issues have archive pages and the oldest are in no subscription feed.
    const config = (outDir: string) => {
      const c = folder.config(outDir);
      c.site = { ...c.site, feedItems: 5 };
      return c;
    };
    const out = tempDir('pressroom-incremental-recent-');
    await build(config(out), true);
    const pageFile = path.join(config(out).dataDir, PAGE_CACHE_FILE);
    const whole = readFileSync(pageFile);
    const issueFile = path.join(config(out).dataDir, CACHE_FILE);
    const wholeIssues = readFileSync(issueFile);
    // Editing one of the oldest changes its page, the search part and the oldest archive page only.
    for (const [step, name] of [SAMPLE[SAMPLE.length - 1]!, SAMPLE[SAMPLE.length - 2]!].entries()) {
      const file = path.join(issuesDir, name);
      writeFileSync(file, `${readFileSync(file, 'utf8')}\n\nEdit ${step}.\n`);
      await build(config(out), true);
      expect(readFileSync(pageFile).equals(whole)).toBe(true);
      expect(existsSync(`${pageFile}.recent`)).toBe(true);
      expect(readFileSync(issueFile).equals(wholeIssues)).toBe(true);
      expect(existsSync(`${issueFile}.recent`)).toBe(true);
      const fresh = tempDir('pressroom-incremental-recent-cold-');
      await build(config(fresh), false);
      expect(readTree(out)).toEqual(readTree(fresh));
    }
    const again = tempDir('pressroom-incremental-recent-again-');
    const reloaded = await build(config(again), true); // every issue and page from the whole files and the recent ones
    expect(reloaded.cached).toBe(SAMPLE.length);
    expect(readTree(again)).toEqual(readTree(out));
  });

  it('restores output files edited or deleted by hand since the last build, and leaves the others alone', async () => {
    const { config } = makeFolder();
    const reference = tempDir('pressroom-incremental-ref-');
    await build(config(reference), false);
    const out = tempDir('pressroom-incremental-out-');
    await build(config(out), true);
    const page = path.join(out, 'issues', SAMPLE[5]!.replace(/\.md$/, ''), 'index.html');
    const untouched = path.join(out, 'issues', SAMPLE[6]!.replace(/\.md$/, ''), 'index.html');
    for (const file of [page, untouched]) expect(existsSync(`${file}.br`)).toBe(true);
    const untouchedMtime = statSync(untouched).mtimeMs;

    // Edited, appended to; edited keeping its size and putting its mtime back; deleted; one copy
    // deleted and one overwritten.
    writeFileSync(path.join(out, 'index.html'), `${readFileSync(path.join(out, 'index.html'), 'utf8')}<!-- by hand -->`);
    const before = statSync(page);
    writeFileSync(page, readFileSync(page, 'utf8').replace('<html', '<HTML'));
    utimesSync(page, before.atime, before.mtime);
    expect(statSync(page).size).toBe(before.size);
    rmSync(path.join(out, 'style.css'));
    rmSync(path.join(out, 'feed.xml.br'));
    writeFileSync(path.join(out, 'feed.json.gz'), 'not gzip');

    await build(config(out), true);
    expect(readTree(out)).toEqual(readTree(reference));
    expect(statSync(untouched).mtimeMs).toBe(untouchedMtime);
  });

  it('ignores a damaged or foreign cache with one warning, renders every issue and gives the cold output', async () => {
    const { config } = makeFolder();
    const reference = tempDir('pressroom-incremental-ref-');
    await build(config(reference), false);
    const out = tempDir('pressroom-incremental-out-');
    await build(config(out), true);
    const cacheFile = path.join(config(out).dataDir, CACHE_FILE);
    const pageFile = path.join(config(out).dataDir, PAGE_CACHE_FILE);
    const good = readFileSync(cacheFile);

    const flipped = Buffer.from(good);
    flipped[flipped.length - 100]! ^= 0x01; // one bit inside the payload: its hash no longer matches
    const damaged: Array<[string, Buffer]> = [
      ['damaged', flipped],
      ['damaged', good.subarray(0, good.length - 10)],
      ['not a Pressroom cache file', Buffer.from('{"entries": []}')],
    ];
    for (const [why, bytes] of damaged) {
      writeFileSync(cacheFile, bytes);
      rmSync(out, { recursive: true, force: true });
      writeFileSync(pageFile, bytes);
      const loaded = await build(config(out), true);
      expect(loaded.cached).toBe(0);
      // The issue cache's warning; the page cache's is the same line (build() compares them).
      expect(loaded.warnings).toEqual([{ file: cacheFile, message: `the render cache is ${why}; ignored (every issue is rendered again)` }]);
      expect(readTree(out)).toEqual(readTree(reference));
      // Rewritten whole: the next load uses it, without a warning.
      const next = await loadIssues(config(out), { cache: true, threads: 0 });
      expect([next.cached, next.warnings]).toEqual([SAMPLE.length, []]);
    }
  });

  it("reads an older Pressroom's cache file as empty, without a warning, and rewrites it", async () => {
    const { config } = makeFolder();
    const out = tempDir('pressroom-incremental-old-');
    await build(config(out), true);
    const cacheFile = path.join(config(out).dataDir, CACHE_FILE);
    // What the version before 2026-12-06 wrote: one v8 payload after a checksum line.
    writeFileSync(cacheFile, Buffer.concat([Buffer.from('pressroom-cache 2\n00000000\n', 'latin1'), serialize({ code: 'old', entries: [] })]));
    const upgraded = await loadIssues(config(out), { cache: true, threads: 0 });
    expect([upgraded.cached, upgraded.warnings]).toEqual([0, []]);
    const next = await loadIssues(config(out), { cache: true, threads: 0 });
    expect([next.cached, next.warnings]).toEqual([SAMPLE.length, []]);
  });

  it('through the CLI: build and check use the cache; --no-cache neither reads nor writes it', async () => {
    const { issuesDir, config } = makeFolder();
    const c = config(tempDir('pressroom-incremental-cli-'));
    const env = { PRESSROOM_DATA_DIR: c.dataDir, PRESSROOM_SITE_URL: 'https://news.example.org/' };
    const args = ['--issues', issuesDir, '--out', c.outDir];
    const cacheFile = path.join(c.dataDir, CACHE_FILE);

    const cold = await execCli(['build', ...args, '--no-cache'], { env });
    expect([cold.code, cold.stderr]).toEqual([0, '']);
    expect(existsSync(cacheFile)).toBe(false);
    const coldTree = readTree(c.outDir);

    const first = await execCli(['build', ...args], { env });
    expect([first.code, first.stderr, first.stdout]).toEqual([0, '', cold.stdout]);
    expect(existsSync(cacheFile)).toBe(true);
    writeFileSync(cacheFile, 'garbage');
    const check = await execCli(['check', '--no-preflight', '--issues', issuesDir], { env });
    expect(check.code).toBe(0);
    expect(check.stderr).toBe(`warning: ${cacheFile}: the render cache is not a Pressroom cache file; ignored (every issue is rendered again)\n`);
    const warm = await execCli(['build', ...args], { env });
    expect([warm.code, warm.stderr, warm.stdout]).toEqual([0, '', cold.stdout]);
    expect(readTree(c.outDir)).toEqual(coldTree);
  });
});
