// Errors that are one line: a busy HTTP port, a reader that stops reading our output, and an
// unknown slug (the same exit code for every command that takes one).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSite, SLUG } from '../delivery/harness.js';
import { cliPath } from '../support/paths.js';

let site: ReturnType<typeof makeSite>;

beforeAll(() => {
  site = makeSite();
});
afterAll(() => {
  if (site) rmSync(site.dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function pressroom(args: string[], options: { closeStdout?: boolean } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PRESSROOM_') && k !== 'SMTP_URL' && k !== 'DATABASE_URL') env[k] = v;
  Object.assign(env, {
    PRESSROOM_CONFIG: path.join(site.dir, 'pressroom.config.json'),
    PRESSROOM_ISSUES_DIR: path.join(site.dir, 'issues'),
    PRESSROOM_DATA_DIR: site.config.dataDir,
    PRESSROOM_LOG_LEVEL: 'error',
  });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: site.dir, env });
    let stdout = '';
    let stderr = '';
    // Like `| head -0`: the reading end is gone before the command writes its first line.
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The "pressroom: ..." lines of stderr (pino's JSON log lines aside); no stack trace anywhere. */
function messages(stderr: string): string[] {
  expect(stderr).not.toMatch(/^\s+at /m);
  return stderr.split('\n').filter((l) => l.startsWith('pressroom: '));
}

describe('one-line errors', () => {
  it('serve and start on a port in use exit 2 with one line', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as AddressInfo;
    try {
      for (const command of ['serve', 'start']) {
        const r = await pressroom([command, '--port', String(port)]);
        expect(r.code, r.stderr).toBe(2);
        expect(messages(r.stderr)).toEqual([`pressroom: port: 127.0.0.1:${port} is already in use (stop the other server, or choose another port with --port or PRESSROOM_PORT)`]);
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('preview into a closed pipe (| head) exits 0 quietly', async () => {
    const r = await pressroom(['preview', SLUG, '--out', path.join(site.dir, 'preview')], { closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('preview and send agree on an unknown slug: exit 2, one line', async () => {
    for (const args of [['preview', 'no-such-issue'], ['send', 'no-such-issue', '--test', 'a@example.org'], ['send', 'no-such-issue']]) {
      const r = await pressroom(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(messages(r.stderr)).toEqual([`pressroom: no valid issue with slug "no-such-issue" in ${path.join(site.dir, 'issues')} (run pressroom check)`]);
    }
  });
});
