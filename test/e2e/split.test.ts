// `pressroom serve` and `pressroom worker` as two processes on one data folder: a subscriber
// added through the serve process's API gets the issue the worker process sends, and the serve
// process's /metrics reports the worker's sends and ticks.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { dateAfterStart, writeIssue } from '../server/harness.js';
import { startCli, type CliProcess, type EnvOverrides } from '../support/cli.js';
import { projectRoot } from '../support/paths.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';
import { freePort } from './ports.js';

const children: CliProcess[] = [];
let smtp: TestSmtpServer | undefined;
let root: string | undefined;
afterAll(async () => {
  for (const c of children) void c.stop('SIGKILL');
  await smtp?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

function start(command: 'serve' | 'worker', env: EnvOverrides): CliProcess {
  const child = startCli([command], { env, cwd: root });
  children.push(child);
  return child;
}

function until<T>(what: string, get: () => Promise<T | undefined>, outputs: Array<() => string>, timeout = 40_000) {
  return waitFor(get, { what, timeout, interval: 100, ignoreErrors: true, describe: () => outputs.map((o) => o()).join('\n----\n') });
}

it('serve and worker in separate processes share one store', async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-split-'));
  smtp = await startTestSmtpServer({ keepMessages: true });
  const config = defaultConfig(root);
  await mkdir(config.issuesDir, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const configFile = path.join(root, 'pressroom.config.json');
  await writeFile(configFile, JSON.stringify({ email: { fromAddress: 'news@example.org', postalAddress: '1 Test Street', templatesDir: path.join(projectRoot, 'emails') } }));
  const env: EnvOverrides = {
    PRESSROOM_CONFIG: configFile,
    PRESSROOM_ISSUES_DIR: config.issuesDir,
    PRESSROOM_OUT_DIR: config.outDir,
    PRESSROOM_DATA_DIR: config.dataDir,
    PRESSROOM_SITE_URL: base,
    PRESSROOM_PORT: String(port),
    PRESSROOM_SECRET: 'split-secret-0123456789abcdef',
    PRESSROOM_ADMIN_TOKEN: 'split-admin-token',
    PRESSROOM_METRICS_TOKEN: 'split-metrics-token',
    PRESSROOM_SCHEDULE: '*/1 * * * * *',
    SMTP_URL: smtp.url,
  };
  const auth = { authorization: 'Bearer split-admin-token' };
  const scrape = { headers: { authorization: 'Bearer split-metrics-token' } };

  const serve = start('serve', env);
  await until('serve listening', async () => ((await fetch(`${base}healthz`)).ok ? true : undefined), [serve.output]);
  const added = await fetch(`${base}api/subscribers`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'split@example.org' }),
  });
  expect(added.status).toBe(201);

  const worker = start('worker', env);
  // The worker's first tick sets the watermark; then a new issue is due.
  await until('first tick', async () => {
    const metrics = await (await fetch(`${base}metrics`, scrape)).text();
    return /^pressroom_worker_last_tick_timestamp_seconds [1-9]/m.test(metrics) ? true : undefined;
  }, [serve.output, worker.output]);
  await writeIssue(config, { slug: 'split-issue', title: 'Split issue', date: await dateAfterStart() });
  await until('the issue sent', async () => (smtp!.countFor('split@example.org') === 1 ? true : undefined), [serve.output, worker.output]);

  const metrics = await until('metrics show the send', async () => {
    const text = await (await fetch(`${base}metrics`, scrape)).text();
    return /^pressroom_messages_sent_total 1$/m.test(text) ? text : undefined;
  }, [serve.output, worker.output]);
  expect(metrics).toMatch(/^pressroom_worker_last_tick_success 1$/m);
  const issues = (await (await fetch(`${base}api/issues`, { headers: auth })).json()) as { issues: Array<{ slug: string; status: string }> };
  expect(issues.issues.find((i) => i.slug === 'split-issue')?.status).toBe('sent');

  worker.child.kill('SIGTERM');
  serve.child.kill('SIGTERM');
  expect(await worker.exited, worker.output()).toBe(0);
  expect(await serve.exited, serve.output()).toBe(0);
  expect(smtp.duplicates()).toEqual([]);
});
