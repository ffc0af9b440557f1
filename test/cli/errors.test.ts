// Errors that are one line: a busy HTTP port, a reader that stops reading our output, and an
// unknown slug (the same exit code for every command that takes one).
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
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

function pressroom(args: string[], options: { closeStdout?: boolean } = {}): Promise<CliRun> {
  return runCli(site, args, options);
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
    for (const args of [
      ['preview', 'no-such-issue'],
      ['send', 'no-such-issue', '--test', 'a@example.org'],
      ['send', 'no-such-issue'],
    ]) {
      const r = await pressroom(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(messages(r.stderr)).toEqual([`pressroom: no valid issue with slug "no-such-issue" in ${path.join(site.dir, 'issues')} (run pressroom check)`]);
    }
  });
});
