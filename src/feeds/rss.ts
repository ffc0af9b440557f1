// RSS 2.0, written by the `feed` package, with its gaps worked around through its own
// extension hook (an extension named like a built-in element replaces that element):
// - text: every string is passed through cleanText() first (feed lets control characters through);
// - plain-text titles and descriptions (channel and item): readers treat RSS <title> and
//   <description> as HTML (feedparser does when a title looks like markup; description always),
//   and feed writes item ones raw in CDATA, so a title `<img onerror=...>` or a description
//   `</title><script>` would be markup to them. They are written as HTML text instead
//   (asHtml: `<` -> `&lt;`), which every reader shows as the literal text, inside CDATA (the
//   channel's through the extension hook: feed writes those through xml-js as text, which turns
//   `&amp;` back into `&` first). content:encoded is the sanitized HTML and stays HTML;
// - pubDate / lastBuildDate: RFC 822 in the issue's own offset (+0800), from the newest issue,
//   never the build time (feed would print UTC, and `now` when `updated` is missing);
// - authors: <dc:creator> per author (feed prints a bare name in <author>, which RSS reserves
//   for an e-mail address);
// - categories: tags and categories as <category> text (escaped by xml-js);
// - cover: <enclosure url length="0"> with a type only when the extension tells it. RSS 2.0 calls
//   length required and the size is unknown without fetching the image, so we write 0 (as the RSS
//   Best Practices Profile recommends); feed would write `image/<rest of the path>` as the type;
// - guid: the tag: id from ids.ts, isPermaLink="false".
import { Feed, type Extension } from 'feed';
import { issueTopics, type Issue } from '../content/issue.js';
import { rfc822 } from './dates.js';
import { issueId } from './ids.js';
import { imageTypeFromUrl, isHttpUrl } from './media.js';
import type { FeedSpec } from './model.js';
import { cleanText, escapeText } from './text.js';

export function renderRss(spec: FeedSpec): string {
  const feed = new Feed({
    title: cleanText(spec.title),
    description: cleanText(spec.description),
    id: spec.homeUrl,
    link: spec.homeUrl,
    language: cleanText(spec.language),
    feedLinks: { rss: spec.urls.rss },
    updated: new Date(spec.updated.epochMs),
    generator: 'Pressroom',
  });
  feed.addExtension({ name: 'title', objects: { _cdata: asHtml(spec.title) } });
  feed.addExtension({ name: 'description', objects: { _cdata: asHtml(spec.description) } });
  feed.addExtension({ name: 'lastBuildDate', objects: { _text: rfc822(spec.updated) } });
  for (const issue of spec.items) feed.addItem(item(spec, issue));
  return feed.rss2();
}

/** Plain text as the HTML that shows it literally (it contains no `>`, so no `]]>` either). */
const asHtml = escapeText;

// xml-js (inside feed) writes an array as repeated elements; feed's typings only say "object".
const repeated = (elements: Array<{ _text: string }>) => elements as unknown as Record<string, unknown>;

function item(spec: FeedSpec, issue: Issue) {
  const authors = issue.authors.length ? issue.authors : [spec.author];
  const extensions: Extension[] = [
    { name: 'pubDate', objects: { _text: rfc822(issue.date) } },
    { name: 'dc:creator', objects: repeated(authors.map((a) => ({ _text: cleanText(a.name) }))) },
  ];
  const topics = issueTopics(issue).map((t) => cleanText(t).trim()).filter(Boolean);
  if (topics.length) extensions.push({ name: 'category', objects: repeated(topics.map((t) => ({ _text: t }))) });
  if (isHttpUrl(issue.cover)) {
    const type = imageTypeFromUrl(issue.cover);
    extensions.push({
      name: 'enclosure',
      objects: { _attributes: { url: new URL(issue.cover).href, length: '0', ...(type ? { type } : {}) } },
    });
  }
  return {
    title: asHtml(issue.title),
    id: issueId(spec.siteUrl, issue.slug),
    link: issue.url,
    date: new Date(issue.date.epochMs),
    ...(issue.description ? { description: asHtml(issue.description) } : {}),
    content: cleanText(issue.html),
    extensions,
  };
}
