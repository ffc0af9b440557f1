// `pressroom serve --trust-proxy` through the real CLI and real TCP: a bare flag (or
// PRESSROOM_TRUST_PROXY=true) means the one proxy in front, never "believe every hop", so forged
// left-most X-Forwarded-For entries cannot multiply a client's sign-up allowance (issue 10.1).
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execCli, startCli, type CliProcess, type EnvOverrides } from '../support/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-trust-proxy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh site folder, configured only through the environment (no config file). */
function env(extra: Record<string, string>): EnvOverrides {
  const dir = path.join(root, String(Math.random()).slice(2));
  mkdirSync(path.join(dir, 'issues'), { recursive: true });
  return {
    PRESSROOM_ISSUES_DIR: path.join(dir, 'issues'),
    PRESSROOM_OUT_DIR: path.join(dir, 'public'),
    PRESSROOM_DATA_DIR: path.join(dir, 'data'),
    PRESSROOM_PORT: '0',
    PRESSROOM_SECRET: 'trust-proxy-secret-0123456789abcdef',
    PRESSROOM_LOG_LEVEL: 'warn',
    ...extra,
  };
}

async function serve(args: string[], environment: EnvOverrides): Promise<{ url: string; child: CliProcess }> {
  const child = startCli(['serve', ...args], { env: environment, cwd: root });
  const running = /running at (http:\/\/\S+)/;
  await child.waitForOutput(running, { what: 'serve to listen', timeout: 120_000 });
  return { url: running.exec(child.output())![1]!.replace(/\/?$/, '/'), child };
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
        await child.stop();
      }
    });
  }

  it('a value that is neither a hop count nor proxy addresses is a one-line usage error (exit 2)', async () => {
    const r = await execCli(['serve', '--trust-proxy', 'everyone'], { env: env({}), cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'pressroom: --trust-proxy: "everyone" is not a hop count or a proxy address (expected e.g. 1, or 10.0.0.5,192.168.0.0/16, or loopback/linklocal/uniquelocal)',
    );
  });
});
