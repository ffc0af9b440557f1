// `pressroom serve --trust-proxy` through the real CLI and real TCP: a bare flag (or
// PRESSROOM_TRUST_PROXY=true) means the one proxy in front, never "believe every hop", so forged
// left-most X-Forwarded-For entries cannot multiply a client's sign-up allowance (issue 10.1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath } from '../support/paths.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-trust-proxy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const dir = path.join(root, String(Math.random()).slice(2));
  mkdirSync(path.join(dir, 'issues'), { recursive: true });
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
    PRESSROOM_OUT_DIR: path.join(dir, 'public'),
    PRESSROOM_DATA_DIR: path.join(dir, 'data'),
    PRESSROOM_PORT: '0',
    PRESSROOM_SECRET: 'trust-proxy-secret-0123456789abcdef',
    PRESSROOM_LOG_LEVEL: 'warn',
    ...extra,
  };
  for (const k of ['DATABASE_URL', 'SMTP_URL', 'PRESSROOM_CONFIG', 'PRESSROOM_TRUST_PROXY']) if (!(k in extra)) delete e[k];
  return e;
}

async function serve(args: string[], environment: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cliPath, 'serve', ...args], { env: environment, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace(/\/?$/, '/'));
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return { url, child };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('pressroom serve --trust-proxy', { timeout: 120_000 }, () => {
  for (const [label, args, extra] of [
    ['--trust-proxy (bare flag)', ['--trust-proxy'], {}],
    ['PRESSROOM_TRUST_PROXY=true', [], { PRESSROOM_TRUST_PROXY: 'true' }],
  ] as const) {
    it(`${label}: 14 sign-ups with forged X-Forwarded-For entries count as one client`, async () => {
      const { url, child } = await serve([...args], env(extra));
      try {
        const statuses: number[] = [];
        for (let i = 1; i <= 14; i++) {
          const res = await fetch(new URL('subscribe', url), {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.99.0.${i}, 203.0.113.50` },
            body: JSON.stringify({ email: `forged${i}@example.org` }),
          });
          statuses.push(res.status);
        }
        // The default limit: 10 sign-ups per client per 10 minutes.
        expect(statuses.filter((s) => s === 202)).toHaveLength(10);
        expect(statuses.slice(10)).toEqual([429, 429, 429, 429]);
      } finally {
        await stop(child);
      }
    });
  }

  it('a value that is neither a hop count nor proxy addresses is a one-line usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [cliPath, 'serve', '--trust-proxy', 'everyone'], { env: env({}), cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'pressroom: --trust-proxy: "everyone" is not a hop count or a proxy address (expected e.g. 1, or 10.0.0.5,192.168.0.0/16, or loopback/linklocal/uniquelocal)',
    );
  });
});
