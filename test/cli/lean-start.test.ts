// Every command loads only what it uses: the shipped CLI (bin/pressroom.js -> dist/) runs with a
// module tracer (module-trace.mjs) and the packages it loaded are read back. `--help`, `--version`,
// `check` and `status` must never load MJML, fastify, nodemailer, or a database driver they do not use.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/open.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { runCli, startCli, type CliRun, type CliSite } from '../support/cli.js';
import { makeSite, SLUG } from '../support/site.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { corpusDir, projectRoot } from '../support/paths.js';

const tracer = pathToFileURL(path.join(import.meta.dirname, 'module-trace.mjs')).href;
const HEAVY = ['mjml', 'fastify', 'nodemailer'];
const DRIVERS = ['better-sqlite3', 'pg'];

/** A folder for one traced run: an empty config file and the trace file. */
function traceFolder(): { dir: string; trace: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-lean-'));
  const trace = path.join(dir, 'modules.txt');
  writeFileSync(trace, '');
  writeFileSync(path.join(dir, 'pressroom.config.json'), '{}\n');
  return { dir, trace };
}

/** The packages in a trace, by name (`mjml-core` counts as `mjml`, `@fastify/static` as `fastify`), and by their own names. */
function tracedPackages(trace: string): { packages: Set<string>; exact: Set<string> } {
  const packages = new Set<string>();
  const exact = new Set<string>();
  for (const url of readFileSync(trace, 'utf8').split('\n')) {
    const name = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (!name) continue;
    exact.add(name);
    packages.add(name.replace(/^@fastify\/.*/, 'fastify').replace(/^(mjml|pg)-.*/, '$1'));
  }
  return { packages, exact };
}

async function traced(args: string[], env: Record<string, string> = {}, onSite?: CliSite): Promise<CliRun & { packages: Set<string> }> {
  const { dir, trace } = traceFolder();
  const site = onSite ?? { dir, config: { dataDir: path.join(dir, 'data') } };
  const run = await runCli(site, args, { env: { PRESSROOM_MODULE_TRACE: trace, ...env }, nodeArgs: ['--import', tracer] });
  return { ...run, packages: tracedPackages(trace).packages };
}

function loadedOf(packages: Set<string>, names: string[]): string[] {
  return names.filter((name) => packages.has(name));
}

