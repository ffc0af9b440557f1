// The container of Pressroom's caches in the data folder: a magic line, a CRC-32 of the payload,
// then the payload: frames of a 4-byte little-endian length, the CRC-32 of the frame's body, and
// the body, a v8 serialization (the structured clone the loader threads already use, so values
// come back exactly as they went in). The first frame holds the code the entries were made by,
// each next one a slice of the entries. Written and read frame by frame, a cache never sits in
// memory as one serialized whole beside its values: at 10,000 issues the page cache's 500 MB did,
// at the cold build's very peak and again in a rebuild. A frame is checked before it is
// deserialized and the whole payload once it is read, so a file that fails a check or does not
// deserialize is reported, never used; a file written by other code (`code` differs) is
// silently empty.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32 } from 'node:zlib';
import { bundledPath } from '../templates/root.js';
import type { Problem } from './issue.js';

const FORMAT_NAME = 'pressroom-cache ';
const MAGIC = `${FORMAT_NAME}3\n`;
const CHECK_HEX = 8;
const HEADER = MAGIC.length + CHECK_HEX + 1;
/** A frame's length and its body's CRC-32, before the body. */
const FRAME_HEAD = 8;
/** Entries per frame: a few MB of pages or issues each. */
const FRAME_ENTRIES = 256;

/**
 * CRC-32s, not a cryptographic hash: they only have to catch damage (a torn write, a flipped bit, a
 * truncated copy), since whoever can write the data folder could write any checksum; over the
 * 68 MB of caches at 1,000 issues they cost ~10 ms against sha256's ~35 ms, on every read and write.
 */
const hex = (crc: number) => crc.toString(16).padStart(CHECK_HEX, '0');

class Damaged extends Error {}

/** The entries of a cache file, or a warning when it was there but unusable (a missing file is just empty). */
export function readCacheFile<T>(file: string, code: string): { entries: Map<string, T>; warning?: Problem } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { entries: new Map() };
  }
  const ignored = (why: string) => ({ entries: new Map<string, T>(), warning: { file, message: `the render cache is ${why}; ignored (every issue is rendered again)` } });
  try {
    const size = fstatSync(fd).size;
    let position = 0;
    let total = 0;
    const read = (length: number): Buffer => {
      if (position + length > size) throw new Damaged();
      const bytes = Buffer.allocUnsafe(length);
      for (let got = 0; got < length; ) {
        const n = readSync(fd, bytes, got, length - got, position + got);
        if (n === 0) throw new Damaged();
        got += n;
      }
      position += length;
      return bytes;
    };
    const header = size >= HEADER ? read(HEADER) : undefined;
    const magic = header?.subarray(0, MAGIC.length).toString('latin1');
    // An older Pressroom's format: nothing in it applies, and that is no fault either.
    if (magic !== MAGIC && magic?.startsWith(FORMAT_NAME)) return { entries: new Map() };
    if (header === undefined || magic !== MAGIC) return ignored('not a Pressroom cache file');
    const frame = (): Buffer => {
      const head = read(FRAME_HEAD);
      const body = read(head.readUInt32LE(0));
      if (crc32(body) !== head.readUInt32LE(4)) throw new Damaged();
      total = crc32(body, crc32(head, total));
      return body;
    };
    // Another version of Pressroom or Node: nothing in it applies, and that is no fault (but a
    // damaged file is still reported, so its frames are checked all the same).
    const current = (deserialize(frame()) as { code?: unknown }).code === code;
    const entries = new Map<string, T>();
    while (position < size) {
      const body = frame();
      if (!current) continue;
      const slice: unknown = deserialize(body);
      if (!Array.isArray(slice)) throw new Damaged();
      for (const [key, value] of slice as [string, T][]) entries.set(key, value);
    }
    if (hex(total) !== header.subarray(MAGIC.length, MAGIC.length + CHECK_HEX).toString('latin1')) return ignored('damaged');
    return { entries };
  } catch {
    return ignored('damaged');
  } finally {
    closeSync(fd);
  }
}

/** Replaces the cache file (temporary name, then rename); a failure is a warning, never an error. */
export function writeCacheFile<T>(file: string, code: string, entries: Map<string, T>): Problem | undefined {
  const tmp = `${file}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    fd = openSync(tmp, 'w');
    // The checksum's place is filled once the payload is written (a positional write, below).
    writeSync(fd, `${MAGIC}${hex(0)}\n`, null, 'latin1');
    let crc = 0;
    const put = (value: unknown) => {
      const body = serialize(value);
      const head = Buffer.alloc(FRAME_HEAD);
      head.writeUInt32LE(body.length, 0);
      head.writeUInt32LE(crc32(body), 4);
      for (const part of [head, body]) {
        writeSync(fd!, part);
        crc = crc32(part, crc);
      }
    };
    put({ code });
    let slice: [string, T][] = [];
    for (const entry of entries) {
      slice.push(entry);
      if (slice.length === FRAME_ENTRIES) {
        put(slice);
        slice = [];
      }
    }
    if (slice.length > 0) put(slice);
    writeSync(fd, hex(crc), MAGIC.length, 'latin1');
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
    return undefined;
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
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
