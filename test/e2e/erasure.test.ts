// Erasure and the per-person export (GDPR), end to end: a real `pressroom serve` (sign-up, confirm,
// sends and the operator API), the real `pressroom subscribers export --email` / `erase` commands,
// a real SMTP server that echoes the address in its refusal, on a real SQLite file (whose bytes,
// WAL included, are searched afterwards) and on PostgreSQL (every column of every table searched).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { execCli, startCli, type CliProcess, type CliRun, type EnvOverrides } from '../support/cli.js';
import { projectRoot } from '../support/paths.js';
import { startTestSmtpServer } from '../support/smtp-server.js';
import { waitFor } from '../support/wait.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { freePort } from './ports.js';

const pgAvailable = await postgresAvailable();
const schemas = new SchemaPool();
const children: CliProcess[] = [];
const roots: string[] = [];
afterAll(async () => {
  for (const c of children) void c.stop('SIGKILL');
  for (const r of roots) await rm(r, { recursive: true, force: true });
  if (pgAvailable) await schemas.dropAll();
});

const ADA = 'Ada.Lovelace@Example.org';
const ADA_NAME = 'Augusta Ada King';
const TOKEN = 'erasure-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };

function run(args: string[], env: EnvOverrides, cwd: string): Promise<CliRun> {
  return execCli(args, { env, cwd });
}

interface Backend {
  databaseUrl?: string;
  /** Occurrences of `needle` (case-insensitive) anywhere in the stored data. */
  occurrences(root: string, needle: string): Promise<number>;
  /** Rows of every table that belong to subscriber `id`, as the database has them. */
  rowsOf(root: string, id: number): Promise<{ deliveries: number; systemMail: number }>;
  /** The ledger rows of subscriber `id`: [state, attempts, code, response, email, name]. */
  ledgerOf(root: string, id: number): Promise<unknown[][]>;
}

const sqliteBackend: Backend = {
  async occurrences(root, needle) {
    // The raw bytes of the database file and its WAL and shared-memory files.
    let n = 0;
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      const file = path.join(root, 'data', `pressroom.db${suffix}`);
      if (!existsSync(file)) continue;
      const text = readFileSync(file).toString('latin1').toLowerCase();
      n += text.split(needle.toLowerCase()).length - 1;
    }
    return n;
  },
  async rowsOf(root, id) {
    const db = new Database(path.join(root, 'data', 'pressroom.db'), { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get(id) as { n: number }).n;
      return {
        deliveries: count('SELECT count(*) AS n FROM deliveries WHERE subscriber_id = ?'),
        systemMail: count('SELECT count(*) AS n FROM system_mail WHERE subscriber_id = ?'),
      };
    } finally {
      db.close();
    }
  },
  async ledgerOf(root, id) {
    const db = new Database(path.join(root, 'data', 'pressroom.db'), { readonly: true });
    try {
      return db.prepare(`SELECT state, attempts, smtp_code, smtp_response, email, name FROM deliveries WHERE subscriber_id = ? ORDER BY campaign_id`).raw().all(id) as unknown[][];
    } finally {
      db.close();
    }
  },
};

function postgresBackend(schema: string): Backend {
  const withClient = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: schemas.url(schema).replace(/\?schema=.*/, '') });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    databaseUrl: schemas.url(schema),
    occurrences: (_root, needle) =>
      withClient(async (c) => {
        // Every column of every table in the schema, as text.
        const { rows: columns } = await c.query<{ table_name: string; column_name: string }>(
          `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1`,
          [schema],
        );
        let n = 0;
        for (const col of columns) {
          const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}"."${col.table_name}" WHERE "${col.column_name}"::text ILIKE $1`, [
            `%${needle}%`,
          ]);
          n += rows[0]!.n;
        }
        return n;
      }),
    rowsOf: (_root, id) =>
      withClient(async (c) => {
        const count = async (table: string) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schema}".${table} WHERE subscriber_id = $1`, [id])).rows[0]!.n;
        return { deliveries: await count('deliveries'), systemMail: await count('system_mail') };
      }),
    ledgerOf: (_root, id) =>
      withClient(async (c) => {
        const { rows } = await c.query({
          text: `SELECT state, attempts, smtp_code, smtp_response, email, name FROM "${schema}".deliveries WHERE subscriber_id = $1 ORDER BY campaign_id`,
          values: [id],
          rowMode: 'array',
        });
        return rows as unknown[][];
      }),
  };
}

