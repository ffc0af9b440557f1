// A private Dovecot (Debian package dovecot-imapd) on loopback for the IMAP tests: its own config,
// base_dir, state, log, maildir and passwd-file user in a temp folder, STARTTLS on one port and
// imaps on another with a self-signed certificate made by `openssl req` for 127.0.0.1. Without
// /usr/sbin/dovecot the suites are skipped locally and fail when CI=true, so CI never passes by
// skipping them.
//
//   const dovecot = await startDovecot();
//   await dovecot.append(rawMessage);            // deliver a test message (IMAP APPEND)
//   dovecot.url('imaps')                         // imaps://bounces:<password>@127.0.0.1:<port>/INBOX
//   dovecot.ca                                   // the certificate, to trust it (tls: { ca })
//   await dovecot.stop();
//
// Tests run as root: Dovecot then runs its login processes as `dovenull` and the mail processes as
// `dovecot` (default_login_user / default_internal_user / the userdb uid), which is why the temp
// folder is opened up and the maildir handed to `dovecot`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import path from 'node:path';
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import { describe } from 'vitest';
import { tempDir } from './site.js';
import { waitFor } from './wait.js';

export const DOVECOT = '/usr/sbin/dovecot';

export const describeWithDovecot = existsSync(DOVECOT) || process.env.CI === 'true' ? describe : describe.skip;

export const IMAP_USER = 'bounces';
export const IMAP_PASSWORD = 'bounce-mailbox-password';

export interface TestDovecot {
  readonly host: string;
  /** STARTTLS port (imap://) and TLS port (imaps://). */
  readonly port: number;
  readonly tlsPort: number;
  /** The self-signed certificate the server presents (PEM), and its file. */
  readonly ca: string;
  readonly caFile: string;
  readonly dir: string;
  /** The bounce mailbox URL in the form inbound.imapUrl takes; another password or mailbox on request. */
  url(scheme: 'imap' | 'imaps', options?: { password?: string; mailbox?: string }): string;
  /** Delivers a message into a mailbox (INBOX by default) by IMAP APPEND, with its INTERNALDATE when given; returns its UID. */
  append(raw: string | Buffer, mailbox?: string, received?: Date): Promise<number>;
  /** UID, flags and size of every message in a mailbox (none when it does not exist). */
  messages(mailbox?: string): Promise<Array<{ uid: number; flags: string[] }>>;
  /** Runs `use` on a logged-in IMAP session (imaps, or plain IMAP without TLS), logged out after. */
  session<T>(use: (imap: ImapFlow) => Promise<T>): Promise<T>;
  /** Dovecot's own log (errors of the server, for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const holder = createServer();
    holder.once('error', reject);
    holder.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = holder.address() as AddressInfo;
      holder.close(() => resolve(port));
    });
  });
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(2000);
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith('* OK'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Dovecot's errors in one line, for a failure message. */
function oneLog(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ');
}

function uidOf(name: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`dovecot: no system user ${name} (the dovecot-core package creates it)`);
  return Number(line.split(':')[2]);
}

function gidOf(name: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return Number(line?.split(':')[3]);
}

export interface DovecotOptions {
  /** false: no TLS at all (no STARTTLS, no imaps port), to show that the poller then refuses to log in. Default true. */
  tls?: boolean;
}

