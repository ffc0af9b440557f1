// The IMAP poller against a real Dovecot on loopback (test/support/dovecot.ts): messages delivered
// by APPEND are handed over once each and flagged or moved, a restart hands nothing over again, a
// handler failure leaves the message for the next poll, and a wrong password, an untrusted
// certificate, a server without STARTTLS or one that is down are each one log line and no crash.
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ImapPoller, PROCESSED_KEYWORD, type ImapPollerOptions } from '../../src/inbound/imap-poller.js';
import { describeWithDovecot, IMAP_PASSWORD, startDovecot, type TestDovecot } from '../support/dovecot.js';
import { waitFor } from '../support/wait.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return { logger, lines, text: () => JSON.stringify(lines), at: (level: number) => lines.filter((l) => l.level === level) };
}

const WARN = 40;
const ERROR = 50;

function message(subject: string, headers: Record<string, string> = {}, body = 'A delivery status notification.\r\n'): Buffer {
  const lines = Object.entries({
    From: 'MAILER-DAEMON@mx.example.net',
    To: 'bounces@news.example.org',
    Subject: subject,
    'Message-ID': `<${subject.replace(/\W/g, '')}@mx.example.net>`,
    ...headers,
  })
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  return Buffer.from(`${lines}\r\n\r\n${body}`);
}

interface Handed {
  subject: string;
  raw: Buffer;
  recipients: string[];
  received: Date;
}

function subjectOf(raw: Buffer): string {
  return /^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? '';
}

