// Atom 1.0 as a tree for the XML writer (xml.ts), the same path as RSS. Not written by `feed`:
// feed 6.0.0's atom1() has no xml:lang, writes category labels with a raw `<` (not
// well-formed), guesses enclosure types from whatever follows the last dot, prints only UTC
// dates, defaults `updated` to now and throws on non-URL ids. What we write instead:
// - <feed xml:lang> from the site language, <entry xml:lang> when an issue has its own;
// - <category term label> (term = topic slug, label = as written);
// - cover as Media RSS <media:content>/<media:thumbnail> and the first image of <content>
//   (cover.ts), not an untyped <link rel="enclosure">;
// - <published>/<updated> in the issue's own offset; the feed's <updated> = newest issue;
// - <id> = tag: URI from ids.ts.
import type { Issue, IssueAuthor } from '../content/issue.js';
import { issueTopicLabels } from '../domain/topics.js';
import { rfc3339 } from './dates.js';
import { issueId } from './ids.js';
import { htmlWithCover, MEDIA_NS, mediaCover } from './cover.js';
import { isHttpUrl } from './media.js';
import { HISTORY_NS, historyLinks } from './archives.js';
import { FEED_FILES, type FeedSpec } from './model.js';
import { topicSlug } from './topics.js';
import { el, serializeXml, type XmlElement } from './xml.js';

export function renderAtom(spec: FeedSpec): string {
  return `${serializeXml(atomTree(spec), '  ')}\n`;
}

/** The Atom document of `spec` as the XML writer's tree. */
export function atomTree(spec: FeedSpec): XmlElement {
  const children: XmlElement[] = [el('id', {}, spec.homeUrl), el('title', {}, spec.title)];
  if (spec.description) children.push(el('subtitle', {}, spec.description));
  children.push(
    el('updated', {}, rfc3339(spec.updated)),
    el('link', { rel: 'alternate', type: 'text/html', href: spec.homeUrl }),
    el('link', { rel: 'self', type: 'application/atom+xml', href: spec.urls.atom }),
    ...spec.hubs.map((href) => el('link', { rel: 'hub', href })),
    ...historyLinks(spec.archive, FEED_FILES.atom).map(([rel, href]) => el('link', { rel, type: 'application/atom+xml', href })),
    ...(spec.archive?.current ? [el('fh:archive', {})] : []),
    author(spec.author),
    el('generator', {}, 'Pressroom'),
    ...spec.items.map((issue) => entry(spec, issue)),
  );
  const history = spec.archive?.current ? { 'xmlns:fh': HISTORY_NS } : {};
  return el('feed', { xmlns: 'http://www.w3.org/2005/Atom', 'xmlns:media': MEDIA_NS, ...history, 'xml:lang': spec.language }, ...children);
}

function author(a: IssueAuthor): XmlElement {
  const children = [el('name', {}, a.name)];
  if (a.email) children.push(el('email', {}, a.email));
  if (isHttpUrl(a.url)) children.push(el('uri', {}, a.url));
  return el('author', {}, ...children);
}

function entry(spec: FeedSpec, issue: Issue): XmlElement {
  const date = rfc3339(issue.date);
  const children: XmlElement[] = [
    el('id', {}, issueId(spec.siteUrl, issue.slug)),
    el('title', { type: 'text' }, issue.title),
    el('link', { rel: 'alternate', type: 'text/html', href: issue.url }),
    ...(spec.attachments?.get(issue.slug) ?? []).map((a) => el('link', { rel: 'enclosure', type: a.type, length: String(a.length), href: a.url })),
    el('published', {}, date),
    el('updated', {}, date),
    ...issue.authors.map(author),
  ];
  for (const label of issueTopicLabels(issue)) children.push(el('category', { term: topicSlug(label), label }));
  children.push(...mediaCover(issue.cover));
  if (issue.description) children.push(el('summary', { type: 'text' }, issue.description));
  children.push(el('content', { type: 'html' }, htmlWithCover(issue.html, issue.cover, issue.title)));
  return el('entry', { 'xml:lang': issue.lang && issue.lang !== spec.language ? issue.lang : undefined }, ...children);
}
