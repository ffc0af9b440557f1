// The container of Pressroom's caches in the data folder: a magic line, a CRC-32 of the payload,
// then the payload (v8 serialization: the structured clone the loader threads already use, so
// values come back exactly as they went in). A file that fails its hash or does not deserialize
// is reported, never used; a file written by other code (`code` differs) is silently empty.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import { bundledPath } from '../templates/root.js';
import type { Problem } from './issue.js';

const MAGIC = 'pressroom-cache 2\n';
const CHECK_HEX = 8;

/**
 * A CRC-32, not a cryptographic hash: it only has to catch damage (a torn write, a flipped bit, a
 * truncated copy), since whoever can write the data folder could write any checksum; over the
 * 68 MB of caches at 1,000 issues it costs ~10 ms against sha256's ~35 ms, on every read and write.
 */
const checksum = (payload: Uint8Array) => crc32(payload).toString(16).padStart(CHECK_HEX, '0');

/** The entries of a cache file, or a warning when it was there but unusable (a missing file is just empty). */
export function readCacheFile<T>(file: string, code: string): { entries: Map<string, T>; warning?: Problem } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { entries: new Map() };
  }
  const ignored = (why: string) => ({ entries: new Map<string, T>(), warning: { file, message: `the render cache is ${why}; ignored (every issue is rendered again)` } });
  const header = MAGIC.length + CHECK_HEX + 1;
  if (bytes.length < header || bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return ignored('not a Pressroom cache file');
  const payload = bytes.subarray(header);
  if (checksum(payload) !== bytes.subarray(MAGIC.length, MAGIC.length + CHECK_HEX).toString('latin1')) return ignored('damaged');
  let content: { code: string; entries: [string, T][] };
  try {
    content = deserialize(payload) as typeof content;
  } catch {
    return ignored('damaged');
  }
  // Another version of Pressroom or Node: nothing in it applies, and that is no fault.
  if (content.code !== code || !Array.isArray(content.entries)) return { entries: new Map() };
  return { entries: new Map(content.entries) };
}

/** Replaces the cache file (temporary name, then rename); a failure is a warning, never an error. */
export function writeCacheFile<T>(file: string, code: string, entries: Map<string, T>): Problem | undefined {
  const payload = serialize({ code, entries: [...entries] });
  const digest = checksum(payload);
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Header and payload in two writes: a copy of a payload of 100+ MB (10,000 issues) would double the peak.
    writeFileSync(tmp, `${MAGIC}${digest}\n`, 'latin1');
    appendFileSync(tmp, payload);
    renameSync(tmp, file);
    return undefined;
  } catch (err) {
    return { file, message: `could not write the render cache (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the next build renders every issue again` };
  }
}

/**
 * A cache file and, beside it, `<file>.recent`: the entries that later saves added. A save after a
 * small change (one issue added to 1,000) writes its few new entries there instead of rewriting
 * the whole file (52 MB of pages, 16 MB of issues at 1,000 issues: ~0.1-0.2 s each). Once the
 * entries added since, plus those of the file that are no longer used, pass a quarter of the
 * file's, the next save writes the file whole again and removes the recent one.
 */
export interface LayeredCache<T> {
  file: string;
  /** Every entry of the file and of its recent file, by key. */
  known: Map<string, T>;
  /** The keys in the file itself (the rest of `known` came from the recent file). */
  base: Set<string>;
  /** One line when a file was there but unusable. */
  warning?: Problem;
}

const RECENT_SUFFIX = '.recent';

export function readLayeredCache<T>(file: string, code: string): LayeredCache<T> {
  const base = readCacheFile<T>(file, code);
  const recent = readCacheFile<T>(`${file}${RECENT_SUFFIX}`, code);
  const known = recent.entries.size === 0 ? base.entries : new Map([...base.entries, ...recent.entries]);
  return { file, known, base: new Set(base.entries.keys()), warning: base.warning ?? recent.warning };
}

/** Saves `used` (the entries of this run) as what the cache holds; nothing is written when they are what it held. */
export function saveLayeredCache<T>(cache: LayeredCache<T>, code: string, used: Map<string, T>): Problem | undefined {
  if (used.size === cache.known.size && [...used.keys()].every((key) => cache.known.has(key))) return undefined;
  const added = new Map([...used].filter(([key]) => !cache.base.has(key)));
  let unused = 0;
  for (const key of cache.base) if (!used.has(key)) unused++;
  const recentFile = `${cache.file}${RECENT_SUFFIX}`;
  if (cache.base.size > 0 && added.size + unused <= cache.base.size / 4) return writeCacheFile(recentFile, code, added);
  const failed = writeCacheFile(cache.file, code, used);
  try {
    if (!failed) rmSync(recentFile, { force: true });
  } catch {
    // Left behind, its entries are still right (keyed by content): only their room is wasted.
  }
  return failed;
}

/**
 * A hash of the code that makes a cached value: the files of `folders` (compiled modules,
 * templates), package.json (Pressroom's version, which pins its libraries' versions) and the
 * runtime (Node, its ICU and time zone data: dates).
 */
export function fingerprintOf(folders: string[]): string {
  const hash = createHash('sha256');
  hash.update(`${process.versions.node} ${process.versions.icu ?? ''} ${process.versions.tz ?? ''}\n`);
  hash.update(readFileSync(bundledPath('package.json')));
  for (const folder of folders) {
    const names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
    for (const name of names) hash.update(`${name}\n`).update(readFileSync(path.join(folder, name)));
  }
  return hash.digest('hex');
}
