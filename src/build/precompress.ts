// Precompressed copies of the text files a build writes (feeds, pages, the stylesheet), beside
// them as NAME.br and NAME.gz, so the server answers `Accept-Encoding: br, gzip` with bytes
// compressed once per build instead of once per request (src/server/static.ts picks them).
// Deterministic (gzip carries no time, brotli none at all), so an unchanged file keeps
// unchanged copies, and zlib runs on libuv's thread pool while the build writes other files.
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** The encodings, in the order a client's equal preference is settled (brotli is smaller). */
export const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

export type Encoding = (typeof ENCODINGS)[number]['name'];

const COMPRESSIBLE = /\.(html?|xml|json|css|txt|svg)$/i;

/** Below this, the headers outweigh what compression saves. */
const MIN_BYTES = 1024;

/** Whether a file of the build gets compressed copies: text formats of a worthwhile size. */
export function isCompressible(name: string, size = MIN_BYTES): boolean {
  return COMPRESSIBLE.test(name) && size >= MIN_BYTES;
}

/**
 * The same for a file's content. A string's UTF-8 size is never less than its length, so it is only
 * counted when the length leaves it in doubt (counting every page cost ~20 ms of a rebuild).
 */
export function isCompressibleContent(name: string, content: string | Buffer): boolean {
  const size = typeof content === 'string' && content.length < MIN_BYTES ? Buffer.byteLength(content) : content.length;
  return isCompressible(name, size);
}

/** The copies' names for a file (relative paths, as in the manifest). */
export function compressedNames(name: string): string[] {
  return ENCODINGS.map((e) => `${name}${e.suffix}`);
}

/**
 * Brotli quality 6 and gzip level 6. On a 1,000-issue build's output (33.7 MB of HTML, XML and
 * JSON, measured 2026-12-06, BENCHMARKS.md "build"): brotli 6 gives 0.230 of the size for 0.59 s of
 * CPU where 7 gives 0.224 for 1.12 s and 9 costs twenty times more; gzip 6 gives 0.268 for 0.46 s
 * where 9 gives 0.267 for 1.44 s. Compression was the largest part of a cold build's CPU.
 */
export async function compressAll(content: Buffer): Promise<Buffer[]> {
  return Promise.all([brotli(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: content.length } }), gz(content, { level: 6 })]);
}
