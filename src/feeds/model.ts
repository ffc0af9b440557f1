// What every format module receives: one plain description of one feed (the site feed or a
// topic feed). Building it is the only place that decides titles, URLs, order and limits.
import type { Config } from '../config/config.js';
import type { Issue, IssueAuthor, IssueDate } from '../content/issue.js';
import { EPOCH } from './dates.js';
import type { ArchiveLinks } from './archives.js';
import type { AttachmentsBySlug } from './attachments.js';
import { topicUrl, type Topic } from './topics.js';

export interface FeedSpec {
  title: string;
  description: string;
  /** The page a reader opens for this feed (site home or topic page). */
  homeUrl: string;
  urls: { rss: string; atom: string; json: string };
  language: string;
  /** Fallback author for items without one, and the feed's own author. */
  author: IssueAuthor;
  siteUrl: string;
  /** Newest first, at most config.site.feedItems. */
  items: Issue[];
  /** Date of the newest item (EPOCH when there is none): never the build time. */
  updated: IssueDate;
  /** WebSub hubs (feeds.websubHubs): each feed names them, rel="hub". */
  hubs: readonly string[];
  /** RFC 5005 history links (archives.ts): the site feed and its archive pages. */
  archive?: ArchiveLinks;
  /** Audio, video and PDF files of the items' bundles (attachments.ts), by slug. */
  attachments?: AttachmentsBySlug;
}

export const FEED_FILES = { rss: 'feed.xml', atom: 'atom.xml', json: 'feed.json' } as const;

const FEED_NAMES: ReadonlySet<string> = new Set(Object.values(FEED_FILES));

/** Whether a path of the output (relative or a URL path) is one of the feeds (site-wide or of a topic). */
export function isFeedFile(name: string): boolean {
  return FEED_NAMES.has(name.slice(name.lastIndexOf('/') + 1));
}

/** Sorts newest first; equal dates by slug, so the order never depends on input order. */
export function newestFirst(issues: readonly Issue[]): Issue[] {
  return [...issues].sort((a, b) => b.date.epochMs - a.date.epochMs || (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

function urlsUnder(base: string): FeedSpec['urls'] {
  return {
    rss: new URL(FEED_FILES.rss, base).href,
    atom: new URL(FEED_FILES.atom, base).href,
    json: new URL(FEED_FILES.json, base).href,
  };
}

function limit(config: Config, issues: Issue[]): Pick<FeedSpec, 'items' | 'updated'> {
  const items = newestFirst(issues).slice(0, Math.max(1, config.site.feedItems));
  return { items, updated: items[0]?.date ?? EPOCH };
}

/** Where the site-wide feeds are, in each format. */
export function siteFeedUrls(config: Config): FeedSpec['urls'] {
  return urlsUnder(config.site.url);
}

/** The site-wide feed of the given (published) issues. */
export function siteFeed(config: Config, issues: Issue[]): FeedSpec {
  const { site } = config;
  return {
    title: site.title,
    description: site.description || site.title,
    homeUrl: site.url,
    urls: siteFeedUrls(config),
    language: site.language,
    author: site.author,
    siteUrl: site.url,
    hubs: config.feeds.websubHubs,
    ...limit(config, issues),
  };
}

/** The feed of one tag or category. */
export function topicFeed(config: Config, topic: Topic): FeedSpec {
  const { site } = config;
  const home = topicUrl(site.url, topic.slug);
  return {
    title: `${site.title} · ${topic.label}`,
    description: `${site.title}: issues about ${topic.label}`,
    homeUrl: home,
    urls: urlsUnder(home),
    language: site.language,
    author: site.author,
    siteUrl: site.url,
    hubs: config.feeds.websubHubs,
    ...limit(config, topic.issues),
  };
}
