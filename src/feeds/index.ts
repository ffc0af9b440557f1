// The three formats of one feed, by file name.
import { renderAtom } from './atom.js';
import { renderJsonFeed } from './json-feed.js';
import { FEED_FILES, type FeedSpec } from './model.js';
import { renderRss } from './rss.js';

export function renderFeeds(spec: FeedSpec): Record<(typeof FEED_FILES)[keyof typeof FEED_FILES], string> {
  return {
    [FEED_FILES.rss]: renderRss(spec),
    [FEED_FILES.atom]: renderAtom(spec),
    [FEED_FILES.json]: renderJsonFeed(spec),
  } as Record<'feed.xml' | 'atom.xml' | 'feed.json', string>;
}
