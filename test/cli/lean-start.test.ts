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
import { runCli, type CliRun, type CliSite } from '../support/cli.js';
import { makeSite, SLUG } from '../support/site.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { corpusDir, projectRoot } from '../support/paths.js';

const tracer = pathToFileURL(path.join(import.meta.dirname, 'module-trace.mjs')).href;
const HEAVY = ['mjml', 'fastify', 'nodemailer'];
const DRIVERS = ['better-sqlite3', 'pg'];

/** The packages a CLI run loaded, by name (`mjml-core` counts as `mjml`, `@fastify/static` as `fastify`). */
async function traced(args: string[], env: Record<string, string> = {}, onSite?: CliSite): Promise<CliRun & { packages: Set<string> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-lean-'));
  const trace = path.join(dir, 'modules.txt');
  writeFileSync(trace, '');
  writeFileSync(path.join(dir, 'pressroom.config.json'), '{}\n');
  const site = onSite ?? { dir, config: { dataDir: path.join(dir, 'data') } };
  const run = await runCli(site, args, { env: { PRESSROOM_MODULE_TRACE: trace, ...env }, nodeArgs: ['--import', tracer] });
  const packages = new Set<string>();
  for (const url of readFileSync(trace, 'utf8').split('\n')) {
    const name = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (name) packages.add(name.replace(/^@fastify\/.*/, 'fastify').replace(/^(mjml|pg)-.*/, '$1'));
  }
  return { ...run, packages };
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
