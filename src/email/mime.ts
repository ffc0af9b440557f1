// MIME building blocks for "render once, personalize per recipient": header encoding and
// folding, address checks, sentinels, and the QP/DKIM helpers the body parts (parts.ts) use.
// The message is built once around sentinels (unique uppercase tokens standing for per-recipient
// values); the DKIM body hash is computed over pieces canonicalized once (relaxed), so signing
// needs one SHA-256 pass and one RSA signature per recipient.
import { createHash, randomBytes } from 'node:crypto';
import { encodeWord, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { parseAddress } from '../domain/address.js';
import { oneLine } from '../domain/one-line.js';

const CRLF = '\r\n';

export class HeaderValueError extends Error {
  override name = 'HeaderValueError';
}

export { oneLine };

/** A header line "Name: value", value RFC 2047-encoded when not plain ASCII, folded at 76. */
export function headerLine(name: string, value: string): string {
  return foldLines(`${name}: ${encodeText(oneLine(value))}`, 76);
}

/** RFC 2047 encoded-words (UTF-8, B) when the text is not plain printable ASCII. */
export function encodeText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?')) return text;
  return encodeWord(text, 'B', 52).replace(/\?= =\?/g, '?= =?');
}

/** Checks an address (src/domain/address.ts) and returns it with an ASCII domain; anything odd is rejected, never "cleaned". */
export function checkAddress(address: string, what: string): string {
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new HeaderValueError(`${what}: ${JSON.stringify(address)} is not a valid email address (${parsed.problem})`);
  return parsed.ascii;
}

/** `"Display Name" <addr>` (display name cleaned of CR/LF and encoded), or just `addr`. */
export function formatAddress(name: string | null | undefined, address: string): string {
  const display = name ? oneLine(name) : '';
  if (!display) return address;
  if (/^[\x20-\x7e]*$/.test(display) && !display.includes('=?')) {
    return `"${display.replace(/["\\]/g, '\\$&')}" <${address}>`;
  }
  return `${encodeWord(display, 'B', 52)} <${address}>`;
}

/** "From: ..." / "To: ..." with the address formatted, encoded and folded. */
export function addressLine(header: string, name: string | null | undefined, address: string): string {
  return foldLines(`${header}: ${formatAddress(name, address)}`, 76);
}

export function makeSentinel(label: string): string {
  // Uppercase letters and digits only: survives HTML escaping, URL contexts, html-to-text
  // upper-casing of headings, and QP encoding (all literal).
  return `ZZPR${randomBytes(8).toString('hex').toUpperCase()}${label.toUpperCase().replace(/[^A-Z0-9]/g, '')}ZZ`;
}

/** QP-encodes one per-recipient value as complete lines ending in a soft break. */
export function encodeSlotValue(value: string): string {
  if (value === '') return '';
  if (SAFE_QP.test(value)) {
    // Common case (URLs, addresses): printable ASCII; only '=' needs escaping. Lines of at most
    // 75 characters plus the soft break, never splitting an =XX escape.
    const q = value.replace(/=/g, '=3D');
    if (q.length <= 75) return `${q}=${CRLF}`;
    let out = '';
    let pos = 0;
    while (pos < q.length) {
      let end = Math.min(pos + 75, q.length);
      const eq = q.lastIndexOf('=', end - 1);
      if (eq > end - 3 && eq >= pos && end < q.length) end = eq;
      out += `${q.slice(pos, end)}=${CRLF}`;
      pos = end;
    }
    return out;
  }
  return `${qpWrap(qpEncode(value.replace(/\r\n|\r|\n/g, ' ')), 76)}=${CRLF}`;
}

/** Printable ASCII without leading/trailing whitespace concerns: no space or tab at all. */
const SAFE_QP = /^[\x21-\x7e]+$/;

/** Relaxed body canonicalization (RFC 6376 3.4.4) of whole lines. */
export function relaxBody(s: string): string {
  return s.replace(/[ \t]+\r\n/g, CRLF).replace(/[ \t]+/g, ' ');
}

/** True when the buffer holds a space or tab (relaxed canonicalization could change it). */
export function hasWsp(b: Buffer): boolean {
  return b.includes(0x20) || b.includes(0x09);
}

export function newBoundary(): string {
  // "=_" can never occur in quoted-printable or base64 output, so the boundary cannot collide
  // with content.
  return `=_pressroom_${randomBytes(12).toString('hex')}`;
}

export function bodyHash(canon: Buffer[]): string {
  const h = createHash('sha256');
  for (const b of canon) h.update(b);
  return h.digest('base64');
}
