// SMTP DATA transparency (RFC 5321 section 4.5.2): every line that starts with "." gets one more
// "." in front of it, and the content ends with CRLF "." CRLF. A prepared message stuffs its static
// pieces once per campaign (the lines inside them); what is spliced in per recipient is stuffed when
// the message is assembled, and so is the first byte of every piece that lands at the start of a
// line, whatever came before it (a static piece after a value, a value after a static piece).
const DOT = 0x2e;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n', 'latin1');
const DOT_BYTE = Buffer.from('.', 'latin1');

/** The end of the DATA content: the line holding a single dot. */
export const DATA_END = Buffer.from('.\r\n', 'latin1');

/**
 * `bytes` with a "." added before every "." that starts a line inside it. The first byte counts as
 * a line start only when `atLineStart` (what came before ended a line). Returns `bytes` itself
 * when nothing needs stuffing (the common case: no copy).
 */
export function dotStuff(bytes: Buffer, atLineStart = true): Buffer {
  const at: number[] = [];
  if (atLineStart && bytes[0] === DOT) at.push(0);
  for (let i = bytes.indexOf('\n.'); i !== -1; i = bytes.indexOf('\n.', i + 2)) at.push(i + 1);
  if (at.length === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + at.length);
  let from = 0;
  let to = 0;
  for (const dot of at) {
    to += bytes.copy(out, to, from, dot);
    out[to++] = DOT;
    from = dot;
  }
  bytes.copy(out, to, from);
  return out;
}

/**
 * The DATA content for a message made of `pieces`, ending in CRLF "." CRLF, as pieces for one
 * corked (vectored) socket write: the static pieces are the prepared buffers themselves, so a
 * message costs no copy of its body. A piece
 * found in `prestuffed` maps to its form already stuffed inside (`dotStuff(piece, false)`, prepared
 * once); any other piece is stuffed here. A piece that starts with "." at the start of a line gets
 * its extra dot here either way.
 */
export function stuffedData(pieces: readonly Buffer[], prestuffed: ReadonlyMap<Buffer, Buffer> = new Map()): Buffer[] {
  const out: Buffer[] = [];
  let atLineStart = true;
  for (const piece of pieces) {
    if (piece.length === 0) continue;
    if (atLineStart && piece[0] === DOT) out.push(DOT_BYTE);
    out.push(prestuffed.get(piece) ?? dotStuff(piece, false));
    atLineStart = piece[piece.length - 1] === LF;
  }
  if (!atLineStart) out.push(CRLF);
  out.push(DATA_END);
  return out;
}

/** The pieces as one buffer of `total` bytes (one allocation; Buffer.concat was measurably slower for many small pieces). */
export function joinBuffers(pieces: readonly Buffer[], total: number): Buffer {
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const b of pieces) offset += b.copy(out, offset);
  return out;
}
