// Full history by RFC 5005 archived feeds. The subscription feed keeps the newest items and links
// `prev-archive` to the newest archive document; archive documents hold complete pages of the
// oldest issues (page 1 = the feedItems oldest, page 2 the next ...), so a page never changes
// when new issues arrive: it is immutable, as RFC 5005 section 4 asks. With pages as large as
// the subscription feed there is never a gap between the newest page and the subscription feed
// (at most an overlap, which readers merge by entry id). Pages link `current`, `prev-archive` and
// `next-archive` (the W3C validator wants each archive linked); the one change a page ever sees is
// the newest page gaining its `next-archive` when the next page appears. Archives start once two
// complete pages exist (page 1 alone would link nowhere): until then the subscription feed carries
// every issue, fewer than twice feedItems. Atom and RSS only: JSON Feed has no
// archive mechanism (its next_url pages from the newest, which is not stable).
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { EPOCH } from './dates.js';
import { newestFirst, siteFeed, type FeedSpec } from './model.js';

/** The namespace of <fh:archive/> (RFC 5005 section 4). */
export const HISTORY_NS = 'http://purl.org/syndication/history/1.0';

const ARCHIVE_ROOT = 'archive/';

/** Where archive page `n` lives in the output and on the site. */
export function archiveDir(n: number): string {
  return `${ARCHIVE_ROOT}${n}/`;
}

/** Whether an output path is inside the archive pages. */
export function isArchivePath(name: string): boolean {
  return name.startsWith(ARCHIVE_ROOT);
}

/** What a feed links for history: folder URLs, each format appends its own file name. */
export interface ArchiveLinks {
  /** Set on archive documents: they carry <fh:archive/> and link `current`. */
  current?: string;
  prev?: string;
  next?: string;
}

export interface ArchivePage {
  /** 1 = the oldest issues. */
  number: number;
  dir: string;
  spec: FeedSpec;
}

/** The site feed and its archive pages (empty while every issue fits the subscription feed). */
export function siteFeedWithArchives(config: Config, published: Issue[]): { feed: FeedSpec; archives: ArchivePage[] } {
  const feed = siteFeed(config, published);
  const size = Math.max(1, config.site.feedItems);
  const oldestFirst = newestFirst(published).reverse();
  const pages = oldestFirst.length >= 2 * size ? Math.floor(oldestFirst.length / size) : 0;
  if (pages === 0) return { feed: oldestFirst.length > size ? { ...feed, items: newestFirst(published) } : feed, archives: [] };
  const url = (n: number) => new URL(archiveDir(n), config.site.url).href;
  const archives: ArchivePage[] = [];
  for (let n = 1; n <= pages; n++) {
    const items = newestFirst(oldestFirst.slice((n - 1) * size, n * size));
    archives.push({
      number: n,
      dir: archiveDir(n),
      spec: {
        ...feed,
        title: `${feed.title} (archive ${n})`,
        urls: { rss: new URL('feed.xml', url(n)).href, atom: new URL('atom.xml', url(n)).href, json: feed.urls.json },
        items,
        updated: items[0]?.date ?? EPOCH,
        archive: { current: config.site.url, ...(n > 1 ? { prev: url(n - 1) } : {}), ...(n < pages ? { next: url(n + 1) } : {}) },
      },
    });
  }
  return { feed: { ...feed, archive: { prev: url(pages) } }, archives };
}

/** The history links of a feed in one format (`file`: atom.xml or feed.xml), as [rel, href]; <fh:archive/> goes with `current`. */
export function historyLinks(archive: ArchiveLinks | undefined, file: string): Array<[rel: string, href: string]> {
  if (!archive) return [];
  const links: Array<[string, string]> = [];
  if (archive.current) links.push(['current', new URL(file, archive.current).href]);
  if (archive.prev) links.push(['prev-archive', new URL(file, archive.prev).href]);
  if (archive.next) links.push(['next-archive', new URL(file, archive.next).href]);
  return links;
}