async function scenario(backend: Backend): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'pressroom-erase-'));
  roots.push(root);
  // The second issue is refused for Ada with a reply that echoes her address, as servers do.
  const smtp = await startTestSmtpServer({ keepMessages: true });
  const issuesDir = path.join(root, 'issues');
  await mkdir(issuesDir, { recursive: true });
  for (const slug of ['first', 'second']) {
    await writeFile(path.join(issuesDir, `${slug}.md`), `---\ntitle: "${slug}"\nslug: ${slug}\ndate: 2026-01-01T00:00:00Z\n---\n\nBody of ${slug}.\n`);
  }
  const configFile = path.join(root, 'pressroom.config.json');
  await writeFile(configFile, JSON.stringify({ email: { fromAddress: 'news@example.org', postalAddress: '1 Test Street', templatesDir: path.join(projectRoot, 'emails') } }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const env: EnvOverrides = {
    PRESSROOM_CONFIG: configFile,
    PRESSROOM_ISSUES_DIR: issuesDir,
    PRESSROOM_OUT_DIR: path.join(root, 'public'),
    PRESSROOM_DATA_DIR: path.join(root, 'data'),
    PRESSROOM_SITE_URL: base,
    PRESSROOM_PORT: String(port),
    PRESSROOM_SECRET: 'erasure-secret-0123456789abcdef',
    PRESSROOM_ADMIN_TOKEN: TOKEN,
    SMTP_URL: smtp.url,
  };
  if (backend.databaseUrl) env.DATABASE_URL = backend.databaseUrl;

  const serve = startCli(['serve'], { env, cwd: root });
  children.push(serve);
  const { output, exited } = serve;
  await waitFor(async () => (await fetch(`${base}healthz`)).ok, { what: 'serve listening', describe: output, timeout: 60_000, interval: 100, ignoreErrors: true });
  const api = async (method: string, url: string, body?: unknown) =>
    fetch(`${base}api/${url}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  try {
    // Ada signs up, confirms (two system emails), and gets both issues; Bob and Carol are bystanders.
    const signUp = await fetch(`${base}subscribe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADA, name: ADA_NAME }) });
    expect(signUp.status).toBe(202);
    await waitFor(async () => smtp.countFor(ADA) === 1, { what: 'the confirm email', describe: output, timeout: 60_000, interval: 100, ignoreErrors: true });
    const text = (await simpleParser(smtp.messages[0]!.raw)).text ?? '';
    const confirm = await fetch(/http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[\w.-]+/.exec(text)![0], { method: 'POST' });
    expect(await confirm.text()).toContain("You're subscribed to");
    await waitFor(async () => smtp.countFor(ADA) === 2, { what: 'the welcome email', describe: output, timeout: 60_000, interval: 100, ignoreErrors: true });
    for (const email of ['bob@example.org', 'carol@example.org']) expect((await api('POST', 'subscribers', { email })).status).toBe(201);

    expect((await api('POST', 'issues/first/send?wait=1')).status).toBe(200);
    smtp.faults = { rcpt: (to) => (to === ADA.toLowerCase() ? { code: 552, message: `5.2.2 <${ADA.toLowerCase()}>: mailbox full` } : null) };
    expect((await api('POST', 'issues/second/send?wait=1')).status).toBe(200);
    const countsOf = async () => {
      const { issues } = (await (await api('GET', 'issues')).json()) as { issues: Array<{ slug: string; campaign: { recipients: number; stats: Record<string, unknown> } }> };
      return Object.fromEntries(issues.map((i) => [i.slug, { recipients: i.campaign.recipients, ...i.campaign.stats }]));
    };
    const countsBefore = await countsOf();
    expect(countsBefore).toMatchObject({ first: { recipients: 3, sent: 3, failed: 0 }, second: { recipients: 3, sent: 2, failed: 1 } });

    // The export, through the CLI and the API: everything stored about the address.
    const exported = await run(['subscribers', 'export', '--email', ADA.toUpperCase()], env, root);
    expect(exported.code, exported.stderr).toBe(0);
    const doc = JSON.parse(exported.stdout) as {
      subscriber: { id: number; email: string; name: string; status: string; source: string; confirmedAt: string };
      deliveries: Array<{ campaign: string; email: string; name: string; state: string; attempts: number; smtpCode: number; smtpResponse: string }>;
      systemMail: Array<{ kind: string; state: string; smtpCode: number }>;
    };
    expect(doc.subscriber).toMatchObject({ email: ADA, name: ADA_NAME, status: 'active', source: 'web' });
    expect(doc.subscriber.confirmedAt).toEqual(expect.any(String));
    expect(doc.deliveries).toEqual([
      expect.objectContaining({ campaign: 'first', email: ADA, name: ADA_NAME, state: 'sent', attempts: 1, smtpCode: 250 }),
      expect.objectContaining({
        campaign: 'second',
        email: ADA,
        name: ADA_NAME,
        state: 'failed',
        attempts: 1,
        smtpCode: 552,
        smtpResponse: expect.stringContaining(ADA.toLowerCase()),
      }),
    ]);
    expect(doc.systemMail.map((m) => [m.kind, m.state, m.smtpCode])).toEqual([
      ['confirm', 'sent', 250],
      ['welcome', 'sent', 250],
    ]);
    // Nothing left out: these are all the rows the database holds for her.
    expect(await backend.rowsOf(root, doc.subscriber.id)).toEqual({ deliveries: doc.deliveries.length, systemMail: doc.systemMail.length });
    const viaApi = await api('GET', `subscribers/${encodeURIComponent(ADA)}/export`);
    expect(viaApi.status).toBe(200);
    expect(await viaApi.json()).toMatchObject({ subscriber: doc.subscriber, deliveries: doc.deliveries, systemMail: doc.systemMail });
    expect(await backend.occurrences(root, ADA)).toBeGreaterThan(0);

    // Erase through the CLI while the server is running.
    const erased = await run(['subscribers', 'erase', 'ada.lovelace@example.ORG'], env, root);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stdout.trim()).toBe('erased ada.lovelace@example.ORG');
    for (const needle of [ADA, ADA_NAME, 'ada.lovelace']) expect(await backend.occurrences(root, needle), needle).toBe(0);
    expect(await countsOf()).toEqual(countsBefore);
    expect(await backend.rowsOf(root, doc.subscriber.id)).toEqual({ deliveries: 2, systemMail: 0 }); // counted, anonymous
    const sentReply = doc.deliveries[0]!.smtpResponse;
    expect(await backend.ledgerOf(root, doc.subscriber.id)).toEqual([
      ['sent', 1, 250, sentReply, '', null],
      ['failed', 1, 552, doc.deliveries[1]!.smtpResponse.replace(ADA.toLowerCase(), '[erased]'), '', null],
    ]);
    expect(doc.deliveries[1]!.smtpResponse.replace(ADA.toLowerCase(), '[erased]')).toContain('<[erased]>: mailbox full');

    const gone = await run(['subscribers', 'export', '--email', ADA], env, root);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim()).toBe(`pressroom: ${ADA}: nothing stored about this address`);
    const again = await run(['subscribers', 'erase', ADA], env, root);
    expect(again.code).toBe(1);
    expect((await api('GET', `subscribers/${encodeURIComponent(ADA)}/export`)).status).toBe(404);

    // The API's DELETE erases too; the bystanders' own data stays.
    expect(await backend.occurrences(root, 'bob@example.org')).toBeGreaterThan(0);
    expect((await api('DELETE', 'subscribers/BOB@example.org')).status).toBe(204);
    expect(await backend.occurrences(root, 'bob@example.org')).toBe(0);
    expect((await api('DELETE', 'subscribers/bob@example.org')).status).toBe(404);
    expect(await countsOf()).toEqual(countsBefore);
    const carol = (await (await api('GET', 'subscribers/carol@example.org/export')).json()) as { deliveries: unknown[] };
    expect(carol.deliveries).toHaveLength(2);
  } finally {
    serve.child.kill('SIGTERM');
    await exited;
    await smtp.close();
  }
}

describe('erasure and per-person export', { timeout: 180_000 }, () => {
  it('SQLite: after erase the address is nowhere in the database file or its WAL; counts unchanged', async () => {
    await scenario(sqliteBackend);
  });

  it.skipIf(!pgAvailable)('PostgreSQL: after erase the address is in no column of any table; counts unchanged', async () => {
    await scenario(postgresBackend(schemas.next()));
  });
});
