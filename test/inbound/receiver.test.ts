// The inbound SMTP receiver end to end on loopback: a campaign is sent through a real SMTP server
// with a VERP return path, the bounces and complaints come back over SMTP (nodemailer as the
// reporting MTA, envelope to the VERP addresses the server saw as MAIL FROM) and the store shows
// them; then bad input, each refused or ignored with one log line and nothing changed.
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import nodemailer, { type Transporter } from 'nodemailer';
import { pino } from 'pino';
import { sendCampaign } from '../../src/delivery/campaign.js';
import { createTransport } from '../../src/delivery/transport.js';
import { feedbackPolicy } from '../../src/domain/feedback.js';
import { silentLogger } from '../../src/logging.js';
import { startInboundReceiver, type InboundReceiver } from '../../src/inbound/receiver.js';
import { findIssue, loadIssues } from '../../src/content/load.js';
import { openStore } from '../../src/storage/open.js';
import { makeHarness, SLUG, type Harness } from '../delivery/harness.js';
import { postgresAvailable, SchemaPool } from '../storage/pg-harness.js';
import { makeSite } from '../support/site.js';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { arf, dsn, fixture } from './messages.js';

const BOUNCES = 'bounces@news.example.org';

const pgAvailable = await postgresAvailable();
const schemas = new SchemaPool();
afterAll(async () => {
  if (pgAvailable) await schemas.dropAll();
});

type StoreKind = 'SQLite' | 'PostgreSQL';

/** makeHarness on SQLite, or the same on a PostgreSQL schema of its own. */
async function harness(subscribers: number, kind: StoreKind): Promise<Harness> {
  if (kind === 'SQLite') return makeHarness(subscribers);
  const { dir, config } = makeSite();
  config.databaseUrl = schemas.url(schemas.next());
  const store = await openStore(config);
  const emails = Array.from({ length: subscribers }, (_, i) => `sub${i}@example.org`);
  await store.importSubscribers(emails.map((email) => ({ email, topics: [], status: 'active' as const })));
  const issue = findIssue((await loadIssues(config)).issues, SLUG)!;
  const cleanup = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, config, store, issue, emails, cleanup };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines, warnings: () => lines.filter((l) => l.level >= 40).map((l) => l.msg) };
}

interface Sent {
  h: Harness;
  smtp: TestSmtpServer;
  receiver: InboundReceiver;
  lines: LogLine[];
  warnings: () => string[];
  client: Transporter;
  /** The VERP address and the raw copy the loopback server received for a subscriber. */
  copyFor(email: string): { verp: string; raw: Buffer };
  deliver(raw: Buffer, to: string[]): Promise<{ ok: true } | { ok: false; code: number | undefined; message: string }>;
}

async function sentCampaign(subscribers: number, opts: { maxMessageBytes?: number; store?: StoreKind } = {}): Promise<Sent> {
  const h = await harness(subscribers, opts.store ?? 'SQLite');
  cleanup.push(() => h.cleanup());
  h.config.email.bounceAddress = BOUNCES;
  const smtp = await startTestSmtpServer({ keepMessages: true });
  cleanup.push(() => smtp.close());
  h.config.smtpUrl = smtp.url;
  const transport = createTransport(h.config, silentLogger());
  cleanup.push(() => transport.close());
  const out = await sendCampaign(
    { store: h.store, transport, config: h.config, logger: silentLogger(), workerId: 'test', secret: h.config.secret!, connectionPauseMs: 0 },
    h.issue,
  );
  expect(out).toMatchObject({ sent: subscribers, failed: 0 });

  const { log, lines, warnings } = capturingLogger();
  const receiver = await startInboundReceiver({
    bounceAddress: BOUNCES,
    secret: h.config.secret!,
    maxMessageBytes: opts.maxMessageBytes ?? 1_048_576,
    host: '127.0.0.1',
    port: 0,
    recorder: h.store,
    policy: feedbackPolicy(h.config),
    log,
  });
  cleanup.push(() => receiver.close());
  const client = nodemailer.createTransport({ host: '127.0.0.1', port: receiver.port, secure: false, ignoreTLS: true });
  cleanup.push(() => client.close());
  return {
    h,
    smtp,
    receiver,
    lines,
    warnings,
    client,
    copyFor(email) {
      const m = smtp.messages.find((message) => message.to[0] === email);
      if (!m) throw new Error(`no copy sent to ${email}`);
      return { verp: m.from, raw: m.raw };
    },
    async deliver(raw, to) {
      try {
        await client.sendMail({ envelope: { from: '', to }, raw });
        return { ok: true };
      } catch (err) {
        const e = err as { responseCode?: number; message: string };
        return { ok: false, code: e.responseCode, message: e.message };
      }
    },
  };
}

