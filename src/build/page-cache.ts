// Issue pages (and the search index's parts, src/search/) by what they are made of, kept in the data folder beside the issue cache: after
// one issue is added, only it and its neighbours' pages are rendered again. A page is a pure
// function of the site settings, the issue, its neighbours' slugs and titles, the feed links, the
// site's topics (its subscribe form lists them) and the code (archive modules, templates): the key
// hashes all of them.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { fingerprintOf, readCacheFile, writeCacheFile } from '../content/cache-file.js';
import type { Issue, Problem } from '../content/issue.js';
import type { FeedSpec } from '../feeds/model.js';
import type { Neighbours } from '../archive/pages.js';
import { bundledPath } from '../templates/root.js';

export const PAGE_CACHE_FILE = path.join('cache', 'pages.bin');

/**
 * Beside pages.bin (52 MB at 1,000 issues), pages.bin.recent holds only the entries a later build
 * made: a build that adds one issue writes a few MB instead of rewriting the whole file
 * (~0.2 s). When the entries added since, plus those of pages.bin no longer used, pass a quarter
 * of pages.bin's, the next save writes pages.bin whole again and removes the recent file.
 */
const RECENT_SUFFIX = '.recent';

export interface PageCache {
  file: string;
  known: Map<string, string>;
  /** The keys in pages.bin itself (the rest of `known` came from the recent file). */
  base: Set<string>;
  /** The pages of this build, by key: what the cache holds after saving. */
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
  const base = readCacheFile<string>(file, codeFingerprint());
  const recent = readCacheFile<string>(`${file}${RECENT_SUFFIX}`, codeFingerprint());
  const known = new Map([...base.entries, ...recent.entries]);
  return { file, known, base: new Set(base.entries.keys()), used: new Map(), warning: base.warning ?? recent.warning };
}

export function savePageCache(cache: PageCache): Problem | undefined {
  if (cache.used.size === cache.known.size && [...cache.used.keys()].every((key) => cache.known.has(key))) return undefined;
  const added = new Map([...cache.used].filter(([key]) => !cache.base.has(key)));
  let unused = 0;
  for (const key of cache.base) if (!cache.used.has(key)) unused++;
  const recentFile = `${cache.file}${RECENT_SUFFIX}`;
  if (cache.base.size > 0 && added.size + unused <= cache.base.size / 4) return writeCacheFile(recentFile, codeFingerprint(), added);
  const failed = writeCacheFile(cache.file, codeFingerprint(), cache.used);
  try {
    if (!failed) rmSync(recentFile, { force: true });
  } catch {
    // Left behind, its entries are still right (keyed by content): only their room is wasted.
  }
  return failed;
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
