// `pressroom build` on a folder big enough to load in worker threads, through the shipped CLI
// (bin/pressroom.js runs dist/, and its threads run dist/content/load-worker.js, with no
// TypeScript loader): the site must be byte-identical to one built from a single-thread load.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildSite } from '../../src/build/site.js';
import { loadConfig } from '../../src/config/config.js';
import { loadIssues, PARALLEL_MIN_FILES } from '../../src/content/load.js';
import { execCliSync } from '../support/cli.js';
import { corpusDir, projectRoot } from '../support/paths.js';

function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, name);
    try {
      files.set(name.split(path.sep).join('/'), readFileSync(full));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
    }
  }
  return files;
}

it('builds the same site from a big folder as a single-thread load does', async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'pressroom-cli-threads-'));
  const issuesDir = path.join(work, 'issues');
  mkdirSync(issuesDir);
  const corpus = readdirSync(corpusDir).filter((name) => name.endsWith('.md'));
  // Enough copies of the corpus under new names (new slugs) to go over PARALLEL_MIN_FILES.
  const copies = Math.floor(PARALLEL_MIN_FILES / corpus.length) + 1;
  for (let k = 0; k < copies; k++) {
    await Promise.all(corpus.map((name) => copyFile(path.join(corpusDir, name), path.join(issuesDir, `c${k}-${name}`))));
  }
  const total = corpus.length * copies;
  expect(total).toBeGreaterThan(PARALLEL_MIN_FILES);

  const siteUrl = 'https://news.example.org/weekly/';
  const cliOut = path.join(work, 'cli-out');
  const result = execCliSync(['build', '--issues', issuesDir, '--out', cliOut, '--site-url', siteUrl]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain(`built ${total} issues into ${cliOut}`);

  const config = loadConfig({ issues: issuesDir, out: path.join(work, 'reference-out'), siteUrl }, {}, projectRoot);
  const { issues, problems } = await loadIssues(config, { threads: 1 });
  expect(problems).toEqual([]);
  await buildSite(config, issues);

  const built = tree(cliOut);
  const reference = tree(config.outDir);
  expect([...built.keys()].sort()).toEqual([...reference.keys()].sort());
  expect(built.size).toBeGreaterThan(total);
  const differing = [...reference].filter(([name, bytes]) => !built.get(name)?.equals(bytes)).map(([name]) => name);
  expect(differing).toEqual([]);
}, 300_000);
