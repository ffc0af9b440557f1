// The real `pressroom start` with hostile files in its issues folder: Markdown that takes marked
// seconds to parse, front matter in an unknown language, a YAML alias bomb, deep nesting. While
// the worker's tick loads them, /healthz and /unsubscribe keep answering (each request within a
// generous second), a due good issue beside them is still sent over SMTP, and /healthz counts
// the skipped files.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { signToken } from '../../src/email/tokens.js';
import { openStore } from '../../src/storage/open.js';
import { WATERMARK_KEY } from '../../src/worker/state.js';
import { isoFromNow, writeIssue } from '../server/harness.js';
import { HOSTILE_RECIPES } from '../support/hostile-recipes.js';
import { startCli, type CliProcess, type EnvOverrides } from '../support/cli.js';
import { fixturesDir, projectRoot } from '../support/paths.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';

const SECRET = 'hostile-secret-0123456789abcdef';
const READER = 'reader@example.org';
const FIXTURES = ['issue-coffee-front-matter.md', 'issue-billion-laughs.md', 'issue-deep-quotes.md', 'issue-year-0050.md'];
const GENERATED = ['issue-emphasis-runs.md', 'issue-star-runs.md', 'issue-nested-json.md'];

let root: string | undefined;
let smtp: TestSmtpServer | undefined;
let child: CliProcess | undefined;
afterAll(async () => {
  void child?.stop('SIGKILL');
  await smtp?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

it('keeps /healthz and /unsubscribe answering while a tick reads hostile files, and still sends the due issue', async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-hostile-start-'));
  smtp = await startTestSmtpServer();
  const config = defaultConfig(root);
  await mkdir(config.issuesDir, { recursive: true });
  const configFile = path.join(root, 'pressroom.config.json');
  await writeFile(configFile, JSON.stringify({ email: { fromAddress: 'news@news.test', postalAddress: '1 Test Street', templatesDir: path.join(projectRoot, 'emails') } }));
  // A reader, and a watermark from an earlier start, so the good issue below is due at once.
  const store = await openStore(config);
  await store.importSubscribers([{ email: READER, status: 'active' as const }]);
  const reader = (await store.findSubscriberByEmail(READER))!;
  await store.setSetting(WATERMARK_KEY, String(Date.now() - 86_400_000));
  await store.close();
  for (const name of FIXTURES) await copyFile(path.join(fixturesDir, 'hostile', name), path.join(config.issuesDir, name));
  for (const name of GENERATED) await writeFile(path.join(config.issuesDir, name), HOSTILE_RECIPES[name]!());
  await writeIssue(config, { slug: 'due-now', title: 'Due now', date: isoFromNow(-3_600_000) });

  const env: EnvOverrides = {
    PRESSROOM_CONFIG: configFile,
    PRESSROOM_ISSUES_DIR: config.issuesDir,
    PRESSROOM_OUT_DIR: config.outDir,
    PRESSROOM_DATA_DIR: config.dataDir,
    PRESSROOM_PORT: '0',
    PRESSROOM_SECRET: SECRET,
    SMTP_URL: smtp.url,
    PRESSROOM_LOG_LEVEL: 'info',
  };
  const start = startCli(['start'], { env, cwd: root });
  child = start;

  const deadline = Date.now() + 120_000;
  const until = (done: () => boolean | Promise<boolean>, what: string) => waitFor(done, { what, timeout: deadline - Date.now(), interval: 50, alive: start });
  let url: string | undefined;
  await until(() => (url = /Pressroom is running at (http:\/\/\S+)/.exec(start.output())?.[1]) !== undefined, 'the URL printed');

  // Every request while the first tick reads the folder (one file takes the loader thread
  // MAX_LOAD_SECONDS), until the due issue has been sent.
  const unsubscribe = `${url}unsubscribe?token=${encodeURIComponent(signToken(SECRET, reader.id, 'unsubscribe'))}`;
  const slowest = { ms: 0, what: '' };
  let requests = 0;
  await until(async () => {
    for (const target of [`${url}healthz`, unsubscribe]) {
      const started = performance.now();
      const response = await fetch(target, { signal: AbortSignal.timeout(10_000) });
      const body = await response.text();
      const ms = performance.now() - started;
      expect(response.status, `${target}: ${body}`).toBe(200);
      if (ms > slowest.ms) Object.assign(slowest, { ms, what: target });
      requests++;
    }
    return smtp!.countFor(READER) > 0;
  }, 'the due issue was never sent');
  expect(requests).toBeGreaterThan(10);
  expect(slowest.ms, `slowest: ${slowest.what}`).toBeLessThan(1000);
  expect(smtp.countFor(READER)).toBe(1);

  // /healthz tells the operator that the tick skipped files.
  let health: { lastTick?: { ok: boolean; problems?: number } | null } = {};
  await until(async () => {
    health = (await (await fetch(`${url}healthz`)).json()) as typeof health;
    return health.lastTick !== null && health.lastTick !== undefined;
  }, 'no tick recorded');
  expect(health.lastTick).toMatchObject({ ok: true, problems: FIXTURES.length + GENERATED.length });
  const output = start.output();
  for (const name of [...FIXTURES, ...GENERATED]) expect(output, name).toContain(name);

  start.child.kill('SIGTERM');
  expect(await start.exited, start.output()).toBe(0);
}, 180_000);
