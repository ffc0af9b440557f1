// `pressroom operators ...` and `pressroom tokens ...` through the real CLI on a real SQLite file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/accounts/password.js';
import { secretHash } from '../../src/accounts/secrets.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { cliEnv, execCliSync, type EnvOverrides } from '../support/cli.js';
import { cliPath } from '../support/paths.js';
import { waitFor } from '../support/wait.js';

const root = mkdtempSync(path.join(tmpdir(), 'pressroom-cli-ops-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function site(): { env: EnvOverrides; db: string } {
  const dataDir = path.join(root, `data-${++n}`);
  return { env: { PRESSROOM_DATA_DIR: dataDir }, db: path.join(dataDir, 'pressroom.db') };
}

async function withDb<T>(file: string, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore(file);
  await store.migrate();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const PASSWORD = 'a long enough password';

describe('pressroom operators', () => {
  it('adds with the password from stdin or PRESSROOM_OPERATOR_PASSWORD, lists, changes the password, removes', async () => {
    const { env, db } = site();
    const add = execCliSync(['operators', 'add', 'Ada@Example.org', '--role', 'owner'], { env, input: `${PASSWORD}\n` });
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    expect(add.stdout).toBe('added operator Ada@Example.org (owner)\n');
    const viaEnv = execCliSync(['operators', 'add', 'bob@example.org', '--role', 'viewer'], { env: { ...env, PRESSROOM_OPERATOR_PASSWORD: 'bobs password is long' } });
    expect(viaEnv.status).toBe(0);

    const list = execCliSync(['operators', 'list'], { env });
    expect(
      list.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('\t').slice(0, 2).join(' ')),
    ).toEqual(['Ada@Example.org owner', 'bob@example.org viewer']);
    expect(list.stdout).not.toContain('scrypt');

    const ada = await withDb(db, (s) => s.findOperator('ada@example.org'));
    expect(await verifyPassword(PASSWORD, ada!.passwordHash)).toBe(true);
    const bob = await withDb(db, (s) => s.findOperator('bob@example.org'));
    expect(await verifyPassword('bobs password is long', bob!.passwordHash)).toBe(true);

    // passwd: the new password works, the old does not, and the operator's sessions are gone.
    await withDb(db, (s) => s.createSession({ idHash: 'h', operatorId: ada!.id, csrfSecret: 'c', expiresAt: Date.now() + 60_000 }));
    const passwd = execCliSync(['operators', 'passwd', 'ada@example.org'], { env, input: 'another long password\n' });
    expect(passwd.status).toBe(0);
    const after = await withDb(db, async (s) => ({ op: await s.findOperator('ada@example.org'), session: await s.findSession('h') }));
    expect(await verifyPassword('another long password', after.op!.passwordHash)).toBe(true);
    expect(await verifyPassword(PASSWORD, after.op!.passwordHash)).toBe(false);
    expect(after.session).toBeNull();

    await withDb(db, (s) => s.createSession({ idHash: 'b', operatorId: bob!.id, csrfSecret: 'c', expiresAt: Date.now() + 60_000 }));
    const remove = execCliSync(['operators', 'remove', 'BOB@example.org'], { env });
    expect(remove.status).toBe(0);
    expect(await withDb(db, (s) => s.findSession('b'))).toBeNull();
    const again = execCliSync(['operators', 'remove', 'bob@example.org'], { env });
    expect(again.status).toBe(1);
    expect(again.stderr).toBe('pressroom: bob@example.org: not an operator\n');
  });

  it('refuses in one line: a short or missing password (2), a bad role (2), a duplicate (1), a bad address (1), and no password in argv', () => {
    const { env } = site();
    const short = execCliSync(['operators', 'add', 'a@example.org', '--role', 'owner'], { env, input: 'short\n' });
    expect([short.status, short.stderr]).toEqual([2, 'pressroom: the password must be at least 12 characters long\n']);
    const none = execCliSync(['operators', 'add', 'a@example.org', '--role', 'owner'], { env });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^pressroom: no password: pipe it on stdin or set PRESSROOM_OPERATOR_PASSWORD .*\n$/);
    const role = execCliSync(['operators', 'add', 'a@example.org', '--role', 'admin'], { env, input: `${PASSWORD}\n` });
    expect([role.status, role.stderr]).toEqual([2, 'pressroom: --role: "admin" is not one of viewer, editor, owner\n']);
    const argv = execCliSync(['operators', 'add', 'a@example.org', '--role', 'owner', '--password', PASSWORD], { env, input: `${PASSWORD}\n` });
    expect(argv.status).toBe(2);
    expect(execCliSync(['operators', 'add', 'a@example.org', '--role', 'owner'], { env, input: `${PASSWORD}\n` }).status).toBe(0);
    const dup = execCliSync(['operators', 'add', 'A@EXAMPLE.ORG', '--role', 'viewer'], { env, input: `${PASSWORD}\n` });
    expect([dup.status, dup.stderr]).toEqual([1, 'pressroom: A@EXAMPLE.ORG: already an operator\n']);
    const bad = execCliSync(['operators', 'add', 'nobody', '--role', 'viewer'], { env, input: `${PASSWORD}\n` });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^pressroom: email: "nobody" is not an email address/);
    // Said before any password is asked for: without one on stdin the answer is the same.
    const badFirst = execCliSync(['operators', 'add', 'nobody', '--role', 'viewer'], { env });
    expect([badFirst.status, badFirst.stderr]).toEqual([1, 'pressroom: email: "nobody" is not an email address (has no @)\n']);
    const passwd = execCliSync(['operators', 'passwd', 'zed@example.org'], { env, input: `${PASSWORD}\n` });
    expect([passwd.status, passwd.stderr]).toEqual([1, 'pressroom: zed@example.org: not an operator\n']);
  });
});

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), answering each prompt in turn; returns
 * everything the terminal showed and the exit code.
 */
