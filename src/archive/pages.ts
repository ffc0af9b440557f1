// The archive's pages: the home page (issue list + subscribe form), one page per issue
// (title, date, tags, cover, content, older/newer) and one list page per topic.
import type { Config } from '../config/config.js';
import { issueTopics, type Issue } from '../content/issue.js';
import { displayDate, rfc3339 } from '../feeds/dates.js';
import { isHttpUrl } from '../feeds/media.js';
import type { FeedSpec } from '../feeds/model.js';
import { topicSlug, type Topic } from '../feeds/topics.js';
import { cleanText } from '../feeds/text.js';
import { escapeAttr, escapeText, page, type PageFeeds } from './html.js';

function feedsOf(spec: FeedSpec): PageFeeds {
  return { title: spec.title, ...spec.urls };
}

function issueList(issues: Issue[], root: string): string {
  if (!issues.length) return '<p>No issues published yet.</p>';
  const items = issues.map((issue) => {
    const summary = issue.description ? `\n<p>${escapeText(issue.description)}</p>` : '';
    return `<li>
<time class="meta" datetime="${escapeAttr(rfc3339(issue.date))}">${escapeText(displayDate(issue.date))}</time><br>
<a class="title" href="${escapeAttr(`${root}issues/${encodeURIComponent(issue.slug)}/`)}">${escapeText(issue.title)}</a>${summary}
</li>`;
  });
  return `<ol class="issues">\n${items.join('\n')}\n</ol>`;
}

// Posts email, name and (repeated) topics to the service's /subscribe; no topic ticked means
// every issue.
function subscribeForm(config: Config, topics: Topic[]): string {
  const action = new URL('subscribe', config.site.url).href;
  const choices = topics.length
    ? `<fieldset class="topics"><legend>Only these topics (optional)</legend>\n${topics
        .map((t) => `<label class="topic"><input type="checkbox" name="topics" value="${escapeAttr(t.label)}"> ${escapeText(t.label)}</label>`)
        .join('\n')}\n</fieldset>\n`
    : '';
  return `<form class="subscribe" method="post" action="${escapeAttr(action)}">
<strong>Subscribe by email</strong>
<label>Email <input type="email" name="email" required autocomplete="email" inputmode="email"></label>
<label>Name (optional) <input type="text" name="name" autocomplete="name"></label>
${choices}<button type="submit">Subscribe</button>
</form>`;
}

export function indexPage(config: Config, issues: Issue[], feed: FeedSpec, topics: Topic[] = []): string {
  return page(config, {
    title: config.site.title,
    root: '',
    canonical: config.site.url,
    lang: config.site.language,
    ...(config.site.description ? { description: config.site.description } : {}),
    feeds: feedsOf(feed),
    body: `${subscribeForm(config, topics)}\n<h1>Issues</h1>\n${issueList(issues, '')}`,
  });
}

export function topicPage(config: Config, topic: Topic, feed: FeedSpec): string {
  const root = '../../';
  return page(config, {
    title: `${topic.label} · ${config.site.title}`,
    root,
    canonical: feed.homeUrl,
    lang: config.site.language,
    feeds: feedsOf(feed),
    body: `<h1>${escapeText(topic.label)}</h1>\n${issueList(topic.issues, root)}`,
  });
}

export interface Neighbours {
  /** The next older published issue. */
  older?: Issue;
  /** The next newer published issue. */
  newer?: Issue;
}

export function issuePage(config: Config, issue: Issue, around: Neighbours, feed: FeedSpec): string {
  const root = '../../';
  const href = (other: Issue) => `${root}issues/${encodeURIComponent(other.slug)}/`;
  // One link per topic page: "SOFA Weekly" and "SOFA WEEKLY" lead to the same one.
  const topics = new Map<string, string>();
  for (const label of issueTopics(issue).map((t) => t.trim()).filter(Boolean)) {
    const slug = topicSlug(label);
    if (!topics.has(slug)) topics.set(slug, label);
  }
  const tagList = topics.size
    ? `<ul class="tags">${[...topics]
        .map(([slug, label]) => `<li><a href="${escapeAttr(`${root}tags/${encodeURIComponent(slug)}/`)}">${escapeText(label)}</a></li>`)
        .join('')}</ul>`
    : '';
  const authors = issue.authors.length ? ` · ${escapeText(issue.authors.map((a) => a.name).join(', '))}` : '';
  const cover = isHttpUrl(issue.cover) ? `<img class="cover" src="${escapeAttr(issue.cover)}" alt="">` : '';
  const older = around.older
    ? `<a class="older" rel="prev" href="${escapeAttr(href(around.older))}">← ${escapeText(around.older.title)}</a>`
    : '';
  const newer = around.newer
    ? `<a class="newer" rel="next" href="${escapeAttr(href(around.newer))}">${escapeText(around.newer.title)} →</a>`
    : '';
  const lang = issue.lang ?? config.site.language;
  return page(config, {
    title: `${issue.title} · ${config.site.title}`,
    root,
    canonical: issue.url,
    lang,
    ...(issue.description ? { description: issue.description } : {}),
    feeds: feedsOf(feed),
    body: `<article>
<h1>${escapeText(issue.title)}</h1>
<p class="meta"><time datetime="${escapeAttr(rfc3339(issue.date))}">${escapeText(displayDate(issue.date))}</time>${authors}</p>
${tagList}
${cover}
<div class="content">
${cleanText(issue.html)}
</div>
</article>
<nav class="pager">${older}${newer}</nav>`,
  });
}
