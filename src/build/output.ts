// Writing the output folder. Choice: a manifest, not a swap of folders. The out folder may
// hold files that are not ours (CNAME, robots.txt, a server's uploads) and may be `.` by
// mistake, so we never delete anything we did not write: `.pressroom-files` lists every
// file the last build wrote; the next build deletes the listed files it no longer produces
// (and folders that become empty), and leaves everything else alone. Each file is written
// to a temporary name and renamed, so a web server serving the folder never sees half a file;
// files whose bytes did not change are not rewritten. Files in folders this build created too:
// a server may already serve the output folder (the service's first build), and a file it found
// there before its bytes were written would go out empty.
// With a record of the last build's writes (output-record.ts), an unchanged file is known by its
// hash and stamp, without reading it back.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { recordDigest, recordEntry, stampOf, type OutputRecord } from './output-record.js';
import { compressAll, compressedNames, isCompressibleContent } from './precompress.js';

export const MANIFEST = '.pressroom-files';

/**
 * files: relative path (forward slashes) -> content. Returns the relative paths of `files`, sorted,
 * and those of them whose bytes changed (new or rewritten). Text files also get their
 * precompressed copies (precompress.ts), listed in the manifest with them. With `record` (the last
 * build's), also returns the record of this one, to keep for the next; `keys`: the render-cache
 * key of each file made through it (page-cache.ts), which the record uses instead of a content hash.
 */
export async function writeOutput(
  outDir: string,
  files: Map<string, string | Buffer>,
  options: { early?: EarlyCompression; record?: OutputRecord; keys?: ReadonlyMap<string, string> } = {},
): Promise<{ names: string[]; changed: string[]; record?: OutputRecord }> {
  const { early, record, keys } = options;
  const names = [...files.keys()].sort();
  const compressed = new Map<string, string[]>();
  for (const name of names) {
    const content = files.get(name)!;
    if (isCompressibleContent(name, content)) compressed.set(name, compressedNames(name));
  }
  const listed = [...names, ...[...compressed.values()].flat()].sort();
  for (const name of names) checkRelative(name);
  const previous = await readManifest(outDir);
  for (const name of previous) checkRelative(name);

  const dirs = new Set<string>();
  for (const name of names) dirs.add(path.dirname(path.join(outDir, name)));
  await inParallel([...dirs].sort(), (dir) => mkdir(dir, { recursive: true }));

  const tmpSuffix = `.tmp-${process.pid}`;
  const ours = new Set(previous);
  const changed: string[] = [];
  const nextRecord: OutputRecord | undefined = record && new Map();
  const put = async (name: string, content: string | Buffer, i: number) => {
    const target = path.join(outDir, name);
    const tmp = `${target}${tmpSuffix}-${i}`;
    await writeFile(tmp, content);
    await rename(tmp, target);
  };
  await inParallel(names, async (name, i) => {
    const content = files.get(name)!;
    const copies = compressed.get(name) ?? [];
    const digest = nextRecord && recordDigest(content, keys?.get(name));
    const entryNow = (file: string) => {
      const stamp = stampOf(path.join(outDir, file));
      return stamp === undefined ? undefined : recordEntry(digest!, stamp);
    };
    const before = new Map<string, string | undefined>();
    // Written by the last build with these very bytes (or, for a copy, from them), untouched since.
    const intact = (file: string) => {
      if (record === undefined || !ours.has(file)) return false;
      const entry = entryNow(file);
      before.set(file, entry);
      return entry !== undefined && record.get(file) === entry;
    };
    // Unchanged files are left alone: cheaper than rewriting, and their mtime (the server's
    // Last-Modified) only moves when their bytes do. Their copies were written with them; a copy
    // the record knows nothing of is trusted when the manifest lists it, as without a record.
    const same = intact(name) || (ours.has(name) && sameContent(path.join(outDir, name), content));
    const remember = (stamped: Map<string, string | undefined>) => {
      if (!nextRecord) return;
      for (const file of [name, ...copies]) {
        const entry = stamped.has(file) ? stamped.get(file) : entryNow(file);
        if (entry !== undefined) nextRecord.set(file, entry);
      }
    };
    if (same && copies.every((c) => intact(c) || (!record?.has(c) && ours.has(c)))) return remember(before);
    if (!same) changed.push(name);
    await put(name, content, i);
    if (copies.length > 0) {
      // Written after the file, so a copy older than its file is known to be stale (static.ts).
      const bytes = await (early?.take(name, content) ?? compressAll(typeof content === 'string' ? Buffer.from(content) : content));
      await Promise.all(copies.map((copy, k) => put(copy, bytes[k]!, i)));
    }
    remember(new Map());
  });

  const wanted = new Set(listed);
  const stale = previous.filter((name) => !wanted.has(name));
  for (const name of stale) {
    await rm(path.join(outDir, name), { force: true });
    await removeEmptyParents(outDir, path.dirname(name));
  }
  await writeFile(path.join(outDir, MANIFEST), `${listed.join('\n')}\n`);
  return { names, changed: changed.sort(), record: nextRecord };
}

