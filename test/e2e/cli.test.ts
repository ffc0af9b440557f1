// `pressroom start` as a user runs it: a fresh folder with the sample issues and templates,
// embedded defaults (SQLite in ./data, outbox folder), the printed URL serving the feeds, and a
// clean exit on SIGTERM. Configuration mistakes exit 2 with a one-line message.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execCliSync, startCli, type EnvOverrides } from '../support/cli.js';
import { projectRoot } from '../support/paths.js';
import { waitFor } from '../support/wait.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freshClone(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pressroom-clone-'));
  dirs.push(dir);
  cpSync(path.join(projectRoot, 'issues'), path.join(dir, 'issues'), { recursive: true });
  cpSync(path.join(projectRoot, 'emails'), path.join(dir, 'emails'), { recursive: true });
  return dir;
}

/** No NODE_ENV either (vitest sets NODE_ENV=test): the CLI as a user starts it. */
function cleanEnv(extra: Record<string, string> = {}): EnvOverrides {
  return { NODE_ENV: undefined, ...extra };
}

describe('pressroom start', () => {
  it('starts on embedded defaults in a fresh folder, prints the URL, serves the samples, stops on SIGTERM', async () => {
    const dir = freshClone();
    const start = startCli(['start', '--port', '0'], { cwd: dir, env: cleanEnv() });
    const { child, exited } = start;
    try {
      const deadline = Date.now() + 30_000;
      const url = await waitFor(() => /Pressroom is running at (http:\/\/\S+)/.exec(start.stdout())?.[1], { what: 'the URL printed', timeout: 30_000, alive: start });
      // The first tick builds the site; poll until the feed is there.
      const feed = await waitFor(
        async () => {
          const response = await fetch(`${url}feed.xml`);
          return response.status === 200 ? response : undefined;
        },
        { what: 'the feed served', timeout: deadline - Date.now(), interval: 100, describe: start.stderr },
      );
      expect(feed.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
      expect(await feed.text()).toContain('Welcome to the Pressroom weekly');
      const health = await fetch(`${url}healthz`);
      expect(health.status).toBe(200);
      expect(existsSync(path.join(dir, 'data', 'pressroom.db'))).toBe(true);
      expect(existsSync(path.join(dir, 'data', 'secret'))).toBe(true);
      expect(start.stderr()).toContain('outbox');
      // Nothing but Pressroom's own lines: no library warning at start (ajv's strict mode once printed two).
      expect(start.output()).not.toMatch(/strict mode/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, start.stderr()).toBe(0);
    // The samples predate the first start: feeds only, nothing mailed.
    const outbox = path.join(dir, 'data', 'outbox');
    expect(existsSync(outbox) ? readdirSync(outbox, { recursive: true }).filter((f) => String(f).endsWith('.eml')) : []).toEqual([]);
  });

  it('exits 2 with a one-line message on a bad schedule', () => {
    const dir = freshClone();
    const r = execCliSync(['worker'], { cwd: dir, env: cleanEnv({ PRESSROOM_SCHEDULE: 'every monday' }) });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^pressroom: schedule: "every monday" is not a cron expression/);
  });

  it('exits 2 when NODE_ENV=production has no secret', () => {
    const dir = freshClone();
    const r = execCliSync(['serve', '--port', '0'], { cwd: dir, env: cleanEnv({ NODE_ENV: 'production' }) });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^pressroom: secret: required when NODE_ENV=production/);
  });

  it('exits 2 on a bad --port', () => {
    const r = execCliSync(['serve', '--port', 'eighty'], { cwd: freshClone(), env: cleanEnv() });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('pressroom: --port: "eighty" is not a port number (expected 0-65535)');
  });
});