describe('commands load only what they use', () => {
  it('--help loads commander and nothing else', async () => {
    const help = await traced(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pressroom');
    expect(help.stdout).toMatch(/-V, --version/);
    expect([...help.packages]).toEqual(['commander']);
  });

  it('--version and -V print the package version and load nothing but commander', async () => {
    const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await traced([flag]);
      expect(run).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
      expect([...run.packages]).toEqual(['commander']);
    }
  });

  it('check of the corpus loads the Markdown libraries, and no MJML, fastify, nodemailer or database driver', async () => {
    const check = await traced(['check'], { PRESSROOM_ISSUES_DIR: corpusDir });
    expect(check.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).toEqual([]); // preflight warnings only
    expect(check.stdout).toContain('192 valid issues');
    expect(check.code).toBe(0);
    expect(check.packages.has('marked')).toBe(true); // the tracer sees what the command uses
    expect(loadedOf(check.packages, [...HEAVY, ...DRIVERS])).toEqual([]);
  });

  it('status on SQLite loads better-sqlite3 and not pg, MJML, fastify or nodemailer', async () => {
    const status = await traced(['status']);
    expect(status).toMatchObject({ code: 0, stdout: 'no campaigns yet\n', stderr: '' });
    expect(loadedOf(status.packages, [...HEAVY, ...DRIVERS])).toEqual(['better-sqlite3']);
  });

  it('pause, resume and cancel on SQLite load better-sqlite3 and not pg, MJML, fastify or nodemailer', async () => {
    for (const action of ['pause', 'resume', 'cancel']) {
      const run = await traced([action, 'no-such-campaign']);
      expect(run).toMatchObject({ code: 2, stderr: `pressroom: ${action}: no campaign "no-such-campaign" (see pressroom status)\n` });
      expect(loadedOf(run.packages, [...HEAVY, ...DRIVERS])).toEqual(['better-sqlite3']);
    }
  });

  it('send loads neither MJML nor fastify in the sending process (the issue is rendered in a child process)', async () => {
    const site = makeSite();
    const store = await openStore(site.config);
    await store.addSubscriber({ email: 'reader@example.org', status: 'active' });
    await store.close();
    const smtp = await startTestSmtpServer();
    try {
      const send = await traced(['send', SLUG], { SMTP_URL: smtp.url }, site);
      expect(send.code).toBe(0);
      expect(send.stdout).toContain('1 sent now');
      expect(smtp.countFor('reader@example.org')).toBe(1);
      expect(send.packages.has('better-sqlite3')).toBe(true); // the tracer sees the sender's modules
      expect(loadedOf(send.packages, ['mjml', 'fastify', 'pg'])).toEqual([]);
    } finally {
      await smtp.close();
      rmSync(site.dir, { recursive: true, force: true });
    }
  });

  // What a serving process loads only when it is used: the metrics registry on the first scrape,
  // the OpenAPI generator (and its YAML library) on the first request for the document, the CSV
  // libraries on the first import or export, the email composer and nodemailer on the first send.
  const ON_FIRST_USE = ['prom-client', '@fastify/swagger', 'yaml', 'csv-parse', 'csv-stringify', 'nodemailer', 'mjml'];

  async function servedThenStopped(visit: (url: string) => Promise<void>): Promise<Set<string>> {
    const { dir, trace } = traceFolder();
    writeFileSync(path.join(dir, 'pressroom.config.json'), JSON.stringify({ metricsToken: 'lean-start-metrics-token', adminToken: 'lean-start-admin-token-0123456789abcdef' }));
    const start = startCli(['start', '--port', '0', '--issues', path.join(projectRoot, 'issues'), '--data-dir', path.join(dir, 'data'), '--out', path.join(dir, 'public')], {
      cwd: dir,
      env: { PRESSROOM_MODULE_TRACE: trace, NODE_ENV: undefined },
      nodeArgs: ['--import', tracer],
    });
    try {
      await start.waitForOutput(/Pressroom is running at (http:\/\/\S+)/);
      const url = /Pressroom is running at (http:\/\/\S+)/.exec(start.stdout())![1]!;
      expect((await fetch(`${url}healthz`)).status).toBe(200);
      await visit(url);
    } finally {
      expect(await start.stop(), start.stderr()).toBe(0);
    }
    const { exact } = tracedPackages(trace);
    rmSync(dir, { recursive: true, force: true });
    expect(exact.has('fastify')).toBe(true); // the tracer sees the server's modules
    return exact;
  }

  it('start serves without loading the metrics registry, the OpenAPI generator, CSV, nodemailer or MJML', async () => {
    const loaded = await servedThenStopped(async () => {});
    expect(loadedOf(loaded, ON_FIRST_USE)).toEqual([]);
  });

  it('start loads prom-client on the first scrape of /metrics, and the OpenAPI generator on the first request for the document', async () => {
    const loaded = await servedThenStopped(async (url) => {
      const scrape = await fetch(`${url}metrics`, { headers: { authorization: 'Bearer lean-start-metrics-token' } });
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toContain('pressroom_subscribers');
      const doc = await fetch(`${url}api/openapi.json`, { headers: { authorization: 'Bearer lean-start-admin-token-0123456789abcdef' } });
      expect(doc.status).toBe(200);
      expect(((await doc.json()) as { paths: Record<string, unknown> }).paths['/api/subscribers']).toBeDefined();
    });
    expect(loadedOf(loaded, ON_FIRST_USE)).toEqual(['prom-client', '@fastify/swagger', 'yaml']);
  });

  describe('on PostgreSQL', async () => {
    const available = await postgresAvailable();
    const schemas = new SchemaPool();
    afterAll(() => schemas.dropAll());

    it.skipIf(!available)('status loads pg and not better-sqlite3, MJML, fastify or nodemailer', async () => {
      const status = await traced(['status'], { DATABASE_URL: schemas.url(schemas.next()) });
      expect(status).toMatchObject({ code: 0, stdout: 'no campaigns yet\n', stderr: '' });
      expect(loadedOf(status.packages, [...HEAVY, ...DRIVERS])).toEqual(['pg']);
    });
  });
});
