// Render once per campaign, across processes: two `pressroom send` processes started together on
// one store render the issue once between them (one claims the render, the other reuses its parts),
// and a later `retry` renders nothing. Counted from their logs; the compiled CLI, a real SQLite
// file, a real SMTP server on loopback.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { runCli } from '../support/cli.js';
import { makeSite, SLUG } from '../support/site.js';
import { startTestSmtpServer } from '../support/smtp-server.js';

const RENDERED = 'rendered the email; later passes and workers reuse it';
const REUSED = 'reusing the email rendered by an earlier pass';

const site = makeSite();
const configFile = path.join(site.dir, 'pressroom.config.json');
// One attempt: a refused recipient fails temporarily at once, for `retry` to send again.
writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), smtp: { maxAttempts: 1 } }));
afterAll(() => rmSync(site.dir, { recursive: true, force: true }));

function count(stderr: string, message: string): number {
  return stderr.split('\n').filter((line) => line.includes(`"msg":"${message}"`)).length;
}

describe('render once per campaign across processes', () => {
  it('two sends started together share one render; a later `retry` renders nothing', async () => {
    const store = await openStore(site.config);
    await store.importSubscribers(Array.from({ length: 30 }, (_, i) => ({ email: `sub${i}@example.org`, status: 'active' as const })));
    await store.close();
    // sub7's first RCPT is refused with a 451: a temporary failure that `retry` sends in a third process.
    const server = await startTestSmtpServer({ rcpt: (to, n) => (n === 1 && to === 'sub7@example.org' ? { code: 451 } : null) });
    try {
      const send = () => runCli(site, ['send', SLUG], { logLevel: 'info', env: { SMTP_URL: server.url } });
      const [a, b] = await Promise.all([send(), send()]);
      const logs = a.stderr + b.stderr;
      expect(count(logs, RENDERED)).toBe(1);
      expect(count(logs, REUSED)).toBe(1);
      expect(server.accepted()).toBe(29);
      expect(server.duplicates()).toEqual([]);

      const again = await runCli(site, ['retry', SLUG], { logLevel: 'info', env: { SMTP_URL: server.url } });
      expect(again.code).toBe(0);
      expect(count(again.stderr, RENDERED)).toBe(0);
      expect(count(again.stderr, REUSED)).toBe(1);
      expect(server.accepted()).toBe(30);
      expect(server.duplicates()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
