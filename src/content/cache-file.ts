// The container of Pressroom's caches in the data folder: a magic line, a sha256 of the payload,
// then the payload (v8 serialization: the structured clone the loader threads already use, so
// values come back exactly as they went in). A file that fails its hash or does not deserialize
// is reported, never used; a file written by other code (`code` differs) is silently empty.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { bundledPath } from '../templates/root.js';
import type { Problem } from './issue.js';

const MAGIC = 'pressroom-cache 1\n';
const HASH_HEX = 64;

/** The entries of a cache file, or a warning when it was there but unusable (a missing file is just empty). */
export function readCacheFile<T>(file: string, code: string): { entries: Map<string, T>; warning?: Problem } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { entries: new Map() };
  }
  const ignored = (why: string) => ({ entries: new Map<string, T>(), warning: { file, message: `the render cache is ${why}; ignored (every issue is rendered again)` } });
  const header = MAGIC.length + HASH_HEX + 1;
  if (bytes.length < header || bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return ignored('not a Pressroom cache file');
  const payload = bytes.subarray(header);
  if (createHash('sha256').update(payload).digest('hex') !== bytes.subarray(MAGIC.length, MAGIC.length + HASH_HEX).toString('latin1')) return ignored('damaged');
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
  const digest = createHash('sha256').update(payload).digest('hex');
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
