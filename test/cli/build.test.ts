import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execCliSync } from '../support/cli.js';
import { corpusDir, validateFeedsTool } from '../support/paths.js';

function run(args: string[]) {
  return execCliSync(args);
}

describe('pressroom build', () => {
  it('builds the real corpus into feeds that pass the strict validator', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'pressroom-build-'));
    const result = run(['build', '--issues', corpusDir, '--out', out, '--site-url', 'https://sofa.example.org/weekly']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`built 192 issues into ${out}`);
    const validation = spawnSync(validateFeedsTool, [out], { encoding: 'utf8' });
    expect(validation.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ feeds checked, 0 problems$/);
    expect(validation.status).toBe(0);
    const rss = await readFile(path.join(out, 'feed.xml'), 'utf8');
    expect(rss).toContain('https://sofa.example.org/weekly/issues/sofa-weekly-1006/');
  });

  it('skips bad files with their messages on stderr, builds the rest and exits 1', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'pressroom-build-bad-'));
    const result = run(['build', '--issues', 'test/fixtures/issues-bad', '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('test/fixtures/issues-bad/bad-date.md:3: date: "next friday" is not a date');
    expect(result.stdout).toContain('built 2 issues');
    expect(existsSync(path.join(out, 'issues/dirty/index.html'))).toBe(true);
    expect(existsSync(path.join(out, 'issues/bad-date/index.html'))).toBe(false);
  });
});
