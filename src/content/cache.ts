// The render cache: loaded issues by content hash, so a build after a small change renders only
// the files that changed. One file in the data folder (never the out folder: it holds drafts and
// scheduled issues, and the out folder is public). An entry's key covers everything an Issue is
// made of: the file's bytes, its path (slug, shown path), the site URL and time zone, and the code
// that makes it (Pressroom's version, a hash of the content modules, Node's version and ICU for
// dates). Only valid issues are kept: a file with problems is loaded again, so every problem is
// found afresh. The file carries a hash of its payload: a file that fails it, or does not
// deserialize, is ignored with one warning and rebuilt, so a damaged cache never gives a wrong page.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Issue, Problem } from './issue.js';
import type { LoadContext } from './load-file.js';

export const CACHE_FILE = path.join('cache', 'issues.bin');
const MAGIC = 'pressroom-issue-cache 1\n';
const HASH_HEX = 64;

export interface IssueCache {
  file: string;
  /** Entries read from the file, by key. */
  known: Map<string, Issue>;
  /** One line when the file was there but unusable. */
  warning?: Problem;
}

let fingerprint: string | undefined;

/** What else an Issue depends on besides its file: the code that makes it, and the runtime. */
function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256');
  const here = path.dirname(fileURLToPath(import.meta.url));
  hash.update(readFileSync(path.join(here, '../../package.json')));
  for (const name of readdirSync(here).sort()) {
    if (/\.(js|ts)$/.test(name)) hash.update(name).update(readFileSync(path.join(here, name)));
  }
  hash.update(`${process.versions.node} ${process.versions.icu ?? ''} ${process.versions.tz ?? ''}`);
  fingerprint = hash.digest('hex');
  return fingerprint;
}

/** The key of one issue file's Issue; `bytes` are the file's whole content. */
export function cacheKey(context: LoadContext, file: string, display: string, bytes: Buffer): string {
  return createHash('sha256').update(JSON.stringify([context.root, context.siteUrl, context.timeZone, file, display])).update('\0').update(bytes).digest('hex');
}

export function openCache(dataDir: string): IssueCache {
  const file = path.join(dataDir, CACHE_FILE);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { file, known: new Map() }; // no cache yet (or unreadable): a cold load
  }
  const ignored = (why: string): IssueCache => ({ file, known: new Map(), warning: { file, message: `the render cache is ${why}; ignored (every issue is rendered again)` } });
  const header = MAGIC.length + HASH_HEX + 1;
  if (bytes.length < header || bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return ignored('not a Pressroom cache file');
  const payload = bytes.subarray(header);
  if (createHash('sha256').update(payload).digest('hex') !== bytes.subarray(MAGIC.length, MAGIC.length + HASH_HEX).toString('latin1')) return ignored('damaged');
  let content: { code: string; entries: [string, Issue][] };
  try {
    content = deserialize(payload) as typeof content;
  } catch {
    return ignored('damaged');
  }
  // Another version of Pressroom or Node: nothing in it applies, and that is no fault.
  if (content.code !== codeFingerprint() || !Array.isArray(content.entries)) return { file, known: new Map() };
  return { file, known: new Map(content.entries) };
}

/** Writes `entries` (the issues of this load) in place of the cache file; a failure is a warning, never an error. */
export function saveCache(cache: IssueCache, entries: Map<string, Issue>): Problem | undefined {
  const payload = serialize({ code: codeFingerprint(), entries: [...entries] });
  const digest = createHash('sha256').update(payload).digest('hex');
  const tmp = `${cache.file}.tmp-${process.pid}`;
  try {
    mkdirSync(path.dirname(cache.file), { recursive: true });
    writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC + digest + '\n', 'latin1'), payload]));
    renameSync(tmp, cache.file);
    return undefined;
  } catch (err) {
    return { file: cache.file, message: `could not write the render cache (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the next build renders every issue again` };
  }
}
