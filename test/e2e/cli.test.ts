// `pressroom start` as a user runs it: a fresh folder with the sample issues and templates,
// embedded defaults (SQLite in ./data, outbox folder), the printed URL serving the feeds, and a
// clean exit on SIGTERM. Configuration mistakes exit 2 with a one-line message.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, projectRoot } from '../support/paths.js';

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

/** The environment without any PRESSROOM_*, SMTP_URL or DATABASE_URL from the caller. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PRESSROOM_') && k !== 'SMTP_URL' && k !== 'DATABASE_URL' && k !== 'NODE_ENV') env[k] = v;
  }
  return { ...env, ...extra };
}

describe('pressroom start', () => {
  it('starts on embedded defaults in a fresh folder, prints the URL, serves the samples, stops on SIGTERM', async () => {
    const dir = freshClone();
    const child = spawn(process.execPath, [cliPath, 'start', '--port', '0'], { cwd: dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 30_000;
      let url: string | undefined;
      while (!url) {
        url = /Pressroom is running at (http:\/\/\S+)/.exec(stdout)?.[1];
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no URL printed:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The first tick builds the site; poll until the feed is there.
      let feed: Response | undefined;
      while (feed?.status !== 200) {
        if (Date.now() > deadline) throw new Error(`feed never served:\n${stderr}`);
        feed = await fetch(`${url}feed.xml`);
        if (feed.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(feed.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
      expect(await feed.text()).toContain('Welcome to the Pressroom weekly');
      const health = await fetch(`${url}healthz`);
      expect(health.status).toBe(200);
      expect(existsSync(path.join(dir, 'data', 'pressroom.db'))).toBe(true);
      expect(existsSync(path.join(dir, 'data', 'secret'))).toBe(true);
      expect(stderr).toContain('outbox');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    // The samples predate the first start: feeds only, nothing mailed.
    const outbox = path.join(dir, 'data', 'outbox');
    expect(existsSync(outbox) ? readdirSync(outbox, { recursive: true }).filter((f) => String(f).endsWith('.eml')) : []).toEqual([]);
  });

  it('exits 2 with a one-line message on a bad schedule', () => {
    const dir = freshClone();
    const r = spawnSync(process.execPath, [cliPath, 'worker'], { cwd: dir, env: cleanEnv({ PRESSROOM_SCHEDULE: 'every monday' }), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^pressroom: schedule: "every monday" is not a cron expression/);
  });

  it('exits 2 when NODE_ENV=production has no secret', () => {
    const dir = freshClone();
    const r = spawnSync(process.execPath, [cliPath, 'serve', '--port', '0'], { cwd: dir, env: cleanEnv({ NODE_ENV: 'production' }), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^pressroom: secret: required when NODE_ENV=production/);
  });

  it('exits 2 on a bad --port', () => {
    const r = spawnSync(process.execPath, [cliPath, 'serve', '--port', 'eighty'], { cwd: freshClone(), env: cleanEnv(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('pressroom: --port: "eighty" is not a port number (expected 0-65535)');
  });
});
