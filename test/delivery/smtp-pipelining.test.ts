// The pipelining SMTP client against a real SMTP server (the smtp-server package) on loopback:
// what it says on the wire (EHLO name, RSET only after a failed transaction, QUIT at the end) and
// that every message arrives byte for byte, dots included.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { createTransport, SendError } from '../../src/delivery/transport.js';
import type { OutgoingMessage } from '../../src/email/message.js';
import { silentLogger } from '../../src/logging.js';
import { startTestSmtpServer, type TestSmtpOptions } from '../support/smtp-server.js';

function message(to: string, n: number): OutgoingMessage {
  const raw = Buffer.from(
    [`From: news@example.org`, `To: ${to}`, `Subject: ${n}`, `Message-ID: <m.${n}@example.org>`, ``, `.first line is a dot`, `..two`, `.`, `mid. dot`, `last`, ``].join('\r\n'),
  );
  return { envelope: { from: 'bounces@example.org', to: [to] }, messageId: `<m.${n}@example.org>`, raw };
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(options: TestSmtpOptions, query = '', connections = 1) {
  const server = await startTestSmtpServer({ keepMessages: true, recordCleartext: true, ...options });
  cleanup.push(() => server.close());
  const config = defaultConfig('/tmp');
  config.smtpUrl = `${server.url}${query}`;
  config.smtp.maxConnections = connections;
  const transport = createTransport(config, silentLogger());
  return { server, transport };
}

const count = (s: string, what: string) => s.split(what).length - 1;

describe('pipelining SMTP client', () => {
  it('pipelines MAIL/RCPT/DATA, sends RSET only after a failed transaction and QUIT at the end, with the configured EHLO name', async () => {
    const helos: string[] = [];
    const { server, transport } = await setup(
      { rcpt: (a) => (a.startsWith('gone') ? { code: 550 } : null), onAccepted: ({ helo }) => helos.push(helo) },
      '?name=mailer.example.org',
    );
    const sent = [message('a@example.org', 1), message('b@example.org', 2)];
    for (const m of sent) expect((await transport.send(m)).code).toBe(250);
    const e = await transport.send(message('gone@example.org', 3)).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SendError);
    expect(e).toMatchObject({ kind: 'user-unknown', code: 550 }); // the RCPT's answer, not DATA's 503/554
    sent.push(message('c@example.org', 4));
    expect((await transport.send(sent[2]!)).code).toBe(250);
    await transport.close();

    const wire = server.cleartext();
    expect(wire.startsWith('EHLO mailer.example.org\r\n')).toBe(true);
    expect(helos).toEqual(['mailer.example.org', 'mailer.example.org', 'mailer.example.org']);
    expect(count(wire, 'RSET\r\n')).toBe(1);
    expect(wire).toContain('RSET\r\nMAIL FROM:<bounces@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n'); // RSET opens the group after the failure
    expect(wire.indexOf('RSET\r\n')).toBeGreaterThan(wire.indexOf('RCPT TO:<gone@example.org>'));
    expect(wire.endsWith('QUIT\r\n')).toBe(true);
    expect(server.connections().total).toBe(1);
    expect(server.messages.map((m) => m.to[0])).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
    expect(server.messages.map((m, i) => m.raw.equals(sent[i]!.raw))).toEqual([true, true, true]);
  });

  it('treats a 421 to RCPT in the middle of a pipelined group as temporary, and the next message goes over a fresh connection', async () => {
    const { server, transport } = await setup({ rcpt: (a, n) => (a.startsWith('busy') && n === 1 ? { code: 421 } : null) });
    cleanup.push(() => transport.close());
    const e = await transport.send(message('busy@example.org', 1)).catch((err: unknown) => err);
    expect(e).toMatchObject({ kind: 'temporary', code: 421 });
    expect((await transport.send(message('busy@example.org', 2))).code).toBe(250);
    expect(server.countFor('busy@example.org')).toBe(1);
    expect(server.connections().total).toBe(2);
  });

  it('holds the final dot until beforeFinalDot resolves, and abandons the message undelivered when it rejects', async () => {
    const { server, transport } = await setup({});
    cleanup.push(() => transport.close());
    let release!: () => void;
    let asked = false;
    const held = transport.send(message('held@example.org', 1), {
      beforeFinalDot: () => {
        asked = true;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    while (!asked) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
    expect(server.messages).toHaveLength(0); // the whole body is there, the dot is not
    expect(server.cleartext()).toContain('last\r\n');
    release();
    expect((await held).code).toBe(250);
    expect(server.messages.map((m) => m.to[0])).toEqual(['held@example.org']);

    const e = await transport.send(message('dropped@example.org', 2), { beforeFinalDot: () => Promise.reject(new Error('disk full')) }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SendError);
    expect((await transport.send(message('after@example.org', 3))).code).toBe(250); // a fresh connection
    expect(server.messages.map((m) => m.to[0])).toEqual(['held@example.org', 'after@example.org']);
    expect(server.connections().total).toBe(2);
  });

  it('sends a prepared message dot-stuffed as prepared, and nodemailer stays selectable with ?client=nodemailer', async () => {
    const { server, transport } = await setup({}, '?client=nodemailer');
    cleanup.push(() => transport.close());
    const m = message('n@example.org', 1);
    expect((await transport.send(m)).code).toBe(250);
    expect(server.messages[0]!.raw.equals(m.raw)).toBe(true);
    expect(server.cleartext()).not.toContain('EHLO mailer');
  });
});