describeWithDovecot('the IMAP poller against a real Dovecot', () => {
  let dovecot: TestDovecot;
  let handed: Handed[];
  let log: ReturnType<typeof capturingLogger>;

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  beforeEach(() => {
    handed = [];
    log = capturingLogger();
  });

  /** A poller on its own folder of the test mailbox, recording what it is handed. */
  function poller(options: Partial<ImapPollerOptions> & { mailbox?: string; scheme?: 'imap' | 'imaps' } = {}): ImapPoller {
    const { mailbox = 'INBOX', scheme = 'imaps', ...rest } = options;
    return new ImapPoller({
      url: dovecot.url(scheme, { mailbox }),
      pollSeconds: 60,
      maxMessageBytes: 1_048_576,
      tls: { ca: dovecot.ca },
      log: log.logger,
      handle: async (raw, recipients, received) => {
        handed.push({ subject: subjectOf(raw), raw, recipients, received });
      },
      ...rest,
    });
  }

  /** Each test polls a folder of its own (APPEND needs it to exist). */
  async function folder(name: string): Promise<string> {
    await dovecot.session((imap) => imap.mailboxCreate(name));
    return name;
  }

  it('hands each new message over once, with the recipients of its header, and flags it \\Seen and $PressroomProcessed', async () => {
    const box = await folder('flag');
    const verp = 'bounces+1.2.abcdefghijklmnop@news.example.org';
    const raws = [
      message('first', { 'Delivered-To': verp, 'X-Original-To': 'other@news.example.org' }),
      message('second', { 'X-Original-To': '<Bounces+3.4.qrstuvwxyz234567@News.Example.org>' }),
      message('third', { To: '"Bounce handling, news" <bounces@news.example.org>' }),
    ];
    const delivered = new Date('2026-11-30T08:15:00.000Z');
    for (const raw of raws) await dovecot.append(raw, box, delivered);

    const report = await poller({ mailbox: box }).pollOnce();
    expect(report).toEqual({ handled: 3, failed: 0, tooLarge: 0 });
    expect(handed.map((h) => h.subject)).toEqual(['first', 'second', 'third']);
    expect(handed.map((h) => h.raw.equals(raws[handed.indexOf(h)]!))).toEqual([true, true, true]);
    expect(handed[0]!.recipients).toEqual([verp, 'other@news.example.org', 'bounces@news.example.org']);
    expect(handed[1]!.recipients).toEqual(['Bounces+3.4.qrstuvwxyz234567@News.Example.org', 'bounces@news.example.org']);
    expect(handed[2]!.recipients).toEqual(['bounces@news.example.org']);
    expect(handed.map((h) => h.received.toISOString())).toEqual([delivered, delivered, delivered].map((d) => d.toISOString()));
    const stored = await dovecot.messages(box);
    expect(stored.map((m) => m.flags)).toEqual([
      [PROCESSED_KEYWORD, '\\Seen'],
      [PROCESSED_KEYWORD, '\\Seen'],
      [PROCESSED_KEYWORD, '\\Seen'],
    ]);

    // The same poller again, then a new one (a restart): nothing is handed over twice.
    handed = [];
    expect(await poller({ mailbox: box }).pollOnce()).toEqual({ handled: 0, failed: 0, tooLarge: 0 });
    await dovecot.append(message('fourth'), box);
    expect(await poller({ mailbox: box }).pollOnce()).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect(handed.map((h) => h.subject)).toEqual(['fourth']);
    expect(log.at(WARN).concat(log.at(ERROR))).toEqual([]);
  });

  it('over imap:// upgrades with STARTTLS before logging in, and works the same', async () => {
    const box = await folder('starttls');
    await dovecot.append(message('over starttls'), box);
    expect(await poller({ mailbox: box, scheme: 'imap' }).pollOnce()).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect(handed.map((h) => h.subject)).toEqual(['over starttls']);
    expect(dovecot.log()).toMatch(/Login: user=<bounces>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, mpid=\d+, TLS/);
  });

  it('with imapMoveTo, moves processed messages to that folder (creating it), and a restart finds nothing to do', async () => {
    const box = await folder('move');
    const moveTo = `${box}-done`;
    await dovecot.append(message('to be moved 1'), box);
    await dovecot.append(message('to be moved 2'), box);
    expect(await poller({ mailbox: box, moveTo }).pollOnce()).toEqual({ handled: 2, failed: 0, tooLarge: 0 });
    expect(await dovecot.messages(box)).toEqual([]);
    expect((await dovecot.messages(moveTo)).map((m) => m.flags)).toEqual([
      [PROCESSED_KEYWORD, '\\Seen'],
      [PROCESSED_KEYWORD, '\\Seen'],
    ]);
    handed = [];
    expect(await poller({ mailbox: box, moveTo }).pollOnce()).toEqual({ handled: 0, failed: 0, tooLarge: 0 });
    expect(handed).toEqual([]);
  });

  it('with imapMoveTo, moves messages an earlier poll flagged but did not move, without handing them over again', async () => {
    const box = await folder('left');
    const moveTo = `${box}-done`;
    // What a poll that stopped between the flag and the move leaves behind.
    await dovecot.append(message('flagged, not moved'), box);
    await dovecot.session(async (imap) => {
      const lock = await imap.getMailboxLock(box);
      await imap.messageFlagsAdd('1:*', ['\\Seen', PROCESSED_KEYWORD]);
      lock.release();
    });

    expect(await poller({ mailbox: box, moveTo }).pollOnce()).toEqual({ handled: 0, failed: 0, tooLarge: 0 });
    expect(handed).toEqual([]);
    expect(await dovecot.messages(box)).toEqual([]);
    expect(await dovecot.messages(moveTo)).toHaveLength(1);
  });

  it('leaves a message whose handling throws unprocessed (one warning) and hands it over at the next poll', async () => {
    const box = await folder('retry');
    await dovecot.append(message('fine'), box);
    await dovecot.append(message('fails once'), box);
    await dovecot.append(message('fine too'), box);
    let failures = 0;
    const handle = async (raw: Buffer, recipients: string[], received: Date) => {
      if (subjectOf(raw) === 'fails once' && failures++ === 0) throw new Error('database is locked');
      handed.push({ subject: subjectOf(raw), raw, recipients, received });
    };

    expect(await poller({ mailbox: box, handle }).pollOnce()).toEqual({ handled: 2, failed: 1, tooLarge: 0 });
    expect(handed.map((h) => h.subject)).toEqual(['fine', 'fine too']);
    expect((await dovecot.messages(box)).map((m) => m.flags)).toEqual([[PROCESSED_KEYWORD, '\\Seen'], [], [PROCESSED_KEYWORD, '\\Seen']]);
    const warnings = log.at(WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toBe('message 2 could not be processed (database is locked); it stays unprocessed and is retried at the next poll');

    handed = [];
    expect(await poller({ mailbox: box, handle }).pollOnce()).toEqual({ handled: 1, failed: 0, tooLarge: 0 });
    expect(handed.map((h) => h.subject)).toEqual(['fails once']);
  });

  it('marks a message over maxMessageBytes processed without reading it, with a warning', async () => {
    const box = await folder('large');
    await dovecot.append(message('large', {}, `${'x'.repeat(76)}\r\n`.repeat(100)), box);
    await dovecot.append(message('small'), box);
    expect(await poller({ mailbox: box, maxMessageBytes: 4096 }).pollOnce()).toEqual({ handled: 1, failed: 0, tooLarge: 1 });
    expect(handed.map((h) => h.subject)).toEqual(['small']);
    expect((await dovecot.messages(box)).map((m) => m.flags)).toEqual([
      [PROCESSED_KEYWORD, '\\Seen'],
      [PROCESSED_KEYWORD, '\\Seen'],
    ]);
    expect(log.at(WARN).map((l) => l.msg)).toEqual([
      expect.stringMatching(/^message 1 is \d+ bytes, over inbound\.maxMessageBytes \(4096\): marked processed without reading it$/),
    ]);
  });

  it('refuses a certificate it cannot verify: one error line, no login', async () => {
    const p = poller({ tls: {} });
    expect(await p.pollOnce()).toBeNull();
    expect(log.at(ERROR).map((l) => l.msg)).toEqual([expect.stringMatching(/^bounce mailbox poll failed: .*(self-signed|self signed|certificate)/i)]);
    expect(handed).toEqual([]);
  });

  it('a folder that does not exist is one error line naming it, and nothing is created', async () => {
    expect(await poller({ mailbox: 'No-Such-Folder' }).pollOnce()).toBeNull();
    expect(log.at(ERROR).map((l) => l.msg)).toEqual([expect.stringMatching(/^bounce mailbox poll failed: cannot open the folder "No-Such-Folder": /)]);
    expect(await dovecot.session((imap) => imap.list())).not.toContainEqual(expect.objectContaining({ path: 'No-Such-Folder' }));
  });

  it('a folder that is read-only for this login is one error line, and nothing is handed over', async () => {
    const box = await folder('readonly');
    await dovecot.append(message('cannot be flagged'), box);
    // Dovecot opens a maildir folder it may not write to as [READ-ONLY].
    const maildir = path.join(dovecot.dir, 'mail', 'bounces', `.${box}`);
    const dirs = [maildir, ...['cur', 'new', 'tmp'].map((d) => path.join(maildir, d))];
    for (const dir of dirs) chmodSync(dir, 0o555);
    try {
      expect(await poller({ mailbox: box }).pollOnce()).toBeNull();
    } finally {
      for (const dir of dirs) chmodSync(dir, 0o755);
    }
    expect(log.at(ERROR).map((l) => l.msg)).toEqual([`bounce mailbox poll failed: the folder ${box} is read-only for this login: it must be allowed to flag and move messages`]);
    expect(handed).toEqual([]);
  });

  it('a server that is down is one error line per poll, retried with backoff', async () => {
    const p = new ImapPoller({
      url: `imaps://bounces:${IMAP_PASSWORD}@127.0.0.1:1/INBOX`,
      pollSeconds: 30,
      maxMessageBytes: 1_048_576,
      log: log.logger,
      handle: async () => {},
    });
    expect(await p.pollOnce()).toBeNull();
    expect(log.at(ERROR)).toHaveLength(1);
    expect(log.at(ERROR)[0]!.msg).toMatch(/^bounce mailbox poll failed: .*ECONNREFUSED/);
    expect(log.at(ERROR)[0]!.retryInSeconds).toBe(60);
  });

  it('start() polls on its own until stop(), which lets the poll in hand finish', async () => {
    const box = await folder('loop');
    await dovecot.append(message('picked up by the loop'), box);
    const p = poller({ mailbox: box, pollSeconds: 0.2 });
    p.start();
    await waitFor(() => handed.length > 0, { what: 'the poller to hand over the message' });
    await p.stop();
    expect(handed.map((h) => h.subject)).toEqual(['picked up by the loop']);
    expect(log.lines[0]!.msg).toBe('polling the bounce mailbox');
  });
});

// Its own server: Dovecot slows down logins from an address after a refused one (anvil's auth penalty).
describeWithDovecot('the IMAP poller with a wrong password', () => {
  let own: TestDovecot;
  beforeAll(async () => {
    own = await startDovecot();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('a wrong password is one error line per poll (no password in it), and the poller carries on', async () => {
    await own.append(message('waiting'));
    const log = capturingLogger();
    const wrong = 'not-the-password';
    const p = new ImapPoller({
      url: own.url('imaps', { password: wrong }),
      pollSeconds: 60,
      maxMessageBytes: 1_048_576,
      tls: { ca: own.ca },
      log: log.logger,
      handle: async () => {
        throw new Error('never called');
      },
    });
    expect(await p.pollOnce()).toBeNull();
    expect(await p.pollOnce()).toBeNull();
    const errors = log.at(ERROR);
    expect(errors.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^bounce mailbox poll failed: login refused.*: check the user and password in inbound\.imapUrl$/),
      expect.stringMatching(/^bounce mailbox poll failed: login refused/),
    ]);
    expect(errors.map((l) => [l.failures, l.retryInSeconds])).toEqual([
      [1, 120],
      [2, 240],
    ]);
    expect(errors[0]!.mailbox).toBe(`imaps://bounces@127.0.0.1:${own.tlsPort}/INBOX`);
    expect(log.text()).not.toContain(wrong);
    expect(log.text()).not.toContain(IMAP_PASSWORD);
    expect(log.lines).toHaveLength(2);
    expect(await own.messages()).toEqual([{ uid: 1, flags: [] }]);
  });
});

describeWithDovecot('the IMAP poller against a server without TLS', () => {
  let plain: TestDovecot;
  beforeAll(async () => {
    plain = await startDovecot({ tls: false });
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it('never logs in over plain text: imap:// without STARTTLS on offer is a failed poll', async () => {
    await plain.append(message('unreachable in clear'));
    const logins = () => (plain.log().match(/Login: /g) ?? []).length;
    const unauthenticated = () => (plain.log().match(/imap-login: Info: Disconnected[^\n]*no auth attempts/g) ?? []).length;
    const before = { logins: logins(), unauthenticated: unauthenticated() };
    const log = capturingLogger();
    let calls = 0;
    const p = new ImapPoller({
      url: plain.url('imap'),
      pollSeconds: 60,
      maxMessageBytes: 1_048_576,
      log: log.logger,
      handle: async () => {
        calls += 1;
      },
    });
    expect(await p.pollOnce()).toBeNull();
    expect(calls).toBe(0);
    expect(log.at(ERROR).map((l) => l.msg)).toEqual([expect.stringMatching(/^bounce mailbox poll failed: .*STARTTLS/i)]);
    // Dovecot's log line for the poller's connection: it closed without trying to log in.
    await waitFor(() => unauthenticated() > before.unauthenticated, { what: 'dovecot to log the connection', describe: plain.log });
    expect(logins()).toBe(before.logins);
  });
});