async function onTerminal(args: string[], env: EnvOverrides, answers: string[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, cliPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: cliEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (screen += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const prompts = ['New password: ', 'Again: '];
  for (const [i, answer] of answers.entries()) {
    await waitFor(() => screen.split(prompts[i]!).length > 1, { what: `the prompt "${prompts[i]}"`, timeout: 20_000, describe: () => screen });
    child.stdin.write(`${answer}\r`);
  }
  const code = await exited;
  return { code, screen };
}

describe.skipIf(!existsSync('/usr/bin/script'))('the password prompt on a terminal', () => {
  it('asks twice without echoing the password', async () => {
    const { env, db } = site();
    const run = await onTerminal(['operators', 'add', 'tty@example.org', '--role', 'viewer'], env, [PASSWORD, PASSWORD]);
    expect(run.code, run.screen).toBe(0);
    expect(run.screen).toContain('added operator tty@example.org (viewer)');
    expect(run.screen).not.toContain(PASSWORD);
    const op = await withDb(db, (s) => s.findOperator('tty@example.org'));
    expect(await verifyPassword(PASSWORD, op!.passwordHash)).toBe(true);
  });

  it('refuses two different answers (exit 2)', async () => {
    const { env, db } = site();
    const run = await onTerminal(['operators', 'add', 'tty@example.org', '--role', 'viewer'], env, [PASSWORD, `${PASSWORD}!`]);
    expect(run.code).toBe(2);
    expect(run.screen).toContain('pressroom: the two passwords differ');
    expect(await withDb(db, (s) => s.findOperator('tty@example.org'))).toBeNull();
  });
});

describe('pressroom tokens', () => {
  it('prints a new token once and stores only its hash; lists and removes', async () => {
    const { env, db } = site();
    const add = execCliSync(['tokens', 'add', 'deploy-bot', '--role', 'editor'], { env });
    expect(add.status).toBe(0);
    const token = add.stdout.trim();
    expect(token).toMatch(/^prt_[A-Za-z0-9_-]{43}$/);
    expect(add.stderr).toContain('shown once');
    const found = await withDb(db, (s) => s.useApiToken(secretHash(token)));
    expect(found).toMatchObject({ name: 'deploy-bot', role: 'editor' });

    const list = execCliSync(['tokens', 'list'], { env });
    expect(list.stdout.split('\t').slice(0, 2)).toEqual(['deploy-bot', 'editor']);
    expect(list.stdout).not.toContain(token);

    const dup = execCliSync(['tokens', 'add', 'deploy-bot', '--role', 'viewer'], { env });
    expect([dup.status, dup.stderr]).toEqual([1, 'pressroom: deploy-bot: an API token of that name exists\n']);
    const badName = execCliSync(['tokens', 'add', 'has space', '--role', 'viewer'], { env });
    expect(badName.status).toBe(2);
    expect(badName.stderr).toMatch(/^pressroom: token name "has space": expected/);

    expect(execCliSync(['tokens', 'remove', 'deploy-bot'], { env }).status).toBe(0);
    expect(await withDb(db, (s) => s.useApiToken(secretHash(token)))).toBeNull();
    const gone = execCliSync(['tokens', 'remove', 'deploy-bot'], { env });
    expect([gone.status, gone.stderr]).toEqual([1, 'pressroom: deploy-bot: no such token\n']);
  });
});
