// Body parts prepared once and filled per recipient without re-encoding the static text.
//
// Two transfer encodings, whichever is smaller for the part:
//  - quoted-printable (mostly ASCII parts): static pieces are encoded and wrapped once, and every
//    slot starts on its own line (a soft break `=\r\n` closes the piece before it and the value).
//  - base64 (mostly non-ASCII parts, e.g. Chinese issues, where QP would triple the size): base64
//    works on 3-byte groups, so a value of arbitrary length shifts the alignment of everything
//    after it. Each static piece is therefore pre-encoded in all three alignments; per recipient
//    only the few bytes around each value (the value plus at most 2 bytes either side) are encoded.
//    Decoders ignore line breaks in base64 (RFC 2045 6.8), so pieces end lines early.
// Neither encoding produces runs of spaces the DKIM relaxed body canonicalization would change
// except literal spaces in QP, whose canonical form is prepared once here.
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { encodeSlotValue, relaxBody } from './mime.js';

const CRLF = '\r\n';
const EMPTY = Buffer.alloc(0);

export interface PartTemplate {
  encoding: 'quoted-printable' | 'base64';
  /** Sentinels in order of appearance. */
  slots: string[];
  /** Appends the part's bytes for one recipient; values[i] fills slots[i]. */
  fill(values: readonly string[], out: Buffer[]): void;
  /** Static output pieces whose DKIM canonical form differs from the raw bytes. */
  canonical: Map<Buffer, Buffer>;
  /** Every static output piece (fill() pushes these same buffers), so they can be dot-stuffed once. */
  statics: readonly Buffer[];
}

export function buildPart(text: string, sentinels: readonly string[]): PartTemplate {
  const normalized = text.replace(/\r\n|\r|\n/g, CRLF);
  const chunks: string[] = [];
  const slots: string[] = [];
  let rest = normalized;
  const finder = sentinels.length ? new RegExp(sentinels.join('|')) : null;
  for (;;) {
    const m = finder?.exec(rest);
    if (!m) break;
    chunks.push(rest.slice(0, m.index));
    slots.push(m[0]);
    rest = rest.slice(m.index + m[0].length);
  }
  chunks.push(rest);
  const qp = quotedPrintablePart(chunks, slots);
  const bytes = Buffer.byteLength(normalized, 'utf8');
  const qpSize = qp.size;
  const b64Size = Math.ceil(bytes / 3) * 4 * (78 / 76);
  return b64Size < qpSize ? base64Part(chunks, slots) : qp.part;
}

function quotedPrintablePart(chunks: string[], slots: string[]): { part: PartTemplate; size: number } {
  const encoded = chunks.map((p, i) => {
    let q = qpWrap(qpEncode(p), 76);
    if (i < chunks.length - 1) {
      if (q !== '' && !q.endsWith(CRLF)) q += `=${CRLF}`;
    } else if (!q.endsWith(CRLF)) {
      q += CRLF;
    }
    return q;
  });
  const pieces = encoded.map((q) => Buffer.from(q, 'latin1'));
  const canonical = new Map<Buffer, Buffer>();
  pieces.forEach((p, i) => {
    const c = relaxBody(encoded[i]!);
    if (c !== encoded[i]) canonical.set(p, Buffer.from(c, 'latin1'));
  });
  const part: PartTemplate = {
    encoding: 'quoted-printable',
    slots,
    canonical,
    statics: pieces,
    fill(values, out) {
      for (let i = 0; i < pieces.length; i++) {
        out.push(pieces[i]!);
        if (i < slots.length) {
          const v = values[i]!;
          if (v !== '') out.push(Buffer.from(encodeSlotValue(v), 'latin1'));
        }
      }
    },
  };
  return { part, size: pieces.reduce((n, p) => n + p.length, 0) };
}

/** base64 of `b`, in lines of at most 76 characters, each ending in CRLF ('' for no bytes). */
function b64Lines(b: Buffer): string {
  if (b.length === 0) return '';
  const s = b.toString('base64');
  if (s.length <= 76) return `${s}${CRLF}`;
  let out = '';
  for (let i = 0; i < s.length; i += 76) out += `${s.slice(i, i + 76)}${CRLF}`;
  return out;
}

function base64Part(chunks: string[], slots: string[]): PartTemplate {
  const raw = chunks.map((c) => Buffer.from(c, 'utf8'));
  // variants[i][k]: chunk i from byte k up to the last complete 3-byte group, encoded; end[i][k].
  const variants: Buffer[][] = [];
  const ends: number[][] = [];
  raw.forEach((chunk, i) => {
    variants[i] = [];
    ends[i] = [];
    for (let k = 0; k < 3; k++) {
      if (k > chunk.length) continue;
      const end = k + Math.floor((chunk.length - k) / 3) * 3;
      variants[i]![k] = Buffer.from(b64Lines(chunk.subarray(k, end)), 'latin1');
      ends[i]![k] = end;
    }
  });
  return {
    encoding: 'base64',
    slots,
    canonical: new Map(),
    statics: variants.flat(),
    fill(values, out) {
      let carry: Buffer = EMPTY;
      for (let i = 0; i < raw.length; i++) {
        const chunk = raw[i]!;
        const k = (3 - carry.length) % 3;
        if (k > chunk.length) {
          carry = Buffer.concat([carry, chunk]);
        } else {
          if (carry.length > 0) out.push(Buffer.from(b64Lines(Buffer.concat([carry, chunk.subarray(0, k)])), 'latin1'));
          const v = variants[i]![k]!;
          if (v.length > 0) out.push(v);
          carry = chunk.subarray(ends[i]![k]!);
        }
        if (i < slots.length) {
          const value = values[i]!;
          if (value === '') continue;
          const bytes = Buffer.concat([carry, Buffer.from(value, 'utf8')]);
          const whole = bytes.length - (bytes.length % 3);
          if (whole > 0) out.push(Buffer.from(b64Lines(bytes.subarray(0, whole)), 'latin1'));
          carry = bytes.subarray(whole);
        }
      }
      if (carry.length > 0) out.push(Buffer.from(b64Lines(carry), 'latin1'));
    },
  };
}
