// Issue pages (and the search index's parts, src/search/) by what they are made of, kept in the data folder beside the issue cache: after
// one issue is added, only it and its neighbours' pages are rendered again. A page is a pure
// function of the site settings, the issue, its neighbours' slugs and titles, the feed links, the
// site's topics (its subscribe form lists them) and the code (archive modules, templates): the key
// hashes all of them.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { fingerprintOf, readCacheFile, writeCacheFile } from '../content/cache-file.js';
import type { Issue, Problem } from '../content/issue.js';
import type { FeedSpec } from '../feeds/model.js';
import type { Neighbours } from '../archive/pages.js';
import { bundledPath } from '../templates/root.js';

export const PAGE_CACHE_FILE = path.join('cache', 'pages.bin');

export interface PageCache {
  file: string;
  known: Map<string, string>;
  /** The pages of this build, by key: what the file holds after saving. */
  used: Map<string, string>;
  warning?: Problem;
}

let fingerprint: string | undefined;

function codeFingerprint(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  fingerprint ??= fingerprintOf(
    ['../archive', '../templates', '../feeds', '../domain', '../i18n', '../search'].map((dir) => path.join(here, dir)).concat(bundledPath('templates', 'site')),
  );
  return fingerprint;
}

export function openPageCache(dataDir: string): PageCache {
  const file = path.join(dataDir, PAGE_CACHE_FILE);
  const { entries, warning } = readCacheFile<string>(file, codeFingerprint());
  return { file, known: entries, used: new Map(), warning };
}

export function savePageCache(cache: PageCache): Problem | undefined {
  if (cache.used.size === cache.known.size && [...cache.used.keys()].every((key) => cache.known.has(key))) return undefined;
  return writeCacheFile(cache.file, codeFingerprint(), cache.used);
}

/** The page of `issue` from the cache, or `render()`'s, remembered for the next build. */
export function cachedIssuePage(
  cache: PageCache,
  config: Config,
  page: { issue: Issue; around: Neighbours; feed: FeedSpec; topics: readonly string[] },
  render: () => string,
): string {
  const { issue, around, feed, topics } = page;
  const neighbour = (other?: Issue) => (other ? [other.slug, other.title] : null);
  return cachedOutput(cache, [config.site, issueDigest(issue), neighbour(around.newer), neighbour(around.older), feed.title, feed.urls, topics], render);
}

const digests = new WeakMap<Issue, string>();

/**
 * What an issue is made of, as a hash, computed once per issue object: the keys of the outputs
 * that show whole issues (pages, feeds, the search index) name issues by it, so a key costs a
 * few bytes per issue instead of its whole HTML again for every feed it is in.
 */
export function issueDigest(issue: Issue): string {
  let digest = digests.get(issue);
  if (digest === undefined) digests.set(issue, (digest = createHash('sha256').update(JSON.stringify(issue)).digest('base64url')));
  return digest;
}

/** The output made of `inputs` (anything JSON can hold) from the cache, or `render()`'s, remembered for the next build. */
export function cachedOutput(cache: PageCache, inputs: unknown, render: () => string): string {
  const key = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
  const text = cache.known.get(key) ?? render();
  cache.used.set(key, text);
  return text;
}
