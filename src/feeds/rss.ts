// RSS 2.0 as a tree for the XML writer (xml.ts), the same path as Atom. Written by us rather than
// by the `feed` package, whose gaps needed a workaround each (docs/feeds.md lists them):
// - text: the writer drops characters XML forbids (feed lets control characters through);
// - titles (channel and item): newsboat and sfeed read RSS <title> as text, feedparser as HTML
//   when it looks like markup; so a title that reads the same both ways is plain character data
//   (`A &amp; B` in CDATA would show the first two `&amp;`: test/feeds/readers.test.ts), and one
//   that looks like markup (`<img onerror=...>`, `&amp;`) is HTML text inside CDATA (xml.ts plainTitle);
// - plain-text descriptions: readers render <description> as HTML, so a description
//   `</title><script>` written raw would be markup to them. It is written as HTML text
//   (`<` -> `&lt;`) inside CDATA, which readers show as the literal text. content:encoded is the
//   sanitized HTML and stays HTML;
// - pubDate / lastBuildDate: RFC 822 in the issue's own offset (+0800), from the newest issue,
//   never the build time (feed would print UTC, and `now` when `updated` is missing);
// - authors: <dc:creator> per author, the site author when the issue has none (feed prints a bare
//   name in <author>, which RSS reserves for an e-mail address);
// - categories: tags and categories as <category> text;
// - cover: Media RSS <media:content>/<media:thumbnail> and the first image of content:encoded
//   (cover.ts), never an <enclosure> (feed would write one typed `image/<rest of the path>`);
// - guid: the tag: id from ids.ts, isPermaLink="false".
import { issueTopics, type Issue } from '../content/issue.js';
import { rfc822 } from './dates.js';
import { issueId } from './ids.js';
import { htmlWithCover, MEDIA_NS, mediaCover } from './cover.js';
import { HISTORY_NS, historyLinks } from './archives.js';
import { FEED_FILES, type FeedSpec } from './model.js';
import { cleanText, excerptOf } from './text.js';
import { el, serializeXml, type XmlElement } from './xml.js';

export function renderRss(spec: FeedSpec): string {
  return serializeXml(rssTree(spec), '    ');
}

/** The RSS document of `spec` as the XML writer's tree. */
export function rssTree(spec: FeedSpec): XmlElement {
  const channel = el(
    'channel',
    {},
    el('title', {}, { plainTitle: spec.title }),
    el('link', {}, spec.homeUrl),
    el('description', {}, { plainAsHtml: spec.description }),
    el('lastBuildDate', {}, rfc822(spec.updated)),
    el('docs', {}, 'https://validator.w3.org/feed/docs/rss2.html'),
    el('generator', {}, 'Pressroom'),
    el('language', {}, spec.language),
    el('atom:link', { href: spec.urls.rss, rel: 'self', type: 'application/rss+xml' }),
    ...spec.hubs.map((href) => el('atom:link', { href, rel: 'hub' })),
    ...historyLinks(spec.archive, FEED_FILES.rss).map(([rel, href]) => el('atom:link', { href, rel, type: 'application/rss+xml' })),
    ...(spec.archive?.current ? [el('fh:archive', {})] : []),
    ...spec.items.map((issue) => item(spec, issue)),
  );
  return el(
    'rss',
    {
      version: '2.0',
      'xmlns:dc': 'http://purl.org/dc/elements/1.1/',
      'xmlns:content': 'http://purl.org/rss/1.0/modules/content/',
      'xmlns:atom': 'http://www.w3.org/2005/Atom',
      'xmlns:media': MEDIA_NS,
      ...(spec.archive?.current ? { 'xmlns:fh': HISTORY_NS } : {}),
    },
    channel,
  );
}

function item(spec: FeedSpec, issue: Issue): XmlElement {
  const authors = issue.authors.length ? issue.authors : [spec.author];
  const topics = issueTopics(issue)
    .map((t) => cleanText(t).trim())
    .filter(Boolean);
  const children: XmlElement[] = [
    el('title', {}, { plainTitle: issue.title }),
    el('link', {}, issue.url),
    el('guid', { isPermaLink: 'false' }, issueId(spec.siteUrl, issue.slug)),
    el('pubDate', {}, rfc822(issue.date)),
  ];
  // Every item has a description before content:encoded (RSS profile; the W3C validator warns otherwise).
  const description = issue.description || excerptOf(issue.html) || issue.title;
  children.push(el('description', {}, { plainAsHtml: description }));
  children.push(el('content:encoded', {}, { cdata: htmlWithCover(issue.html, issue.cover, issue.title) }));
  for (const a of authors) children.push(el('dc:creator', {}, a.name));
  for (const topic of topics) children.push(el('category', {}, topic));
  children.push(...mediaCover(issue.cover));
  const enclosure = spec.attachments?.get(issue.slug)?.[0];
  if (enclosure) children.push(el('enclosure', { url: enclosure.url, length: String(enclosure.length), type: enclosure.type }));
  return el('item', {}, ...children);
}
