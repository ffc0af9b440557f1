// What the last build wrote into the output folder, kept in the data folder (cache/output.bin):
// for each file (and each .br/.gz copy), a digest of the bytes it was written with and its stamp on
// disk after the write (size, mtime, ctime, inode). A rebuild that renders the same bytes for a
// file whose stamp is unchanged leaves it alone without reading it back (~0.2 s at 1,000 issues).
// Anything that touches the file on disk changes its stamp (ctime too, which no tool can set
// back), so a file edited or deleted by hand is compared (or rewritten) as without a record.
// The record is only an optimisation: one missing, damaged, for another output folder or that
// cannot be written just means the files are read back, so it never warns.
import { hash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { readCacheFile, writeCacheFile } from '../content/cache-file.js';

const RECORD_FILE = path.join('cache', 'output.bin');

/** Relative output path -> `${content hash} ${stamp}`. */
export type OutputRecord = Map<string, string>;

/** The record kept for `outDir` (keyed by its absolute path: one data folder may build into several). */
export function readOutputRecord(dataDir: string, outDir: string): OutputRecord {
  return readCacheFile<string>(path.join(dataDir, RECORD_FILE), recordCode(outDir)).entries;
}

export function saveOutputRecord(dataDir: string, outDir: string, record: OutputRecord): void {
  writeCacheFile(path.join(dataDir, RECORD_FILE), recordCode(outDir), record);
}

function recordCode(outDir: string): string {
  return `output record 1 ${path.resolve(outDir)}`;
}

/**
 * What a file's bytes are known by: the render-cache key it was made from, when it has one (a key
 * covers the inputs and the code, so it names the bytes; reused pages need not be hashed again,
 * ~30 ms a rebuild at 1,000 issues), else a hash of the bytes.
 */
export function recordDigest(content: string | Buffer, renderKey?: string): string {
  return renderKey === undefined ? hash('sha256', content, 'base64url') : `k:${renderKey}`;
}

/** The file's size, mtime, ctime and inode, or undefined when it is not there. */
export function stampOf(file: string): string | undefined {
  const stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  return stats && `${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}:${stats.ino}`;
}

/** An entry for a file written with (or, for a copy, from) content known by `digest` (recordDigest). */
export function recordEntry(digest: string, stamp: string): string {
  return `${digest} ${stamp}`;
}
