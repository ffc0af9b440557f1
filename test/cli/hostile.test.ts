// Hostile issue files through the real CLI: each one is refused with one line naming it, the
// good files beside them are still checked and built, and `check` reports exactly what `build`
// refuses. The small files are fixtures (test/fixtures/hostile/issue-*); the big ones are made
// here from a recipe.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOAD_SECONDS, MAX_TOPICS } from '../../src/content/limits.js';
import { HOSTILE_RECIPES } from '../support/hostile-recipes.js';
import { execCliSync } from '../support/cli.js';
import { fixturesDir } from '../support/paths.js';

/** What each hostile file's one line must say (after "<path>:<line>: "). */
const EXPECTED: Record<string, RegExp> = {
  'issue-coffee-front-matter.md': /:1: front matter language "coffee" is not supported; use YAML \(---\), TOML \(\+\+\+\) or JSON$/,
  'issue-year-0050.md': /:3: date: "0050-06-01" is in the year 50; dates before the year 1000 are refused/,
  'issue-long-slug.md': /:4: slug: "a+\.\.\." is 300 bytes long; a slug may be at most 100 bytes/,
  'issue-long-tag.md': /:4: tags: "t+\.\.\." is 300 bytes long; a tag may be at most 100 bytes/,
  'issue-deep-quotes.md': /(:5: the Markdown nests \d+ levels deep .*; at most \d+ are allowed|: nests too deeply to read \(quotes, lists or emphasis inside one another\))$/,
  'issue-billion-laughs.md': /:4: lol: the front matter holds more than 10000 values/,
  'issue-bundle-backslash/index.md': /: bundle file "a\\\\b\.png": a backslash or a control character in a file name breaks its URL; rename the file$/,
  'issue-emphasis-runs.md': new RegExp(`: took longer than ${MAX_LOAD_SECONDS} s to read and render`),
  'issue-star-runs.md': /: (took longer than \d+ s to read and render|nests too deeply to read|the Markdown nests \d+ levels deep)/,
  'issue-20000-tags.md': /:4: tags: the front matter holds more than 10000 values/,
  'issue-3000-tags.md': new RegExp(`:4: tags: 3000 tags and categories; an issue may have at most ${MAX_TOPICS}`),
  'issue-nested-json.md': /: deep: the front matter nests lists and mappings more than 20 levels deep$/,
};

const work = mkdtempSync(path.join(os.tmpdir(), 'pressroom-hostile-'));
const issuesDir = path.join(work, 'issues');
const outDir = path.join(work, 'public');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(...args: string[]) {
  return execCliSync([...args, '--issues', issuesDir], { timeout: 300_000 });
}

let check: ReturnType<typeof run>;
let build: ReturnType<typeof run>;

beforeAll(() => {
  cpSync(path.join(fixturesDir, 'issues-good'), path.join(issuesDir, 'good'), { recursive: true });
  const hostile = path.join(issuesDir, 'hostile');
  for (const name of readdirSync(path.join(fixturesDir, 'hostile')).filter((n) => n.startsWith('issue-'))) {
    cpSync(path.join(fixturesDir, 'hostile', name), path.join(hostile, name), { recursive: true });
  }
  writeFileSync(path.join(hostile, 'issue-bundle-backslash', 'a\\b.png'), 'not really a picture');
  for (const [name, recipe] of Object.entries(HOSTILE_RECIPES)) writeFileSync(path.join(hostile, name), recipe());
  symlinkSync(path.join(issuesDir, 'good', '2022-11-04.md'), path.join(hostile, 'issue-symlink.md'));
  // Validation only: build reports what check refuses, line for line (preflight warnings are check's alone: test/cli/check-preflight.test.ts).
  check = run('check', '--no-preflight');
  build = run('build', '--out', outDir);
}, 600_000);

const lines = (stderr: string) => stderr.trim().split('\n');

describe('hostile issue files', () => {
  it('check names each hostile file in exactly one line, without a stack trace, and exits 1', () => {
    expect(check.stderr).not.toMatch(/^\s+at /m);
    expect(check.status).toBe(1);
    for (const [name, expected] of Object.entries(EXPECTED)) {
      const shown = path.join(issuesDir, 'hostile', name).split(path.sep).join('/');
      const mine = lines(check.stderr).filter((line) => line.startsWith(shown));
      expect(mine, name).toHaveLength(1);
      expect(mine[0]!.slice(shown.length), name).toMatch(expected);
    }
    expect(lines(check.stderr)).toHaveLength(Object.keys(EXPECTED).length + 1); // + the symlink warning
    // The good folder: 7 valid issues (5 published, 1 scheduled, 1 draft).
    expect(check.stdout).toContain(`7 valid issues (5 published, 1 scheduled, 1 draft), ${Object.keys(EXPECTED).length} problems`);
  });

  it('says once that a symlinked issue file is skipped, and it does not count as a problem', () => {
    const warnings = lines(check.stderr).filter((line) => line.startsWith('warning: '));
    expect(warnings).toEqual([`warning: ${path.join(issuesDir, 'hostile', 'issue-symlink.md')}: is a symbolic link; skipped (issue files must be regular files)`]);
  });

  it('build refuses exactly what check reports, builds every good file and exits 1', () => {
    expect(build.stderr).not.toMatch(/^\s+at /m);
    expect(lines(build.stderr)).toEqual(lines(check.stderr));
    expect(build.stdout).toMatch(/^built 5 issues into /m);
    expect(build.status).toBe(1);
    expect(existsSync(path.join(outDir, 'issues', '2022-11-04', 'index.html'))).toBe(true);
    expect(existsSync(path.join(outDir, 'feed.xml'))).toBe(true);
    expect(readdirSync(path.join(outDir, 'issues')).sort()).toHaveLength(5);
  });
});
