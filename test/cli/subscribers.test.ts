// `pressroom subscribers ...` through the real CLI (node bin/pressroom.js) on a real SQLite file,
// and on PostgreSQL through DATABASE_URL.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { execCliSync, startCli, type EnvOverrides } from '../support/cli.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-cli-subs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function dataDir(): string {
  return path.join(root, `data-${++n}`);
}

function run(args: string[], env: EnvOverrides) {
  return execCliSync(['subscribers', ...args], { env });
}

function csv(name: string, text: string): string {
  const file = path.join(root, name);
  writeFileSync(file, text);
  return file;
}

const MIXED = [
  'email,name,topics', // 1
  'ada@example.org,Ada,go;Rust', // 2
  'foo@,Bad,', // 3
  'Bob@Example.org,Bob,', // 4
  'bob@example.org,Bob again,', // 5 duplicate (case)
  '"carol@example.org","Carol', // 6 (quoted field over two lines)
  'Lovelace",k8s|go', // 7
  'dan@example.org,Dan,x,extra', // 8 too many fields
  '', // 9 empty: skipped silently
  'eve@example.org,,', // 10
  'frank@example,Frank,', // 11 no dot in domain
  'gina@example.org,"Gina ""G"" Smith",', // 12
].join('\n');

// Each spawn loads the whole CLI (about 1-2 s on these machines), hence the generous timeouts.
describe('pressroom subscribers (SQLite)', { timeout: 180_000 }, () => {
  it('imports the good rows, reports each bad row with its line, skips duplicates, exits 1; idempotent', () => {
    const env = { PRESSROOM_DATA_DIR: dataDir() };
    const file = csv('mixed.csv', MIXED);
    const first = run(['import', file], env);
    expect(first.stderr.trim().split('\n')).toEqual([
      `${file}:3: email: "foo@" is not an email address (has no domain after the @)`,
      `${file}:8: 4 fields, but the header has 3`,
      `${file}:11: email: "frank@example" is not an email address (has a domain without a dot "example")`,
    ]);
    expect(first.stdout.trim()).toBe(`${file}: 9 rows: 5 added, 1 duplicate skipped, 0 suppressed addresses skipped, 3 bad rows skipped`);
    expect(first.status).toBe(1);

    const list = run(['list'], env);
    expect(list.status).toBe(0);
    const rows = list.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['ada@example.org', 'active', 'Ada', 'go,rust'],
      ['Bob@Example.org', 'active', 'Bob', ''],
      ['carol@example.org', 'active', 'Carol Lovelace', 'k8s,go'],
      ['eve@example.org', 'active', '', ''],
      ['gina@example.org', 'active', 'Gina "G" Smith', ''],
    ]);
    expect(list.stderr).toBe('5 subscribers\n');

    const second = run(['import', file], env);
    expect(second.stdout.trim()).toBe(`${file}: 9 rows: 0 added, 6 duplicates skipped, 0 suppressed addresses skipped, 3 bad rows skipped`);
    expect(second.status).toBe(1);
  });

  it('a clean file exits 0; header problems and unreadable files are one line', () => {
    const env = { PRESSROOM_DATA_DIR: dataDir() };
    const good = csv('good.csv', '\uFEFFEmail,Name\r\na@example.org,A\r\nb@example.org,B\r\n');
    const ok = run(['import', good], env);
    expect(ok.stdout.trim()).toBe(`${good}: 2 rows: 2 added, 0 duplicates skipped, 0 suppressed addresses skipped, 0 bad rows skipped`);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);

    const unknown = csv('unknown.csv', 'email,phone\na@example.org,123\n');
    const r1 = run(['import', unknown], env);
    expect(r1.stderr.trim()).toBe(`${unknown}:1: header: unknown column "phone" (expected email, name, topics, status, source; email is required)`);
    expect(r1.status).toBe(1);
    const noEmail = csv('noemail.csv', 'name\nA\n');
    expect(run(['import', noEmail], env).stderr.trim()).toBe(`${noEmail}:1: header: no "email" column (expected a header row such as email,name,topics)`);
    const empty = csv('empty.csv', '');
    expect(run(['import', empty], env).stderr.trim()).toBe(`${empty}:1: header: the file is empty (expected a header row: email,name,topics)`);
    const missing = run(['import', path.join(root, 'nope.csv')], env);
    expect(missing.stderr.trim()).toBe(`pressroom: ${path.join(root, 'nope.csv')}: cannot read the file (ENOENT)`);
    expect(missing.status).toBe(2);
    expect(run(['list'], env).stderr).toBe('2 subscribers\n');
  });

  it('adds, refuses duplicates and bad addresses, lists by status, removes', () => {
    const env = { PRESSROOM_DATA_DIR: dataDir() };
    const add = run(['add', 'Ada@Example.org', '--name', 'Ada', '--topics', 'go, rust'], env);
    expect(add.stdout.trim()).toMatch(/^added #\d+ Ada@Example\.org \(active; topics: go, rust\)$/);
    expect(add.status).toBe(0);
    const dup = run(['add', 'ada@example.ORG'], env);
    expect(dup.stderr.trim()).toBe('pressroom: ada@example.ORG: already subscribed');
    expect(dup.status).toBe(1);
    const bad = run(['add', 'ada at example.org'], env);
    expect(bad.stderr.trim()).toBe('pressroom: email: "ada at example.org" is not an email address (has no @)');
    expect(bad.status).toBe(1);
    expect(run(['add', 'p@example.org', '--status', 'pending'], env).status).toBe(0);
    const badStatus = run(['list', '--status', 'gone'], env);
    expect(badStatus.stderr.trim()).toBe('pressroom: --status: "gone" is not one of pending, active, unsubscribed, bounced, complained');
    expect(badStatus.status).toBe(2);
    const pending = run(['list', '--status', 'pending'], env);
    expect(pending.stdout.trim().split('\t').slice(1, 3)).toEqual(['p@example.org', 'pending']);
    expect(pending.stderr).toBe('1 subscriber (pending)\n');

    const removed = run(['remove', 'ADA@example.org'], env);
    expect(removed.stdout.trim()).toBe('removed ADA@example.org');
    const again = run(['remove', 'ADA@example.org'], env);
    expect(again.stderr.trim()).toBe('pressroom: ADA@example.org: not subscribed');
    expect(again.status).toBe(1);
    expect(run(['list'], env).stderr).toBe('1 subscriber\n');
  });

  it('streams a list longer than one page, and export -> import round-trips (status kept)', () => {
    const env = { PRESSROOM_DATA_DIR: dataDir() };
    const lines = ['email,name,topics,status'];
    for (let i = 0; i < 2500; i++) lines.push(`user${i}@example.org,User ${i},${i % 2 ? 'go' : ''},${i % 10 === 0 ? 'unsubscribed' : 'active'}`);
    const file = csv('big.csv', lines.join('\n') + '\n');
    expect(run(['import', file], env).status).toBe(0);
    const list = run(['list'], env);
    const ids = list.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split('\t')[0]));
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(run(['list', '--status', 'unsubscribed'], env).stderr).toBe('250 subscribers (unsubscribed)\n');

    const exported = run(['export'], env);
    expect(exported.status).toBe(0);
    const out = exported.stdout.trim().split('\n');
    expect(out[0]).toBe('email,name,topics,status,source,created_at,confirmed_at,unsubscribed_at');
    expect(out).toHaveLength(2501);
    expect(out[2]).toMatch(/^user1@example\.org,User 1,go,active,import:big\.csv,\d{4}-\d\d-\d\dT[^,]+Z,[^,]+Z,$/);

    const env2 = { PRESSROOM_DATA_DIR: dataDir() };
    const back = csv('back.csv', exported.stdout);
    const re = run(['import', back], env2);
    expect(re.stdout.trim()).toBe(`${back}: 2500 rows: 2500 added, 0 duplicates skipped, 0 suppressed addresses skipped, 0 bad rows skipped`);
    expect(run(['list', '--status', 'unsubscribed'], env2).stderr).toBe('250 subscribers (unsubscribed)\n');
    const reexported = run(['export'], env2)
      .stdout.split('\n')
      .map((l) => l.split(',').slice(0, 4).join(','));
    expect(reexported).toEqual(exported.stdout.split('\n').map((l) => l.split(',').slice(0, 4).join(',')));
  });

  it('stops quietly with exit 0 when the reader goes away (pressroom subscribers export | head -1)', async () => {
    const env = { PRESSROOM_DATA_DIR: dataDir() };
    const lines = ['email', ...Array.from({ length: 20_000 }, (_, i) => `reader${i}@example.org`)];
    expect(run(['import', csv('many.csv', lines.join('\n'))], env).status).toBe(0);
    for (const command of ['export', 'list']) {
      const cli = startCli(['subscribers', command], { env });
      const first = await new Promise<string>((resolve) => cli.child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
      cli.child.stdout!.destroy();
      const code = await cli.exited;
      expect(first.length).toBeGreaterThan(0);
      expect(cli.stderr()).not.toContain('EPIPE');
      expect(code).toBe(0);
    }
  });

  it('a read-only database file is a one-line configuration error (exit 2)', () => {
    const dir = dataDir();
    const env = { PRESSROOM_DATA_DIR: dir };
    expect(run(['add', 'a@example.org'], env).status).toBe(0);
    const file = path.join(dir, 'pressroom.db');
    chmodSync(file, 0o444);
    const r = run(['list'], env);
    chmodSync(file, 0o644);
    expect(r.stderr).toBe(`pressroom: ${file}: the database file is read-only (Pressroom must be able to write to it; check its permissions)\n`);
    expect(r.status).toBe(2);
  });

  it('an unreachable DATABASE_URL is a one-line configuration error naming the server, not the password', () => {
    const r = run(['list'], { PRESSROOM_DATA_DIR: dataDir(), DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/test' });
    expect(r.stderr).toMatch(/^pressroom: postgres:\/\/postgres@127\.0\.0\.1:1\/test: cannot connect to PostgreSQL \(ECONNREFUSED[^\n]*\)\n$/);
    expect(r.stderr).not.toContain('s3cret');
    expect(r.status).toBe(2);
  });
});

const pgUp = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (pgUp) await schemas.dropAll();
});