/** The receiver's answer to EHLO, read off a plain socket. */
function ehloAnswer(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let greeting = '';
    let answer: string | null = null;
    socket.on('data', (data: Buffer) => {
      if (answer === null) {
        greeting += data.toString();
        if (!/^220 /m.test(greeting)) return;
        answer = '';
        socket.write('EHLO client.example.net\r\n');
        return;
      }
      answer += data.toString();
      if (/^250 /m.test(answer)) {
        socket.end('QUIT\r\n');
        resolve(answer);
      }
    });
    socket.on('error', reject);
  });
}

async function statsOf(h: Harness) {
  const campaign = (await h.store.getCampaign(h.issue.slug))!;
  return h.store.campaignStats(campaign.id);
}

async function statusOf(h: Harness, email: string) {
  return (await h.store.findSubscriberByEmail(email))!.status;
}

describe('inbound SMTP receiver', () => {
  for (const kind of ['SQLite', 'PostgreSQL'] as const) {
    it.skipIf(kind === 'PostgreSQL' && !pgAvailable)(
      `records hard and soft DSNs and an ARF complaint sent back over SMTP, each for the copy its VERP token names (${kind})`,
      async () => {
        const s = await sentCampaign(5, { store: kind });
        const [hard, soft, complainer, fromFixture] = ['sub0@example.org', 'sub1@example.org', 'sub2@example.org', 'sub3@example.org'];
        expect(s.copyFor(hard!).verp).toMatch(/^bounces\+[0-9a-z.]+@news\.example\.org$/);

        const hardDsn = dsn({ id: 'h1', recipient: hard!, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <sub0@example.org>: User unknown' });
        expect(await s.deliver(hardDsn, [s.copyFor(hard!).verp])).toEqual({ ok: true });
        const softDsn = dsn({ id: 's1', recipient: soft!, action: 'delayed', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' });
        expect(await s.deliver(softDsn, [s.copyFor(soft!).verp])).toEqual({ ok: true });
        // A complaint comes to the CFBL-Address (the plain bounce address): the returned headers carry the token.
        expect(await s.deliver(arf({ id: 'c1', original: s.copyFor(complainer!).raw }), [BOUNCES])).toEqual({ ok: true });
        // A real Postfix DSN, as it is, to the VERP address of its copy.
        expect(await s.deliver(fixture('postfix-dsn-hard.eml'), [s.copyFor(fromFixture!).verp])).toEqual({ ok: true });

        expect(await statusOf(s.h, hard!)).toBe('bounced');
        expect(await statusOf(s.h, soft!)).toBe('active'); // one soft bounce of bounce.softLimit (3)
        expect(await statusOf(s.h, complainer!)).toBe('complained');
        expect(await statusOf(s.h, fromFixture!)).toBe('bounced');
        expect(await statusOf(s.h, 'sub4@example.org')).toBe('active');
        expect(await statsOf(s.h)).toMatchObject({ sent: 5, bounced: 2, softBounced: 1, complained: 1 });
        expect(s.lines.filter((l) => / recorded$/.test(l.msg)).map((l) => l.msg)).toEqual([
          'hard-bounce recorded',
          'soft-bounce recorded',
          'complaint recorded',
          'hard-bounce recorded',
        ]);
        expect(s.warnings()).toEqual([]);

        // The same DSN delivered again (an MTA retrying after a lost 250): one event, nothing counted twice.
        expect(await s.deliver(hardDsn, [s.copyFor(hard!).verp])).toEqual({ ok: true });
        expect(await statsOf(s.h)).toMatchObject({ bounced: 2, softBounced: 1, complained: 1 });
        expect(s.lines.at(-1)!.msg).toBe('hard-bounce already recorded (a replay): nothing changed');
        // No subscriber address in any log line (logs outlive an erasure).
        expect(JSON.stringify(s.lines)).not.toContain('@example.org');

        // Two more soft bounces of the same reader (other reports): bounce.softLimit (3) reached, bounced.
        for (const id of ['s2', 's3']) {
          expect(await s.deliver(dsn({ id, recipient: soft!, action: 'failed', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full' }), [s.copyFor(soft!).verp])).toEqual({
            ok: true,
          });
        }
        expect(await statusOf(s.h, soft!)).toBe('bounced');
        expect(await statsOf(s.h)).toMatchObject({ bounced: 2, softBounced: 1, complained: 1 });
      },
    );
  }

  it('bad input: a forged token, a 2 MB bounce and mail for another domain: each one log line, nothing changed in the store', async () => {
    const s = await sentCampaign(2);
    const target = 'sub0@example.org';
    const { verp } = s.copyFor(target);
    const before = await statsOf(s.h);

    // Forged: the token of another subscriber with its MAC altered. Accepted (no retry storm), ignored.
    const forgedVerp = verp.replace(/[a-z2-7]{4}@/, 'aaaa@');
    expect(forgedVerp).not.toBe(verp);
    const forged = dsn({ id: 'f1', recipient: target, action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' });
    expect(await s.deliver(forged, [forgedVerp])).toEqual({ ok: true });
    expect(s.warnings()).toEqual(['feedback message ignored: the address it was delivered to carries a forged VERP token (bad signature); not attributed by address']);

    // 2 MB (the limit is 1 MB): refused at the end of DATA with 552.
    const huge = dsn({
      id: 'big',
      recipient: target,
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 User unknown',
      returnedHeaders: `X-Padding: ${'x'.repeat(76)}\r\n`.repeat(26_000),
    });
    expect(huge.length).toBeGreaterThan(2_000_000);
    const refused = await s.deliver(huge, [verp]);
    expect(refused).toMatchObject({ ok: false, code: 552 });
    expect(s.warnings().at(-1)).toMatch(/^inbound: message refused \(552\): larger than inbound\.maxMessageBytes \(1048576 bytes\)$/);

    // Another domain: refused at RCPT, no open relay.
    const relay = await s.deliver(dsn({ id: 'r1', recipient: target, action: 'failed', status: '5.1.1', diagnostic: 'x' }), ['someone@elsewhere.example.net']);
    expect(relay).toMatchObject({ ok: false, code: 550 });
    expect((relay as { message: string }).message).toMatch(/5\.7\.1 Relaying denied/);
    expect(s.warnings().at(-1)).toBe('inbound: recipient refused (550 5.7.1): not the bounce domain news.example.org, no relaying');
    expect(s.warnings()).toHaveLength(3);

    expect(await statsOf(s.h)).toEqual(before);
    expect(await statusOf(s.h, target)).toBe('active');
  });

  it('announces SIZE, offers no AUTH, and answers 451 when the message cannot be stored (the sender retries)', async () => {
    const s = await sentCampaign(1);
    const { verp } = s.copyFor('sub0@example.org');
    const ehlo = await ehloAnswer(s.receiver.port);
    expect(ehlo).toMatch(/^250[- ]SIZE 1048576\r?$/m);
    expect(ehlo).not.toMatch(/AUTH/);

    // At most 10 recipients per message: the 11th is refused with 452 (the MTA sends it again later).
    const many = Array.from({ length: 11 }, (_, i) => `bounces+${i}@news.example.org`);
    const info = await s.client.sendMail({ envelope: { from: '', to: many }, raw: Buffer.from('From: a@b.example\r\nSubject: x\r\n\r\nx\r\n') });
    expect(info.accepted).toHaveLength(10);
    expect(info.rejected).toEqual([many[10]]);
    expect((info.rejectedErrors as Array<{ responseCode?: number }> | undefined)?.map((e) => e.responseCode)).toEqual([452]);

    await s.h.store.close(); // the store is gone: recording fails
    const failed = await s.deliver(dsn({ id: 'x1', recipient: 'sub0@example.org', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' }), [verp]);
    expect(failed).toMatchObject({ ok: false, code: 451 });
    expect(s.lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual(['inbound: could not record a feedback message (451: the sender will retry)']);
  });
});
