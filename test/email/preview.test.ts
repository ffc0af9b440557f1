import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { execCliSync, startCli } from '../support/cli.js';
import { corpusDir as CORPUS } from '../support/paths.js';
import { waitFor } from '../support/wait.js';

function run(args: string[], cwd: string) {
  return execCliSync(args, { cwd, env: { PRESSROOM_LOG_LEVEL: 'silent' } });
}

describe('pressroom preview', () => {
  it('writes .html, .txt and .eml for a sample subscriber and prints their paths', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'pr-preview-'));
    const r = run(['preview', 'sofa-weekly-20200508', '--issues', CORPUS, '--site-url', 'https://weekly.example.org/'], cwd);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const printed = r.stdout.trim().split('\n');
    expect(printed).toEqual(['preview/sofa-weekly-20200508.html', 'preview/sofa-weekly-20200508.txt', 'preview/sofa-weekly-20200508.eml']);
    for (const p of printed) expect(existsSync(path.join(cwd, p))).toBe(true);
    const html = readFileSync(path.join(cwd, printed[0]!), 'utf8');
    const text = readFileSync(path.join(cwd, printed[1]!), 'utf8');
    const eml = readFileSync(path.join(cwd, printed[2]!));
    const parsed = await simpleParser(eml);
    expect(parsed.subject).toBe('SOFA Weekly | MOSN&SOFARPC 发布、社区活动报名');
    // Line ends are CRLF inside MIME, and the CRLF before a boundary belongs to the boundary.
    const norm = (x: string) => x.replace(/\r\n/g, '\n').replace(/\n$/, '');
    expect(norm(parsed.html as string)).toBe(norm(html));
    expect(norm(parsed.text!)).toBe(norm(text));
    expect(html).toContain('subscriber@example.org');
    expect(html).toContain('https://weekly.example.org/unsubscribe?token=');
    expect(html).toContain('<table');
    expect(text).toContain('Unsubscribe');
    // A dev secret was generated for the tokens, in the data folder of the working directory.
    expect(existsSync(path.join(cwd, 'data', 'secret'))).toBe(true);
  });

  it('honours --out and exits 2 (like send) with one clear line for an unknown slug', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'pr-preview-'));
    const ok = run(['preview', 'sofa-weekly-0327', '--issues', CORPUS, '--out', 'elsewhere'], cwd);
    expect(ok.status).toBe(0);
    expect(existsSync(path.join(cwd, 'elsewhere', 'sofa-weekly-0327.eml'))).toBe(true);
    const bad = run(['preview', 'no-such-issue', '--issues', CORPUS], cwd);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim()).toBe(`pressroom: no valid issue with slug "no-such-issue" in ${CORPUS} (run pressroom check)`);
  });

  it('--open serves the HTML on a local port', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'pr-preview-'));
    const child = startCli(['preview', 'sofa-weekly-20221104', '--issues', CORPUS, '--open'], { cwd });
    try {
      const url = await waitFor(() => /serving the preview at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(child.stdout())?.[1], { what: 'the preview URL', timeout: 60_000, alive: child });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const body = await res.text();
      expect(body).toBe(readFileSync(path.join(cwd, 'preview', 'sofa-weekly-20221104.html'), 'utf8'));
    } finally {
      await child.stop();
    }
  });
});
