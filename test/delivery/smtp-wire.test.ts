// The pure parts of the pipelining SMTP client: replies, command groups, and dot-stuffing of a
// prepared message, including values spliced in per recipient at the start of a line.
import { describe, expect, it } from 'vitest';
import { authPlain, envelopeCommands, pipelinedGroup } from '../../src/delivery/smtp/commands.js';
import { capabilities, ReplyParser } from '../../src/delivery/smtp/reply.js';
import { composePrepared, field } from '../../src/email/compose.js';
import { DATA_END, dotStuff, stuffedData } from '../../src/email/dot-stuff.js';
import { makeSentinel } from '../../src/email/mime.js';

/** What a server makes of DATA content (RFC 5321 4.5.2): the terminator gone, one leading dot removed per line. */
function unstuff(pieces: readonly Buffer[]): Buffer {
  const s = Buffer.concat(pieces).toString('latin1');
  expect(s.endsWith('\r\n.\r\n')).toBe(true);
  const lines = s.slice(0, -3).split('\r\n');
  return Buffer.from(lines.map((l) => (l.startsWith('.') ? l.slice(1) : l)).join('\r\n'), 'latin1');
}

/** Lines (before the terminator) that a server would take for the end of the data, or unstuff wrongly. */
function unstuffedDotLines(pieces: readonly Buffer[]): string[] {
  return Buffer.concat(pieces)
    .toString('latin1')
    .slice(0, -3)
    .split('\r\n')
    .filter((l) => l.startsWith('.') && !l.startsWith('..'));
}

describe('SMTP replies', () => {
  it('reads single- and multi-line replies split anywhere across chunks, in order', () => {
    const p = new ReplyParser();
    const wire = '220 mx.example.org ESMTP\r\n250-mx.example.org\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n354 go ahead\r\n';
    const replies = [];
    for (let i = 0; i < wire.length; i += 7) replies.push(...p.push(Buffer.from(wire.slice(i, i + 7))));
    expect(replies.map((r) => r.code)).toEqual([220, 250, 354]);
    expect(replies[1]!.lines).toEqual(['mx.example.org', 'PIPELINING', 'AUTH PLAIN LOGIN', 'STARTTLS']);
    expect(replies[1]!.text).toBe('250-mx.example.org\n250-PIPELINING\n250-AUTH PLAIN LOGIN\n250 STARTTLS');
    expect(capabilities(replies[1]!)).toEqual({ pipelining: true, starttls: true, auth: ['PLAIN', 'LOGIN'] });
    expect(capabilities(null)).toEqual({ pipelining: false, starttls: false, auth: [] });
  });

  it('keeps an incomplete line until its end arrives, and reports a line that is no reply as code 0', () => {
    const p = new ReplyParser();
    expect(p.push(Buffer.from('250 2.0.0 Ok: que'))).toEqual([]);
    expect(p.push(Buffer.from('ued as 7\r\n'))[0]).toMatchObject({ code: 250, text: '250 2.0.0 Ok: queued as 7' });
    expect(p.push(Buffer.from('garbage\n'))[0]).toMatchObject({ code: 0, text: 'garbage' });
  });
});

describe('pipelined command groups', () => {
  it('puts MAIL FROM, every RCPT TO and DATA (last) in one group, with RSET first only when asked', () => {
    expect(pipelinedGroup(envelopeCommands('b@example.org', ['r@example.org']))).toBe('MAIL FROM:<b@example.org>\r\nRCPT TO:<r@example.org>\r\nDATA\r\n');
    const reset = envelopeCommands('b@example.org', ['r@example.org', 's@example.org'], true);
    expect(reset.map((c) => c.name)).toEqual(['RSET', 'MAIL FROM', 'RCPT TO', 'RCPT TO', 'DATA']);
  });

  it('refuses a path that would end the command line early', () => {
    expect(() => envelopeCommands('b@example.org', ['r@example.org>\r\nRCPT TO:<x@example.org'])).toThrow(/not a valid SMTP path/);
  });

  it('encodes AUTH PLAIN as NUL user NUL password', () => {
    expect(Buffer.from(authPlain('alice', 's3cret'), 'base64').toString()).toBe('\u0000alice\u0000s3cret');
  });
});

describe('dot-stuffing', () => {
  it('doubles a dot at the start of every line, the first byte only at a line start, and copies nothing when there is none', () => {
    expect(dotStuff(Buffer.from('.a\r\nb\r\n..c\r\n.')).toString()).toBe('..a\r\nb\r\n...c\r\n..');
    expect(dotStuff(Buffer.from('.a\r\n.b'), false).toString()).toBe('.a\r\n..b');
    const clean = Buffer.from('no dots at line starts. none.\r\n');
    expect(dotStuff(clean)).toBe(clean);
  });

  it('stuffs a piece that lands at a line start after another piece, adds the final CRLF when missing, ends with CRLF . CRLF', () => {
    const a = Buffer.from('line\r\n');
    const b = Buffer.from('.dot\r\nend');
    const data = stuffedData([a, b], new Map([[b, dotStuff(b, false)]]));
    expect(Buffer.concat(data).toString()).toBe('line\r\n..dot\r\nend\r\n.\r\n');
    expect(data[0]).toBe(a); // static pieces go out as they are: no copy
    expect(Buffer.concat(stuffedData([Buffer.from('x'), Buffer.from('.y\r\n')])).toString()).toBe('x.y\r\n.\r\n'); // mid-line: no stuffing
    expect(DATA_END.toString()).toBe('.\r\n');
  });

  it('stuffs per-recipient values spliced at the start of a line (a name starting with a dot), and the static parts once', () => {
    const sentinels = { name: makeSentinel('name'), email: makeSentinel('email') };
    const text = `Hello\n${sentinels.name}\n.static line starting with a dot\nfor ${sentinels.email}\n${'long '.repeat(30)}.dot after folding\n`;
    const html = `<p>${sentinels.name}</p>\n.<b>x</b>`;
    const prepared = composePrepared({
      headers: [field('From', 'From: news@example.org'), field('Subject', 'Subject: dots')],
      trailingHeaders: [],
      html,
      text,
      sentinels,
      envelopeFrom: 'bounces@example.org',
      perRecipient: (r) => ({
        values: { name: r.name ?? '', email: r.email },
        headers: [field('To', `To: ${r.email}`)],
        messageId: `<m.${r.id}@example.org>`,
        envelopeTo: r.email,
      }),
    });
    for (const name of ['.Reader', '..', '.', `${'x'.repeat(74)}.tail`, 'plain']) {
      const m = prepared.messageFor({ id: 1, email: 'r@example.org', name });
      const data = m.smtpData!;
      expect(unstuffedDotLines(data)).toEqual([]);
      expect(unstuff(data).equals(m.raw)).toBe(true);
    }
    // The name starts a QP line of its own: that line went out stuffed.
    expect(prepared.messageFor({ id: 1, email: 'r@example.org', name: '.Reader' }).smtpData!.join('')).toContain('\r\n..Reader=\r\n');
  });
});
