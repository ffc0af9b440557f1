// The archive's pages: the home page (issue list + subscribe form), one page per issue
// (title, date, tags, cover, content, older/newer) and one list page per topic. This module
// decides what each page shows; templates/archive/*.liquid decides how, and escapes it.
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { issueTopicLabels } from '../domain/topics.js';
import { messages } from '../i18n/catalogue.js';
import { displayDate, rfc3339 } from '../feeds/dates.js';
import { isHttpUrl } from '../feeds/media.js';
import type { FeedSpec } from '../feeds/model.js';
import { topicSlug, type Topic } from '../feeds/topics.js';
import { cleanText } from '../feeds/text.js';
import type { SafeHtml } from '../templates/engine.js';
import { page, part, type PageFeeds } from '../templates/site.js';

function feedsOf(spec: FeedSpec): PageFeeds {
  return { title: spec.title, ...spec.urls };
}

const issueHref = (root: string, issue: Issue) => `${root}issues/${encodeURIComponent(issue.slug)}/`;

/**
 * Remembers a rendered fragment by what it is made of (a build's render cache, src/build/page-cache.ts).
 * The index and topic pages list every issue: each list item comes from it while its issue is
 * unchanged, instead of Liquid looping over 1,000 issues again (~70 ms of a rebuild).
 */
export type Memo = (inputs: unknown, render: () => string) => string;

/** The list items of `issues`, one templates/site/issue-item.liquid each, as one piece of HTML ('' for none). */
function listed(issues: Issue[], root: string, memo?: Memo): SafeHtml {
  const items = issues.map((issue) => {
    const item = {
      datetime: rfc3339(issue.date),
      day: displayDate(issue.date),
      href: issueHref(root, issue),
      title: issue.title,
      description: issue.description ?? null,
    };
    const render = () => part('issue-item', { issue: item });
    return memo ? memo(['issue-item', item], render) : render();
  });
  return items.join('') as SafeHtml;
}

/** What every page's subscribe form needs: where it posts, and the topics to tick (none ticked = everything). */
function subscribeForm(config: Config, topics: readonly string[]) {
  return { subscribeAction: new URL('subscribe', config.site.url).href, topics };
}

export function indexPage(config: Config, issues: Issue[], feed: FeedSpec, topics: Topic[] = [], memo?: Memo): string {
  const shell = {
    title: config.site.title,
    root: '',
    canonical: config.site.url,
    lang: config.site.language,
    description: config.site.description || null,
    feeds: feedsOf(feed),
  };
  // The form posts email, name and (repeated) topics to the service's /subscribe; no topic
  // ticked means every issue.
  return page(config, 'index', shell, {
    ...subscribeForm(
      config,
      topics.map((t) => t.label),
    ),
    preset: null,
    items: listed(issues, '', memo),
  });
}

/** One topic's issues; its subscribe form has the topic ticked. */
export function topicPage(config: Config, topic: Topic, feed: FeedSpec, siteTopics: readonly string[] = [topic.label], memo?: Memo): string {
  const root = '../../';
  const shell = { title: `${topic.label} · ${config.site.title}`, root, canonical: feed.homeUrl, lang: config.site.language, description: null, feeds: feedsOf(feed) };
  return page(config, 'topic', shell, { ...subscribeForm(config, siteTopics), heading: topic.label, items: listed(topic.issues, root, memo) });
}

/** tags/index.html: every topic with its number of issues, most first (then by name). */
export function topicsIndexPage(config: Config, topics: Topic[], feed: FeedSpec): string {
  const root = '../';
  const canonical = new URL('tags/', config.site.url).href;
  const heading = messages(config.site.language, {}).archive_topics;
  const shell = { title: `${heading} · ${config.site.title}`, root, canonical, lang: config.site.language, description: null, feeds: feedsOf(feed) };
  const sorted = [...topics].sort((a, b) => b.issues.length - a.issues.length || a.label.localeCompare(b.label));
  return page(config, 'topics', shell, {
    ...subscribeForm(config, []),
    labels: topics.map((t) => t.label),
    heading,
    topics: sorted.map((t) => ({ href: `${encodeURIComponent(t.slug)}/`, label: t.label, count: t.issues.length })),
  });
}

/** search/index.html: the form and the empty result list that search/search.js fills in the browser. */
export function searchPage(config: Config, feed: FeedSpec): string {
  const root = '../';
  const canonical = new URL('search/', config.site.url).href;
  const heading = messages(config.site.language, {}).search_title;
  const shell = { title: `${heading} · ${config.site.title}`, root, canonical, lang: config.site.language, description: null, feeds: feedsOf(feed) };
  return page(config, 'search', shell, {});
}

export interface Neighbours {
  /** The next older published issue. */
  older?: Issue;
  /** The next newer published issue. */
  newer?: Issue;
}

export function issuePage(config: Config, issue: Issue, around: Neighbours, feed: FeedSpec, siteTopics: readonly string[] = []): string {
  const root = '../../';
  // One link per topic page: "SOFA Weekly" and "SOFA WEEKLY" lead to the same one.
  const tags = new Map<string, string>();
  for (const label of issueTopicLabels(issue)) {
    const slug = topicSlug(label);
    if (!tags.has(slug)) tags.set(slug, label);
  }
  const neighbour = (other?: Issue) => (other ? { href: issueHref(root, other), title: other.title } : null);
  const shell = {
    title: `${issue.title} · ${config.site.title}`,
    root,
    canonical: issue.url,
    lang: issue.lang ?? config.site.language,
    description: issue.description || null,
    feeds: feedsOf(feed),
  };
  return page(config, 'issue', shell, {
    ...subscribeForm(config, siteTopics),
    issue: {
      title: issue.title,
      datetime: rfc3339(issue.date),
      day: displayDate(issue.date),
      authors: issue.authors.map((a) => a.name).join(', '),
    },
    tags: [...tags].map(([slug, label]) => ({ href: `${root}tags/${encodeURIComponent(slug)}/`, label })),
    cover: isHttpUrl(issue.cover) ? issue.cover : null,
    // Sanitized by the loader (src/content/markdown.ts); only XML-forbidden characters go here.
    body: cleanText(issue.html),
    older: neighbour(around.older),
    newer: neighbour(around.newer),
  });
}
