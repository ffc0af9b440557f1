// The limits on what one issue file may cost (src/content/limits.ts), at their edges, through
// the loader: one problem line per file over a limit, and files at the limit still load.
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { formatProblem } from '../../src/content/issue.js';
import { MAX_FRONT_MATTER_CHARS, MAX_LOAD_SECONDS, MAX_NAME_BYTES, MAX_TOPIC_FEED_BYTES, MAX_TOPICS } from '../../src/content/limits.js';
import { loadIssues } from '../../src/content/load.js';
import { HOSTILE_RECIPES } from '../support/hostile-recipes.js';
import { projectRoot } from '../support/paths.js';

const topics = (n: number) => `tags: [${Array.from({ length: n }, (_, i) => `t${i}`).join(', ')}]\n`;
const issue = (fields: string, body = 'Body.\n') => `---\ntitle: "T"\ndate: 2022-11-04\n${fields}---\n${body}`;

/** Loads a folder made of `files` (name -> text) and returns the problem lines and valid slugs. */
async function load(files: Record<string, string>, setup?: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'pressroom-limits-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  await setup?.(dir);
  const config = defaultConfig(projectRoot);
  config.issuesDir = dir;
  const result = await loadIssues(config);
  const strip = (line: string) => line.slice(dir.length + 1);
  return {
    problems: result.problems.map((p) => strip(formatProblem(p))),
    warnings: result.warnings.map((p) => strip(formatProblem(p))),
    slugs: result.issues.map((i) => i.slug).sort(),
    issues: result.issues,
  };
}