describe.skipIf(!pgUp)('pressroom subscribers (PostgreSQL via DATABASE_URL)', { timeout: 180_000 }, () => {
  it('imports, lists and exports through the same commands', () => {
    const env = { PRESSROOM_DATA_DIR: dataDir(), DATABASE_URL: schemas.url(schemas.next()) };
    const file = csv('pg.csv', MIXED);
    const r = run(['import', file], env);
    expect(r.stdout.trim()).toBe(`${file}: 9 rows: 5 added, 1 duplicate skipped, 0 suppressed addresses skipped, 3 bad rows skipped`);
    expect(r.status).toBe(1);
    expect(run(['import', file], env).stdout.trim()).toBe(`${file}: 9 rows: 0 added, 6 duplicates skipped, 0 suppressed addresses skipped, 3 bad rows skipped`);
    expect(run(['add', 'BOB@example.org'], env).stderr.trim()).toBe('pressroom: BOB@example.org: already subscribed');
    expect(run(['list'], env).stderr).toBe('5 subscribers\n');
    const exported = parse(run(['export'], env).stdout) as string[][];
    expect(exported[0]![0]).toBe('email');
    // The line break in the quoted name becomes a space, as in the sign-up form.
    expect(exported.find((r) => r[0] === 'carol@example.org')?.[1]).toBe('Carol Lovelace');
    expect(exported.slice(1).map((r) => r[0])).toEqual(['ada@example.org', 'Bob@Example.org', 'carol@example.org', 'eve@example.org', 'gina@example.org']);
  });
});
