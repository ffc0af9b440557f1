// The render cache: loaded issues by content hash, so a build after a small change renders only
// the files that changed. One file in the data folder (never the out folder: it holds drafts and
// scheduled issues, and the out folder is public). An entry's key covers everything an Issue is
// made of: the file's bytes, its path (slug, shown path), the site URL and time zone, and the code
// that makes it (Pressroom's version, a hash of the content modules, Node's version and ICU for
// dates). Only valid issues are kept: a file with problems is loaded again, so every problem is
// found afresh. A damaged file is ignored with one warning (cache-file.ts), never a wrong page.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintOf, readLayeredCache, saveLayeredCache, type LayeredCache } from './cache-file.js';
import type { Issue, Problem } from './issue.js';
import type { LoadContext } from './load-file.js';

export const CACHE_FILE = path.join('cache', 'issues.bin');

export type IssueCache = LayeredCache<Issue>;

let fingerprint: string | undefined;

/** What else an Issue depends on besides its file: the code that makes it (this folder, package.json), and the runtime. */
function codeFingerprint(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  fingerprint ??= fingerprintOf([here, path.join(here, '../domain')]);
  return fingerprint;
}

/** The key of one issue file's Issue; `bytes` are the file's whole content. */
export function cacheKey(context: LoadContext, file: string, display: string, bytes: Buffer): string {
  return createHash('sha256')
    .update(JSON.stringify([context.root, context.siteUrl, context.timeZone, file, display]))
    .update('\0')
    .update(bytes)
    .digest('hex');
}

export function openCache(dataDir: string): IssueCache {
  return readLayeredCache<Issue>(path.join(dataDir, CACHE_FILE), codeFingerprint());
}

/** Keeps `entries` (the issues of this load) as what the cache holds; a failure is a warning, never an error. */
export function saveCache(cache: IssueCache, entries: Map<string, Issue>): Problem | undefined {
  return saveLayeredCache(cache, codeFingerprint(), entries);
}