describe('limits on one issue file', () => {
  it('tags and categories: at most MAX_TOPICS together', async () => {
    const { problems, slugs } = await load({
      'at-limit.md': issue(topics(MAX_TOPICS - 1) + 'categories: extra\n'),
      'over.md': issue(topics(MAX_TOPICS) + 'categories: extra\n'),
    });
    expect(slugs).toEqual(['at-limit']);
    expect(problems).toEqual([`over.md:4: tags: ${MAX_TOPICS + 1} tags and categories; an issue may have at most ${MAX_TOPICS} (each one gets its own feeds)`]);
  });

  it('topic feeds: a long issue may have fewer topics, since each topic feed repeats it', async () => {
    const body = `${'A plain paragraph of text. '.repeat(40)}\n\n`.repeat(450); // ~480 KB of HTML
    const { problems, slugs, issues } = await load({ 'few.md': issue(topics(3), body), 'many.md': issue(topics(40), body) });
    expect(slugs).toEqual(['few']);
    const htmlBytes = Buffer.byteLength(issues[0]!.html); // the same body, so the same HTML
    expect(40 * 3 * htmlBytes).toBeGreaterThan(MAX_TOPIC_FEED_BYTES);
    const allowed = Math.floor(MAX_TOPIC_FEED_BYTES / (3 * htmlBytes));
    expect(problems).toEqual([
      `many.md:4: tags: 40 tags and categories on an issue of ${(htmlBytes / 1024 / 1024).toFixed(1)} MB of HTML: every topic feed repeats the whole issue, so an issue this long may have at most ${allowed}`,
    ]);
  });

  it('names: a slug, tag or category of more than MAX_NAME_BYTES bytes of UTF-8', async () => {
    const cjk = '周'.repeat(Math.floor(MAX_NAME_BYTES / 3) + 1); // 34 characters, 102 bytes
    const { problems, slugs } = await load({
      'cjk-ok.md': issue(`categories: "${'周'.repeat(Math.floor(MAX_NAME_BYTES / 3))}"\n`),
      'cjk-long.md': issue(`categories: "${cjk}"\n`),
      [`${'f'.repeat(MAX_NAME_BYTES + 1)}.md`]: issue(''),
    });
    expect(slugs).toEqual(['cjk-ok']);
    expect(problems).toEqual([
      `cjk-long.md:4: categories: "${cjk}" is 102 bytes long; a category may be at most ${MAX_NAME_BYTES} bytes of UTF-8 (about ${MAX_NAME_BYTES} Latin or 33 Chinese characters)`,
      `${'f'.repeat(MAX_NAME_BYTES + 1)}.md: slug: "${'f'.repeat(37)}..." is ${MAX_NAME_BYTES + 1} bytes long; a slug may be at most ${MAX_NAME_BYTES} bytes of UTF-8 (about ${MAX_NAME_BYTES} Latin or 33 Chinese characters) (from the file name); set slug: in the front matter`,
    ]);
  });

  it('bundle files: names with control characters or too long for a file name with a temporary suffix', async () => {
    const long = `${'p'.repeat(240)}.png`;
    const { problems, slugs } = await load({ 'fine/index.md': issue(''), 'ctrl/index.md': issue(''), 'long/index.md': issue('') }, async (dir) => {
      await writeFile(path.join(dir, 'fine', 'ok-picture.png'), 'x');
      await writeFile(path.join(dir, 'ctrl', 'tab\there.png'), 'x');
      await writeFile(path.join(dir, 'long', long), 'x');
    });
    expect(slugs).toEqual(['fine']);
    expect(problems).toEqual([
      'ctrl/index.md: bundle file "tab\\there.png": a backslash or a control character in a file name breaks its URL; rename the file',
      `long/index.md: bundle file "${long.slice(0, 57)}...": "${long.slice(0, 37)}..." is 244 bytes long; a file name may be at most ${MAX_NAME_BYTES} bytes of UTF-8 (about ${MAX_NAME_BYTES} Latin or 33 Chinese characters)`,
    ]);
  });

  it('front matter: text repeated through YAML aliases counts once per use', async () => {
    const text = 'x'.repeat(Math.ceil(MAX_FRONT_MATTER_CHARS / 8));
    const { problems, slugs } = await load({
      'once.md': issue(`note: &n "${text}"\n`),
      'aliased.md': issue(`note: &n "${text}"\nagain: [${Array(8).fill('*n').join(', ')}]\n`),
    });
    expect(slugs).toEqual(['once']);
    expect(problems).toEqual([`aliased.md:5: again: the front matter holds more than ${MAX_FRONT_MATTER_CHARS} characters of text (each use of a YAML alias counted)`]);
  });

  it('front matter languages: TOML and JSON fences still load, any other language is one line', async () => {
    const { problems, slugs } = await load({
      'toml.md': '---toml\ntitle = "T"\ndate = "2022-11-04"\n---\nBody.\n',
      'json.md': '---json\n{"title": "T", "date": "2022-11-04"}\n---\nBody.\n',
      'upper.md': '---YAML\ntitle: T\ndate: 2022-11-04\n---\nBody.\n',
      'cson.md': '---cson\ntitle: "T"\n---\nBody.\n',
    });
    expect(slugs).toEqual(['json', 'toml', 'upper']);
    expect(problems).toEqual(['cson.md:1: front matter language "cson" is not supported; use YAML (---), TOML (+++) or JSON']);
  });

  it('a file named with a newline still gets one problem line', async () => {
    const { problems } = await load({ 'two\nlines.md': issue('') });
    expect(problems).toEqual([`two\\u000alines.md: slug: "two\\u000alines" (from the file name) may only use letters, digits, '.', '_' and '-'; set slug: in the front matter`]);
  });

  it('symbolic links: skipped with a warning, not a problem', async () => {
    const { problems, warnings, slugs } = await load({ 'real.md': issue('') }, (dir) => symlink(path.join(dir, 'real.md'), path.join(dir, 'link.md')));
    expect(slugs).toEqual(['real']);
    expect(problems).toEqual([]);
    expect(warnings).toEqual(['link.md: is a symbolic link; skipped (issue files must be regular files)']);
  });

  it('time: a file that takes longer than MAX_LOAD_SECONDS is skipped, and refused again until it changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pressroom-limits-'));
    const config = defaultConfig(projectRoot);
    config.issuesDir = dir;
    const file = path.join(dir, 'issue-emphasis-runs.md');
    await writeFile(file, HOSTILE_RECIPES['issue-emphasis-runs.md']!());
    // One before it and one after it: a file interrupted after others in the same vm call is
    // tried again on its own before it is called too slow, and the files after it still load.
    await writeFile(path.join(dir, 'good.md'), issue(''));
    await writeFile(path.join(dir, 'later.md'), issue(''));
    const refused = `${file}: took longer than ${MAX_LOAD_SECONDS} s to read and render (Markdown too complex, e.g. very long runs of * or _); skipped`;
    for (let i = 0; i < 2; i++) {
      const { issues, problems } = await loadIssues(config);
      expect(problems.map(formatProblem)).toEqual([refused]);
      expect(issues.map((x) => x.slug).sort()).toEqual(['good', 'later']);
    }
    await writeFile(file, issue('', '*Fixed*.\n'));
    const fixed = await loadIssues(config);
    expect(fixed.problems).toEqual([]);
    expect(fixed.issues.map((x) => x.slug).sort()).toEqual(['good', 'issue-emphasis-runs', 'later']);
  });
});
