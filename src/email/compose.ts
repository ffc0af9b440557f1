// Builds a PreparedEmail from HTML and text that contain sentinels for per-recipient values.
// Everything static (headers, the pre-encoded body parts of parts.ts, their DKIM canonical form)
// is built here, once; messageFor() only encodes a handful of short values and copies buffers.
import type { DkimSigner, HeaderField } from './dkim.js';
import type { OutgoingMessage, PreparedEmail, Recipient } from './message.js';
import { dotStuff, joinBuffers, stuffedData } from './dot-stuff.js';
import { bodyHash, hasWsp, newBoundary, relaxBody } from './mime.js';
import { buildPart } from './parts.js';
import { htmlValue } from '../templates/escape.js';

export interface PerRecipient<K extends string> {
  /** Plain values for each sentinel key (escaped for the HTML part here, not by the caller). */
  values: Record<K, string>;
  /** Header fields that differ per recipient (To, Message-ID, List-Unsubscribe, ...). */
  headers: HeaderField[];
  messageId: string;
  envelopeTo: string;
  /** The envelope sender of this copy when it is not the campaign's (a VERP return path). */
  envelopeFrom?: string;
}

export interface ComposeOptions<K extends string> {
  /** Static header fields, in order; per-recipient fields are inserted after them. */
  headers: HeaderField[];
  /** Static header fields placed after the per-recipient ones. */
  trailingHeaders: HeaderField[];
  html: string;
  text: string;
  sentinels: Record<K, string>;
  envelopeFrom: string;
  dkim?: DkimSigner;
  perRecipient(recipient: Recipient): PerRecipient<K>;
}

export function field(name: string, line: string): HeaderField {
  return { key: name.toLowerCase(), line };
}

/** A PreparedEmail that can also show the decoded parts for one recipient (preview, tests). */
export interface PreparedEmailWithParts extends PreparedEmail {
  partsFor(recipient: Recipient): { subject: string; html: string; text: string };
}

export function composePrepared<K extends string>(opts: ComposeOptions<K>, subject = ''): PreparedEmailWithParts {
  const keys = Object.keys(opts.sentinels) as K[];
  const sentinelList = keys.map((k) => opts.sentinels[k]);
  const boundary = newBoundary();
  const textPart = buildPart(opts.text, sentinelList);
  const htmlPart = buildPart(opts.html, sentinelList);
  const partHeader = (type: string, encoding: string) =>
    Buffer.from(`--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n`, 'latin1');
  const textHead = partHeader('text/plain', textPart.encoding);
  const htmlHead = partHeader('text/html', htmlPart.encoding);
  const closing = Buffer.from(`--${boundary}--\r\n`, 'latin1');
  const textSlotKeys = textPart.slots.map((sentinel) => keys[sentinelList.indexOf(sentinel)]!);
  const htmlSlotKeys = htmlPart.slots.map((sentinel) => keys[sentinelList.indexOf(sentinel)]!);
  const trailing = [...opts.trailingHeaders, field('MIME-Version', 'MIME-Version: 1.0'), field('Content-Type', `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`)];
  // DKIM relaxed body canonical form: static pieces prepared once; small dynamic ones on the fly.
  const canonicalOf = new Map<Buffer, Buffer>([...textPart.canonical, ...htmlPart.canonical]);
  for (const b of [textHead, htmlHead, closing]) canonicalOf.set(b, Buffer.from(relaxBody(b.toString('latin1')), 'latin1'));
  // SMTP dot-stuffing of the static pieces, once per campaign (email/dot-stuff.ts).
  const stuffedOf = new Map<Buffer, Buffer>();
  for (const b of [textHead, htmlHead, closing, ...textPart.statics, ...htmlPart.statics]) stuffedOf.set(b, dotStuff(b, false));
  const canonicalBodyHash = (body: Buffer[]) => bodyHash(body.map((b) => canonicalOf.get(b) ?? (hasWsp(b) ? Buffer.from(relaxBody(b.toString('latin1')), 'latin1') : b)));

  return {
    partsFor(recipient: Recipient) {
      const info = opts.perRecipient(recipient);
      let html = opts.html;
      let text = opts.text;
      for (const k of keys) {
        html = html.split(opts.sentinels[k]).join(htmlValue(info.values[k]));
        text = text.split(opts.sentinels[k]).join(info.values[k]);
      }
      return { subject, html, text };
    },
    messageFor(recipient: Recipient): OutgoingMessage {
      const info = opts.perRecipient(recipient);
      const body: Buffer[] = [textHead];
      textPart.fill(
        textSlotKeys.map((k) => info.values[k]),
        body,
      );
      body.push(htmlHead);
      htmlPart.fill(
        htmlSlotKeys.map((k) => htmlValue(info.values[k])),
        body,
      );
      body.push(closing);

      const headers = [...opts.headers, ...info.headers, ...trailing];
      let head = '';
      if (opts.dkim) head += `${opts.dkim.sign(headers, canonicalBodyHash(body))}\r\n`;
      for (const h of headers) head += `${h.line}\r\n`;
      head += '\r\n';
      const pieces = [Buffer.from(head, 'latin1'), ...body];
      // Built when first asked for: the SMTP transport sends smtpData, the outbox and nodemailer read raw.
      let raw: Buffer | undefined;
      let smtpData: Buffer[] | undefined;
      return {
        envelope: { from: info.envelopeFrom ?? opts.envelopeFrom, to: [info.envelopeTo] },
        messageId: info.messageId,
        get raw() {
          raw ??= joinBuffers(
            pieces,
            pieces.reduce((n, b) => n + b.length, 0),
          );
          return raw;
        },
        get smtpData() {
          smtpData ??= stuffedData(pieces, stuffedOf);
          return smtpData;
        },
      };
    },
  };
}
