import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execCliSync } from '../support/cli.js';
import { corpusDir } from '../support/paths.js';
import { tempDir } from '../support/site.js';

function run(args: string[], env: Record<string, string> = {}) {
  return execCliSync(args, { env });
}

describe('pressroom check', () => {
  it('passes the real corpus with exit 0: its preflight warnings are printed, and fail it only with --strict', () => {
    const result = run(['check', '--issues', corpusDir]);
    const warnings = result.stderr.trim().split('\n');
    expect(warnings.filter((line) => !/^warning: \S+\.md(:\d+)?: /.test(line))).toEqual([]);
    expect(result.stdout).toContain(`192 valid issues (192 published, 0 scheduled, 0 drafts), 0 problems, ${warnings.length} preflight warnings\n`);
    expect(result.status).toBe(0);
    const strict = run(['check', '--strict', '--issues', corpusDir]);
    expect(strict.stdout).toContain(`0 problems, ${warnings.length} preflight warnings (--strict: failed)`);
    expect(strict.status).toBe(1);
    const validation = run(['check', '--no-preflight', '--strict', '--issues', corpusDir]);
    expect([validation.status, validation.stderr]).toEqual([0, '']);
  });

  it('prints every problem of every file and exits 1', () => {
    const result = run(['check', '--no-preflight', '--issues', 'test/fixtures/issues-bad']);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines).toContain('test/fixtures/issues-bad/bad-date.md:3: date: "next friday" is not a date (expected e.g. 2022-11-04T15:00:00+08:00)');
    expect(result.stdout).toContain('2 valid issues');
  });

  it('reads the issues folder from PRESSROOM_ISSUES_DIR', () => {
    const result = run(['check'], { PRESSROOM_ISSUES_DIR: 'test/fixtures/issues-good' });
    expect(result.stdout).toContain('7 valid issues (5 published, 1 scheduled, 1 draft)');
    expect(result.status).toBe(0);
  });

  it('counts the published issues still waiting for their send_at, and reports a send_at before the date', () => {
    const dir = path.join(tempDir(), 'issues');
    mkdirSync(dir);
    const issue = (fields: string) => `---\ntitle: T\n${fields}\n---\n\nBody.\n`;
    writeFileSync(path.join(dir, 'waiting.md'), issue('date: 2020-01-01T09:00:00Z\nsend_at: 2999-01-01T09:00:00Z'));
    writeFileSync(path.join(dir, 'sent.md'), issue('date: 2020-01-01T09:00:00Z\nsend_at: 2020-01-02T09:00:00Z'));
    writeFileSync(path.join(dir, 'quiet.md'), issue('date: 2020-01-01T09:00:00Z\nsend_at: 2999-01-01T09:00:00Z\nemail: false'));
    const ok = run(['check', '--issues', dir]);
    expect(ok.stdout).toContain('3 valid issues (3 published, 0 scheduled, 0 drafts, 1 published and emailed later at send_at), 0 problems');
    expect(ok.status).toBe(0);
    writeFileSync(path.join(dir, 'early.md'), issue('date: 2020-01-02T09:00:00Z\nsend_at: 2020-01-01T09:00:00Z'));
    const bad = run(['check', '--issues', dir]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(
      'early.md:4: send_at: 2020-01-01T09:00:00Z is before the date 2020-01-02T09:00:00Z; an issue is emailed at or after its publication (its email links to its page)',
    );
  });

  it('exits 2 on usage and configuration errors, 0 on --help', () => {
    expect(run(['check', '--no-such-flag']).status).toBe(2);
    expect(run(['no-such-command']).status).toBe(2);
    const badConfig = run(['check', '--config', 'does-not-exist.json']);
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain('does-not-exist.json: cannot read the configuration file');
    const help = run(['check', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: pressroom check');
  });
});
