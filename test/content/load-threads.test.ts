// Loading a big folder in loader threads must give exactly what loading in this thread gives:
// the same issues (deep, strict equality) and the same problem lines in the same order.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { formatProblem } from '../../src/content/issue.js';
import { BATCH, loadIssues } from '../../src/content/load.js';
import { corpusDir, fixturesDir, projectRoot } from '../support/paths.js';

// The bad fixtures twice (before and after the corpus, so the second copy's valid files are
// duplicate slugs) around the 192 corpus issues: problems spread over several batches.
const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-threads-'));
cpSync(path.join(fixturesDir, 'issues-bad'), path.join(dir, 'a-bad'), { recursive: true });
cpSync(corpusDir, path.join(dir, 'corpus'), { recursive: true });
cpSync(path.join(fixturesDir, 'issues-bad'), path.join(dir, 'z-bad'), { recursive: true });
const fileCount = readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.md')).length;

const config = defaultConfig(projectRoot);
config.issuesDir = dir;
config.site.url = 'https://news.example.org/';
config.site.timeZone = 'Asia/Shanghai';

describe('loading issue files in worker threads', async () => {
  const inOneThread = await loadIssues(config, { threads: 0 });

  it('the reference load in this thread sees every kind of file', () => {
    expect(fileCount).toBeGreaterThan(10 * BATCH);
    expect(inOneThread.issues).toHaveLength(192 + 2); // the corpus + the two valid bad-folder files
    const lines = inOneThread.problems.map(formatProblem);
    expect(lines.filter((line) => line.includes('a-bad/bad-date.md:3: date: "next friday" is not a date'))).toHaveLength(1);
    expect(lines.filter((line) => line.includes('z-bad/bad-date.md:3: date: "next friday" is not a date'))).toHaveLength(1);
    expect(lines.some((line) => line.includes('z-bad/dirty.md: slug: duplicate slug "dirty": already used by') && line.includes('a-bad/dirty.md'))).toBe(true);
  });

  it('gives the same issues and problem lines with two loader threads', async () => {
    const inWorker = await loadIssues(config, { threads: 2 });
    expect(inWorker.problems.map(formatProblem)).toEqual(inOneThread.problems.map(formatProblem));
    expect(inWorker).toStrictEqual(inOneThread);
  });

  it('gives the same result with three loader threads sharing the files', async () => {
    expect(await loadIssues(config, { threads: 3 })).toStrictEqual(inOneThread);
  });
});
