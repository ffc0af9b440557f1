// Issue pages (and the search index's parts, src/search/) by what they are made of, kept in the data folder beside the issue cache: after
// one issue is added, only it and its neighbours' pages are rendered again. A page is a pure
// function of the site settings, the issue, its neighbours' slugs and titles, the feed links, the
// site's topics (its subscribe form lists them) and the code (archive modules, templates): the key
// hashes all of them.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { fingerprintOf, readLayeredCache, saveLayeredCache, type LayeredCache } from '../content/cache-file.js';
import { issueDigest } from '../content/issue-digest.js';
import type { Issue, Problem } from '../content/issue.js';
import type { FeedSpec } from '../feeds/model.js';
import type { Neighbours } from '../archive/pages.js';
import { bundledPath } from '../templates/root.js';

export const PAGE_CACHE_FILE = path.join('cache', 'pages.bin');

export interface PageCache extends LayeredCache<string> {
  /** The pages of this build, by key: what the cache holds after saving. */
  used: Map<string, string>;
  /**
   * The key of each output file made through the cache, by its path. A key names the file's bytes
   * (it covers the code too), so the output record can know an unchanged file by its key without
   * hashing the bytes again (output-record.ts).
   */
  outputs: Map<string, string>;
}

let fingerprint: string | undefined;

/** The code a page is made of; the content modules too, since an issue is known by its file's key (issue-digest.ts). */
function codeFingerprint(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  fingerprint ??= fingerprintOf(
    ['../archive', '../templates', '../feeds', '../domain', '../i18n', '../search', '../content'].map((dir) => path.join(here, dir)).concat(bundledPath('templates', 'site')),
  );
  return fingerprint;
}

export function openPageCache(dataDir: string): PageCache {
  return { ...readLayeredCache<string>(path.join(dataDir, PAGE_CACHE_FILE), codeFingerprint()), used: new Map(), outputs: new Map() };
}

export function savePageCache(cache: PageCache): Problem | undefined {
  return saveLayeredCache(cache, codeFingerprint(), cache.used);
}

/** The page of `issue` from the cache, or `render()`'s, remembered for the next build. */
export function cachedIssuePage(
  cache: PageCache,
  config: Config,
  page: { output: string; issue: Issue; around: Neighbours; feed: FeedSpec; topics: readonly string[] },
  render: () => string,
): string {
  const { output, issue, around, feed, topics } = page;
  const neighbour = (other?: Issue) => (other ? [other.slug, other.title] : null);
  return cachedOutput(cache, output, [config.site, issueDigest(issue), neighbour(around.newer), neighbour(around.older), feed.title, feed.urls, topics], render);
}

/** The output file `output` made of `inputs` (anything JSON can hold), from the cache or `render()`'s, remembered for the next build. */
export function cachedOutput(cache: PageCache, output: string, inputs: unknown, render: () => string): string {
  const slot = outputSlot(cache, inputs, output);
  return slot.keep(slot.text ?? render());
}

/** A part of an output (a list item of the index and topic pages), the same way. */
export function cachedFragment(cache: PageCache, inputs: unknown, render: () => string): string {
  const slot = outputSlot(cache, inputs);
  return slot.keep(slot.text ?? render());
}

/**
 * The cache's entry for `inputs`: its text if the cache holds one, and `keep`, which remembers the
 * text this build uses (the cached one, or one rendered later, in another thread) and returns it.
 */
export function outputSlot(cache: PageCache, inputs: unknown, output?: string): { text: string | undefined; keep(text: string): string } {
  const key = createHash('sha256').update(codeFingerprint()).update(JSON.stringify(inputs)).digest('hex');
  return {
    text: cache.known.get(key),
    keep(text) {
      cache.used.set(key, text);
      if (output !== undefined) cache.outputs.set(output, key);
      return text;
    },
  };
}
