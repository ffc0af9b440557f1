// The transports on their own, against a real SMTP server on loopback: what reaches the server,
// and how each kind of failure is classified for the retry policy.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import type { OutgoingMessage } from '../../src/email/message.js';
import { silentLogger } from '../../src/logging.js';
import { backoffDelay, isUserUnknown } from '../../src/delivery/retry.js';
import { createTransport, SendError, type Transport } from '../../src/delivery/transport.js';
import { startTestSmtpServer } from '../support/smtp-server.js';

function message(to: string, n = 1): OutgoingMessage {
  const messageId = `<issue-1.${n}.abc@example.org>`;
  const raw = Buffer.from(
    [
      `From: News <news@example.org>`,
      `To: ${to}`,
      `Subject: Hello ${n}`,
      `Message-ID: ${messageId}`,
      `MIME-Version: 1.0`,
      `Content-Type: text/plain; charset=utf-8`,
      ``,
      `Body line one`,
      `.leading dot line`,
      `Ünïcode ✓`,
      ``,
    ].join('\r\n'),
  );
  return { envelope: { from: 'bounces@example.org', to: [to] }, messageId, raw };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(opts: Parameters<typeof startTestSmtpServer>[0] = {}, urlSuffix = '', maxConnections = 2) {
  const server = await startTestSmtpServer(opts);
  cleanup.push(() => server.close());
  const config = defaultConfig('/tmp');
  config.smtpUrl = server.url + urlSuffix;
  config.smtp.maxConnections = maxConnections;
  const transport = createTransport(config, silentLogger());
  cleanup.push(() => transport.close());
  return { server, transport };
}

async function failure(t: Transport, m: OutgoingMessage): Promise<SendError> {
  try {
    await t.send(m);
  } catch (err) {
    expect(err).toBeInstanceOf(SendError);
    return err as SendError;
  }
  throw new Error('expected the send to fail');
}

describe('SMTP transport', () => {
  it('delivers the raw message byte for byte (dot-stuffing undone by the server)', async () => {
    const { server, transport } = await setup({ keepMessages: true });
    const m = message('Reader@Example.org');
    const result = await transport.send(m);
    expect(result.code).toBe(250);
    expect(result.response).toMatch(/^250 /);
    expect(server.countFor('reader@example.org')).toBe(1);
    expect(server.messages[0]!.raw.equals(m.raw)).toBe(true);
    expect(server.messages[0]!.from).toBe('bounces@example.org');
    expect(transport.description).toContain(`127.0.0.1:${server.port}`);
  });

  it('classifies 4xx on RCPT as temporary, 550 5.1.1 as user unknown, other 5xx as permanent', async () => {
    const { transport } = await setup({
      rcpt: (a) =>
        a.startsWith('busy')
          ? { code: 451 }
          : a.startsWith('full')
            ? { code: 452 }
            : a.startsWith('gone')
              ? { code: 550 }
              : a.startsWith('spam')
                ? { code: 554, message: '5.7.1 Rejected by policy' }
                : null,
    });
    const busy = await failure(transport, message('busy@example.org'));
    expect([busy.code, busy.kind]).toEqual([451, 'temporary']);
    const full = await failure(transport, message('full@example.org'));
    expect([full.code, full.kind]).toEqual([452, 'temporary']);
    const gone = await failure(transport, message('gone@example.org'));
    expect([gone.code, gone.kind]).toEqual([550, 'user-unknown']);
    expect(gone.response).toContain('5.1.1');
    const spam = await failure(transport, message('spam@example.org'));
    expect([spam.code, spam.kind]).toEqual([554, 'permanent']);
    // The pool survives rejections: a good recipient still goes through.
    expect((await transport.send(message('ok@example.org'))).code).toBe(250);
  });

  it('treats 421 on connect as temporary, then succeeds on a fresh connection', async () => {
    const { server, transport } = await setup({ connect: (n) => (n === 1 ? { code: 421 } : null) });
    const e = await failure(transport, message('a@example.org'));
    expect([e.code, e.kind]).toEqual([421, 'temporary']);
    expect((await transport.send(message('a@example.org'))).code).toBe(250);
    expect(server.countFor('a@example.org')).toBe(1);
  });

  it('treats 454 at the end of DATA as temporary', async () => {
    const { server, transport } = await setup({ data: (_a, n) => (n === 1 ? { code: 454 } : null) });
    const e = await failure(transport, message('t@example.org'));
    expect([e.code, e.kind]).toEqual([454, 'temporary']);
    await transport.send(message('t@example.org'));
    expect(server.countFor('t@example.org')).toBe(1);
  });

  it('treats a connection dropped in the middle of DATA (before the final dot) as temporary, and nothing is counted', async () => {
    const { server, transport } = await setup({ dropInData: (_a, n) => n === 1 });
    // 20 MB: far more than the socket buffers take, so the drop comes before our final dot is
    // written (a small message is written whole at once: a drop then is an unknown outcome, below).
    const big = message('d@example.org');
    const e = await failure(transport, { ...big, raw: Buffer.concat([big.raw, Buffer.alloc(20 * 1024 * 1024, 'abcdefgh\r\n')]) });
    expect(e.kind).toBe('temporary'); // not unknown-outcome: nothing reached the final dot
    expect(e.code).toBeNull();
    expect(server.countFor('d@example.org')).toBe(0);
    await transport.send(message('d@example.org'));
    expect(server.countFor('d@example.org')).toBe(1);
  });

  it('times out on a server that never greets, and on one that never answers RCPT (before the message): both temporary', async () => {
    const { server, transport } = await setup({ stall: (phase) => phase === 'connect' }, '?greetingTimeout=300&socketTimeout=500&messageTimeout=5000');
    const e = await failure(transport, message('s@example.org'));
    expect(e.kind).toBe('temporary'); // not unknown-outcome: nothing reached the final dot
    expect(e.response).toMatch(/ETIMEDOUT|timeout/i);
    server.faults = { stall: (phase) => phase === 'rcpt' };
    const e2 = await failure(transport, message('s@example.org'));
    expect(e2.kind).toBe('temporary'); // not unknown-outcome: nothing reached the final dot
    expect(server.countFor('s@example.org')).toBe(0);
  });

  it('bounds a message with messageTimeout up to its final dot even when the socket timeout is long', async () => {
    const { transport } = await setup({ stall: (phase) => phase === 'rcpt' }, '?socketTimeout=60000&messageTimeout=400&dataTimeout=300');
    // The pipeline keeps this much of every lease free (see plan.ts): it must be the real bound.
    expect(transport.maxSendMs).toBe(700);
    expect((await setup()).transport.maxSendMs).toBe(120_000 + 600_000);
    const e = await failure(transport, message('slow@example.org'));
    expect(e.kind).toBe('temporary');
    expect(e.response).toMatch(/^timeout/);
  });

  it('waits past the socket timeout for a slow 250 after the final dot (one copy), then keeps the pooled connection', async () => {
    // The server takes 1.5 s to answer the final dot; the socket's idle timeout is 400 ms.
    const { server, transport } = await setup({ replyDelayMs: (a) => (a.startsWith('slow') ? 1500 : 0) }, '?socketTimeout=400', 1);
    const r = await transport.send(message('slow@example.org'));
    expect(r.code).toBe(250);
    expect(server.countFor('slow@example.org')).toBe(1);
    // The next message goes over the same connection with the ordinary timeouts.
    await transport.send(message('next@example.org', 2));
    expect(server.countFor('next@example.org')).toBe(1);
    expect(server.connections().total).toBe(1);
  });

  it('no answer after the final dot within dataTimeout, or a connection lost there, is an unknown outcome, not a failure', async () => {
    const { server, transport } = await setup({ stall: (phase) => phase === 'data' }, '?socketTimeout=5000&dataTimeout=400');
    const e = await failure(transport, message('lost@example.org'));
    expect(e).toMatchObject({ kind: 'unknown-outcome', code: null });
    expect(e.message).toMatch(/^outcome unknown: no answer within 400 ms after the final dot/);
    // A server that closes the connection instead of answering the final dot.
    server.faults = {
      replyDelayMs: (a) => {
        if (a.startsWith('closed')) setTimeout(() => void server.close(), 100);
        return a.startsWith('closed') ? 10_000 : 0;
      },
    };
    const e2 = await failure(transport, message('closed@example.org', 2));
    expect(e2).toMatchObject({ kind: 'unknown-outcome' });
    expect(e2.message).toMatch(/^outcome unknown: connection lost after the final dot/);
  });

  it('authenticates over STARTTLS, and a wrong password is fatal, not a per-recipient failure', async () => {
    const auth = { user: 'alice', pass: 's3cret' };
    const server = await startTestSmtpServer({ auth, starttls: true });
    cleanup.push(() => server.close());
    const config = defaultConfig('/tmp');
    config.smtpUrl = `smtp://alice:s3cret@127.0.0.1:${server.port}?requireTLS=true&tls.rejectUnauthorized=false`;
    const good = createTransport(config, silentLogger());
    cleanup.push(() => good.close());
    expect((await good.send(message('x@example.org'))).code).toBe(250);
    config.smtpUrl = `smtp://alice:wrong@127.0.0.1:${server.port}?requireTLS=true&tls.rejectUnauthorized=false`;
    const bad = createTransport(config, silentLogger());
    cleanup.push(() => bad.close());
    const e = await failure(bad, message('y@example.org'));
    expect(e.kind).toBe('fatal');
    expect(e.code).toBe(535);
    expect(server.accepted()).toBe(1);
  });

  it('refuses an untrusted certificate as fatal (nothing would get through)', async () => {
    const { transport } = await setup({ starttls: true });
    const e = await failure(transport, message('z@example.org'));
    expect(e.kind).toBe('fatal');
    expect(e.response).toMatch(/certificate/);
  });

  it('speaks implicit TLS for smtps://', async () => {
    const { server, transport } = await setup({ secure: true }, '?tls.rejectUnauthorized=false');
    expect(server.url.startsWith('smtps://')).toBe(true);
    await transport.send(message('tls@example.org'));
    expect(server.countFor('tls@example.org')).toBe(1);
  });

  it('uses no more connections than configured', async () => {
    const { server, transport } = await setup({}, '', 3);
    await Promise.all(Array.from({ length: 60 }, (_, i) => transport.send(message(`p${i}@example.org`, i))));
    expect(server.accepted()).toBe(60);
    expect(server.connections().peak).toBeLessThanOrEqual(3);
    expect(server.connections().total).toBeLessThanOrEqual(3);
  });

  it('never sends a password before TLS: a server without STARTTLS gets no AUTH (fatal, one clear line)', async () => {
    const server = await startTestSmtpServer({ auth: { user: 'alice', pass: 's3cret' } });
    cleanup.push(() => server.close());
    const config = defaultConfig('/tmp');
    config.smtpUrl = `smtp://alice:s3cret@127.0.0.1:${server.port}`;
    const transport = createTransport(config, silentLogger());
    cleanup.push(() => transport.close());
    const e = await failure(transport, message('x@example.org'));
    expect(e.kind).toBe('fatal');
    expect(e.message).toBe(
      `smtp://127.0.0.1:${server.port} does not offer STARTTLS, so the password would go out in clear: not sent (use smtps:// or a port with STARTTLS, or add allowPlainAuth=true to SMTP_URL to allow it)`,
    );
    expect(server.authAttempts()).toBe(0);
  });

  it('URL query options reach the connection; pool settings stay ours', async () => {
    // greetingTimeout from the URL is used (the first, silent connection times out fast);
    // maxConnections is no URL option (the configuration refuses it): the pool keeps smtp's.
    let connects = 0;
    const { server, transport } = await setup({ stall: (phase) => phase === 'connect' && ++connects === 1 }, '?greetingTimeout=300', 1);
    const e = await failure(transport, message('slow@example.org'));
    expect(e.kind).toBe('temporary');
    expect(e.response).toMatch(/ETIMEDOUT|timeout/i);
    await Promise.all(Array.from({ length: 5 }, (_, i) => transport.send(message(`q${i}@example.org`, i))));
    expect(server.connections().peak).toBe(1);
  });
});

describe('outbox transport', () => {
  it('writes one .eml per message into <dataDir>/outbox/<campaign-or-test>/', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pressroom-outbox-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = defaultConfig(dir);
    const lines: string[] = [];
    const logger = silentLogger();
    logger.warn = ((_o: unknown, msg: string) => void lines.push(msg)) as typeof logger.warn;
    const transport = createTransport(config, logger);
    expect(lines.join('\n')).toMatch(/SMTP_URL is not set.*outbox/);
    const m = message('o@example.org', 7);
    const r = await transport.send(m, { campaign: 'issue/one' });
    expect(r.code).toBe(250);
    await transport.send(message('t@example.org', 8));
    const campaignDir = path.join(dir, 'data', 'outbox', 'issue_one');
    expect(readdirSync(campaignDir)).toEqual(['issue-1.7.abc@example.org.eml']);
    expect(readFileSync(path.join(campaignDir, 'issue-1.7.abc@example.org.eml')).equals(m.raw)).toBe(true);
    expect(readdirSync(path.join(dir, 'data', 'outbox', 'test'))).toEqual(['issue-1.8.abc@example.org.eml']);
  });
});

describe('retry policy', () => {
  it('doubles the delay per attempt, caps it, and jitters downwards', () => {
    const p = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000, jitter: 0.5 };
    expect([1, 2, 3, 4].map((a) => backoffDelay(p, a, () => 0))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffDelay(p, 2, () => 0.999)).toBe(1001);
  });

  it('recognises user-unknown replies but not policy rejections', () => {
    expect(isUserUnknown(550, '5.1.1 <x@y>: Recipient address rejected: User unknown')).toBe(true);
    expect(isUserUnknown(550, 'No such user here')).toBe(true);
    expect(isUserUnknown(550, '5.7.1 Message rejected as spam')).toBe(false);
    expect(isUserUnknown(550, 'Rejected by policy')).toBe(false);
    expect(isUserUnknown(450, '4.1.1 mailbox busy')).toBe(false);
  });
});