function config(dir: string, port: number, tlsPort: number, uid: number, gid: number, tls: boolean): string {
  const ssl = tls ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem\nssl_min_protocol = TLSv1.2` : 'ssl = no';
  const imaps = tls ? `  inet_listener imaps {\n    address = 127.0.0.1\n    port = ${tlsPort}\n    ssl = yes\n  }\n` : '';
  return `# A private test instance (test/support/dovecot.ts): nothing from /etc/dovecot is read.
instance_name = pressroom-test-${path.basename(dir)}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
${ssl}
disable_plaintext_auth = ${tls ? 'yes' : 'no'}
auth_mechanisms = plain login
# A refused login answers at once: the wrong-password test need not wait.
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = ${uid}
last_valid_uid = ${uid}
mail_location = maildir:${dir}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
${imaps}}
service anvil {
  chroot =
}
`;
}

/** Starts a private Dovecot; throws (one line) when it is not installed or does not come up. */
export async function startDovecot(options: DovecotOptions = {}): Promise<TestDovecot> {
  const tls = options.tls ?? true;
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing (Debian package dovecot-imapd); the IMAP tests need it when CI=true`);
  const dir = tempDir('pressroom-dovecot-');
  chmodSync(dir, 0o755);
  const uid = uidOf('dovecot');
  const gid = gidOf('dovecot');
  uidOf('dovenull');
  mkdirSync(path.join(dir, 'mail'));
  chownSync(path.join(dir, 'mail'), uid, gid);
  writeFileSync(path.join(dir, 'users'), `${IMAP_USER}:{PLAIN}${IMAP_PASSWORD}::::::\n`);
  const cert = spawnSync(
    '/usr/bin/openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  if (cert.status !== 0) throw new Error(`dovecot: openssl req failed: ${cert.stderr.trim()}`);
  const [port, tlsPort] = [await freePort(), await freePort()];
  const configFile = path.join(dir, 'dovecot.conf');
  writeFileSync(configFile, config(dir, port, tlsPort, uid, gid, tls));

  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that ends without stop() (a crash, a failed hook) takes its Dovecot with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let running = true;
  child.once('exit', () => (running = false));
  const log = () => {
    const file = path.join(dir, 'dovecot.log');
    return `${output}${existsSync(file) ? readFileSync(file, 'utf8') : ''}`;
  };
  try {
    await waitFor(
      () => {
        if (!running) throw new Error(`dovecot exited: ${oneLog(log())}`);
        return greets(port);
      },
      { what: `dovecot to listen on 127.0.0.1:${port}`, timeout: 15_000, interval: 100, describe: log },
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }

  const host = '127.0.0.1';
  const ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  const client = async <T>(use: (imap: ImapFlow) => Promise<T>): Promise<T> => {
    const imap = new ImapFlow({
      host,
      ...(tls ? { port: tlsPort, secure: true, tls: { ca } } : { port, secure: false, doSTARTTLS: false }),
      auth: { user: IMAP_USER, pass: IMAP_PASSWORD },
      logger: false,
    });
    imap.on('error', () => {});
    await imap.connect();
    try {
      return await use(imap);
    } finally {
      await imap.logout().catch(() => imap.close());
    }
  };

  return {
    host,
    port,
    tlsPort,
    ca,
    caFile: path.join(dir, 'cert.pem'),
    dir,
    session: client,
    url(scheme, options = {}) {
      const password = encodeURIComponent(options.password ?? IMAP_PASSWORD);
      return `${scheme}://${IMAP_USER}:${password}@${host}:${scheme === 'imaps' ? tlsPort : port}/${encodeURIComponent(options.mailbox ?? 'INBOX')}`;
    },
    append: (raw, mailbox = 'INBOX', received) =>
      client(async (imap) => {
        const done = await imap.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw, [], received);
        if (!done || done.uid === undefined) throw new Error(`dovecot: APPEND to ${mailbox} returned no UID`);
        return done.uid;
      }),
    messages: (mailbox = 'INBOX') =>
      client(async (imap) => {
        const list = await imap.list();
        if (!list.some((m) => m.path === mailbox)) return [];
        const lock = await imap.getMailboxLock(mailbox, { readOnly: true });
        try {
          if (imap.mailbox && imap.mailbox.exists === 0) return [];
          const found: FetchMessageObject[] = await imap.fetchAll('1:*', { uid: true, flags: true });
          // \\Recent says which session saw the message first: noise for the tests.
          return found.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort() }));
        } finally {
          lock.release();
        }
      }),
    log,
    async stop() {
      if (running) child.kill('SIGTERM');
      await exited;
    },
  };
}