/** Whether `outDir` holds no build of ours yet (no manifest): then every file will be written, and compressed. */
export async function isNewOutput(outDir: string): Promise<boolean> {
  return (await readManifest(outDir)).length === 0;
}

/**
 * Copies compressed as soon as their file is rendered (zlib works on libuv's threads, so this
 * thread goes on rendering), for a build into a new output folder, where every file is written.
 * writeOutput takes a file's copies from here when they were started for the same content.
 * At most EARLY_CONCURRENCY files are compressed at once: each brotli encoder holds megabytes
 * (a thousand started together peaked at 1.8 GB), and libuv has four threads anyway.
 */
export class EarlyCompression {
  private readonly started = new Map<string, { content: string; copies: Promise<Buffer[]> }>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;

  readonly start = (name: string, content: string): void => {
    if (!isCompressibleContent(name, content)) return;
    const copies = new Promise<Buffer[]>((resolve, reject) => {
      this.waiting.push(() => {
        this.running++;
        compressAll(Buffer.from(content))
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.next();
          });
      });
    });
    copies.catch(() => undefined); // a failure surfaces when writeOutput takes the copies
    this.started.set(name, { content, copies });
    this.next();
  };

  private next(): void {
    while (this.running < EARLY_CONCURRENCY && this.waiting.length > 0) this.waiting.shift()!();
  }

  take(name: string, content: string | Buffer): Promise<Buffer[]> | undefined {
    const entry = this.started.get(name);
    return entry && entry.content === content ? entry.copies : undefined;
  }
}

const EARLY_CONCURRENCY = 4;

/** File system calls a few at a time: one by one leaves the disk idle between awaits. */
const CONCURRENCY = 16;

async function inParallel<T>(items: T[], fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

/** A sync read: fs/promises' readFile costs ~0.15 ms of CPU per file against ~0.03 (a rebuild reads back every file). */
function sameContent(file: string, content: string | Buffer): boolean {
  try {
    return readFileSync(file).equals(typeof content === 'string' ? Buffer.from(content) : content);
  } catch {
    return false;
  }
}

async function readManifest(outDir: string): Promise<string[]> {
  try {
    const text = await readFile(path.join(outDir, MANIFEST), 'utf8');
    return text.split('\n').filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Refuses anything that could escape the out folder (a corrupt manifest, a bad slug). */
function checkRelative(name: string): void {
  const parts = name.split('/');
  if (path.isAbsolute(name) || name.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`output path "${name}" is not a plain relative path inside the out folder`);
  }
}

async function removeEmptyParents(outDir: string, relDir: string): Promise<void> {
  let dir = relDir;
  while (dir && dir !== '.') {
    try {
      await rmdir(path.join(outDir, dir));
    } catch {
      return; // not empty (or already gone): stop climbing
    }
    dir = path.dirname(dir);
  }
}
