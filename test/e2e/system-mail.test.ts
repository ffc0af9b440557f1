// Confirm and welcome emails survive an SMTP outage, a crash and a restart, and go out exactly
// once when several processes share the store: real `pressroom serve` / `start` / `worker`
// processes, a real SQLite file and a real SMTP server that answers 421 while it is "down".
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, expect, it } from 'vitest';
import { startCli, type CliProcess, type EnvOverrides } from '../support/cli.js';
import { projectRoot } from '../support/paths.js';
import { startTestSmtpServer, type Faults, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';
import { freePort } from './ports.js';

const children: CliProcess[] = [];
const roots: string[] = [];
const servers: TestSmtpServer[] = [];
afterEach(() => {
  for (const c of children.splice(0)) void c.stop('SIGKILL');
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

// "Down": new connections are refused with 421, and a connection still open from before gets 451.
const DOWN: Faults = {
  connect: () => ({ code: 421, message: '4.3.2 Service not available, closing transmission channel' }),
  rcpt: () => ({ code: 451 }),
};

interface Proc extends CliProcess {
  base: string;
}

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-sysmail-'));
  roots.push(root);
  const smtp = await startTestSmtpServer({ keepMessages: true, ...DOWN });
  servers.push(smtp);
  await mkdir(path.join(root, 'issues'), { recursive: true });
  const configFile = path.join(root, 'pressroom.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      pollSeconds: 1,
      email: { fromAddress: 'news@example.org', postalAddress: '1 Test Street', templatesDir: path.join(projectRoot, 'emails') },
      smtp: { systemRetrySeconds: 0.2, maxAttempts: 30 },
    }),
  );
  const env = (port: number): EnvOverrides => ({
    PRESSROOM_CONFIG: configFile,
    PRESSROOM_ISSUES_DIR: path.join(root, 'issues'),
    PRESSROOM_OUT_DIR: path.join(root, 'public'),
    PRESSROOM_DATA_DIR: path.join(root, 'data'),
    PRESSROOM_SITE_URL: `http://127.0.0.1:${port}/`,
    PRESSROOM_PORT: String(port),
    PRESSROOM_SECRET: 'sysmail-secret-0123456789abcdef',
    PRESSROOM_SCHEDULE: '0 0 1 1 *',
    SMTP_URL: smtp.url,
  });
  const start = async (command: 'serve' | 'start' | 'worker'): Promise<Proc> => {
    const port = await freePort();
    const child = startCli([command], { env: env(port), cwd: root });
    children.push(child);
    const proc: Proc = Object.assign(child, { base: `http://127.0.0.1:${port}/` });
    if (command === 'worker') await until(`${command} started`, async () => (/worker started/.test(proc.output()) ? true : undefined), [proc]);
    else await until(`${command} listening`, async () => ((await fetch(`${proc.base}healthz`)).ok ? true : undefined), [proc]);
    return proc;
  };
  const queue = () => {
    const db = new Database(path.join(root, 'data', 'pressroom.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT kind, state, attempts, worker_id FROM system_mail ORDER BY id').all() as Array<{
        kind: string;
        state: string;
        attempts: number;
        worker_id: string;
      }>;
    } finally {
      db.close();
    }
  };
  const signUp = async (proc: Proc, email: string) => {
    const res = await fetch(`${proc.base}subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    expect(res.status).toBe(202);
  };
  return { smtp, start, queue, signUp };
}

function until<T>(what: string, get: () => Promise<T | undefined>, procs: Proc[], timeout = 60_000) {
  return waitFor(get, { what, timeout, interval: 100, ignoreErrors: true, describe: () => procs.map((p) => p.output()).join('\n----\n') });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function confirmLink(smtp: TestSmtpServer, address: string): Promise<string> {
  const raw = smtp.messages.find((m) => m.to.includes(address))!.raw;
  const text = (await simpleParser(raw)).text ?? '';
  return /http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[\w.-]+/.exec(text)![0];
}

it('a sign-up while SMTP is down gets its confirm email once SMTP is back; so does the welcome email', async () => {
  const { smtp, start, queue, signUp } = await setup();
  const serve = await start('serve');
  await signUp(serve, 'early@example.org');
  await until('a failed attempt, kept for retry', async () => (queue()[0]?.state === 'retry' ? true : undefined), [serve]);
  expect(smtp.countFor('early@example.org')).toBe(0);

  smtp.faults = {};
  await until('the confirm email', async () => (smtp.countFor('early@example.org') === 1 ? true : undefined), [serve]);
  await until('the queue row sent', async () => (queue()[0]?.state === 'sent' ? true : undefined), [serve]);

  // The welcome email goes the same way.
  smtp.faults = DOWN;
  const confirmed = await fetch(await confirmLink(smtp, 'early@example.org'), { method: 'POST' });
  expect(await confirmed.text()).toContain("You're subscribed to");
  await until('the welcome email kept for retry', async () => (queue()[1]?.state === 'retry' ? true : undefined), [serve]);
  smtp.faults = {};
  await until('the welcome email', async () => (smtp.countFor('early@example.org') === 2 ? true : undefined), [serve]);
  await pause(2500); // more than two polls: time for a duplicate to show up
  expect(smtp.countFor('early@example.org')).toBe(2);
  expect(queue().map((r) => [r.kind, r.state])).toEqual([
    ['confirm', 'sent'],
    ['welcome', 'sent'],
  ]);

  serve.child.kill('SIGTERM');
  expect(await serve.exited, serve.output()).toBe(0);
}, 120_000);

it('after a crash and a restart, two processes sharing the store send each queued confirm email exactly once', async () => {
  const { smtp, start, queue, signUp } = await setup();
  const serve = await start('serve');
  const addresses = Array.from({ length: 8 }, (_, i) => `person${i}@example.org`);
  for (const a of addresses) await signUp(serve, a);
  await until('every sign-up attempted and kept for retry', async () => {
    const rows = queue();
    return rows.length === addresses.length && rows.every((r) => r.state === 'retry') ? true : undefined;
  }, [serve]);
  serve.child.kill('SIGKILL'); // a crash, not a graceful stop
  await serve.exited;
  const attemptsBefore = queue().reduce((n, r) => n + r.attempts, 0);

  // The restart: `start` and `worker` on the same data folder, both draining the queue.
  const [both, worker] = await Promise.all([start('start'), start('worker')]);
  await until('the restarted processes retrying', async () => (queue().reduce((n, r) => n + r.attempts, 0) > attemptsBefore ? true : undefined), [both, worker]);
  expect(smtp.accepted()).toBe(0);

  smtp.faults = {};
  await until('every confirm email', async () => (addresses.every((a) => smtp.countFor(a) >= 1) ? true : undefined), [both, worker]);
  await until('every queue row sent', async () => (queue().every((r) => r.state === 'sent') ? true : undefined), [both, worker]);
  await pause(2500); // more than two polls of each process
  for (const a of addresses) expect(smtp.countFor(a), a).toBe(1);
  expect(smtp.duplicates()).toEqual([]);
  expect(smtp.accepted()).toBe(addresses.length);

  // The links work: the restarted process confirms, and the welcome email arrives once.
  const link = (await confirmLink(smtp, addresses[0]!)).replace(/^http:\/\/127\.0\.0\.1:\d+\//, both.base);
  expect(await (await fetch(link, { method: 'POST' })).text()).toContain("You're subscribed to");
  await until('the welcome email', async () => (smtp.countFor(addresses[0]!) === 2 ? true : undefined), [both, worker]);

  worker.child.kill('SIGTERM');
  both.child.kill('SIGTERM');
  expect(await worker.exited, worker.output()).toBe(0);
  expect(await both.exited, both.output()).toBe(0);
}, 150_000);
