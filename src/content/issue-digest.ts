// What an issue is made of, as a short string: the keys of the outputs that show whole issues
// (pages, feeds, the search index: src/build/page-cache.ts) name issues by it, so a key costs a
// few bytes per issue instead of its whole HTML again for every feed it is in.
import { createHash } from 'node:crypto';
import type { Issue } from './issue.js';

const digests = new WeakMap<Issue, string>();

/**
 * The digest of `issue`, computed once per issue object: the key of its file in the render cache
 * when the loader gave one (knownAs), else a hash of the whole issue. A file's key covers
 * everything its issue is made of but the code, which the caches that use digests fingerprint.
 */
export function issueDigest(issue: Issue): string {
  let digest = digests.get(issue);
  if (digest === undefined) digests.set(issue, (digest = `i:${createHash('sha256').update(JSON.stringify(issue)).digest('base64url')}`));
  return digest;
}

/** Tells issueDigest that `issue` was loaded from the file whose render-cache key is `fileKey` (cache.ts), so it is not hashed again (~0.15 s at 1,000 issues). */
export function knownAs(issue: Issue, fileKey: string): void {
  digests.set(issue, `f:${fileKey}`);
}
