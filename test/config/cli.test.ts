// Configuration errors through the real CLI: exit 2, one "pressroom: ..." line, no stack trace.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSite, SLUG } from '../delivery/harness.js';
import { runCli, type CliRun } from '../support/cli.js';

let site: ReturnType<typeof makeSite>;

beforeAll(() => {
  site = makeSite();
});
afterAll(() => {
  if (site) rmSync(site.dir, { recursive: true, force: true });
});

function oneLine(run: CliRun): string {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('configuration errors on the command line', () => {
  it('SMTP_URL=foo://x pressroom send SLUG --test a@b.org', async () => {
    const r = await runCli(site, ['send', SLUG, '--test', 'a@b.org'], { env: { SMTP_URL: 'foo://x' } });
    expect(oneLine(r)).toBe('pressroom: SMTP_URL: "foo://x" must start with smtp:// or smtps:// (or be outbox:), not foo://');
  });

  it('a DKIM key path that does not exist stops every command before it starts', async () => {
    const file = path.join(site.dir, 'dkim.json');
    const settings = JSON.parse(readFileSync(path.join(site.dir, 'pressroom.config.json'), 'utf8'));
    writeFileSync(file, JSON.stringify({ ...settings, email: { ...settings.email, dkim: { domain: 'example.org', selector: 's1', privateKeyPath: 'no-such-key.pem' } } }));
    const expected = `pressroom: ${file}: email.dkim.privateKeyPath: cannot read ${path.join(site.dir, 'no-such-key.pem')} (ENOENT)`;
    for (const args of [
      ['send', SLUG, '--test', 'a@b.org'],
      ['preview', SLUG, '--out', path.join(site.dir, 'preview')],
    ]) {
      expect(oneLine(await runCli(site, args, { env: { PRESSROOM_CONFIG: file } }))).toBe(expected);
    }
  });
});
