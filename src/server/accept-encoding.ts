// Content negotiation for the precompressed copies of the build (src/build/precompress.ts):
// which encoding an Accept-Encoding header asks for, by RFC 9110 12.5.3 (q-values, `*`, `q=0`
// refusing one). Ties go to the order of ENCODINGS (brotli first: smaller).
import { ENCODINGS, type Encoding } from '../build/precompress.js';

export function preferredEncoding(header: string | undefined): Encoding | null {
  if (header === undefined || header.trim() === '') return null;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (token === '') continue;
    let q = 1;
    for (const param of params) {
      const m = /^q=([0-9.]+)$/.exec(param);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q) || q < 0 || q > 1) continue;
    // x-gzip is gzip (RFC 9110 8.4.1.3).
    const name = token === 'x-gzip' ? 'gzip' : token;
    weights.set(name, Math.max(q, weights.get(name) ?? 0));
  }
  let best: Encoding | null = null;
  let bestQ = 0;
  for (const { name } of ENCODINGS) {
    const q = weights.get(name) ?? weights.get('*') ?? 0;
    if (q > bestQ) {
      best = name;
      bestQ = q;
    }
  }
  return best;
}
