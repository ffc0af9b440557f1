// JSON Feed 1.1, our own module: feed 6.0.0 only writes version 1 (singular `author`, no
// `language`). Top-level and item `authors` (no 1.0 `author`: ../shared/tools/validate-feeds
// rejects it in a 1.1 feed), `language`, dates in the issue's own offset (RFC 3339),
// `image` = cover (also the first image of content_html, cover.ts), `tags` = tags and categories,
// `id` = tag: URI from ids.ts.
import { issueTopics, type Issue, type IssueAuthor } from '../content/issue.js';
import { rfc3339 } from './dates.js';
import { issueId } from './ids.js';
import { htmlWithCover } from './cover.js';
import { isHttpUrl } from './media.js';
import type { Attachment } from './attachments.js';
import type { FeedSpec } from './model.js';
import { cleanText } from './text.js';

interface JsonAuthor {
  name: string;
  url?: string;
}

export function renderJsonFeed(spec: FeedSpec): string {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: cleanText(spec.title),
    home_page_url: spec.homeUrl,
    feed_url: spec.urls.json,
    ...(spec.description ? { description: cleanText(spec.description) } : {}),
    language: cleanText(spec.language),
    authors: [jsonAuthor(spec.author)],
    ...(spec.hubs.length > 0 ? { hubs: spec.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    items: spec.items.map((issue) => item(spec, issue)),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}

function jsonAuthor(a: IssueAuthor): JsonAuthor {
  return { name: cleanText(a.name), ...(isHttpUrl(a.url) ? { url: a.url } : {}) };
}

function item(spec: FeedSpec, issue: Issue) {
  const topics = issueTopics(issue)
    .map((t) => cleanText(t).trim())
    .filter(Boolean);
  return {
    id: issueId(spec.siteUrl, issue.slug),
    url: issue.url,
    title: cleanText(issue.title),
    ...(issue.description ? { summary: cleanText(issue.description) } : {}),
    content_html: cleanText(htmlWithCover(issue.html, issue.cover, issue.title)),
    ...(isHttpUrl(issue.cover) ? { image: new URL(issue.cover).href } : {}),
    date_published: rfc3339(issue.date),
    ...(issue.authors.length ? { authors: issue.authors.map(jsonAuthor) } : {}),
    ...(topics.length ? { tags: topics } : {}),
    ...(issue.lang && issue.lang !== spec.language ? { language: cleanText(issue.lang) } : {}),
    ...attachments(spec.attachments?.get(issue.slug)),
  };
}

function attachments(list: readonly Attachment[] | undefined) {
  if (!list?.length) return {};
  return { attachments: list.map((a) => ({ url: a.url, mime_type: a.type, size_in_bytes: a.length })) };
}
