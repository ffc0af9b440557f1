// The names of the files renderSite writes, without rendering them: what `pressroom check` holds
// an issue's links to the site against. test/content/preflight.test.ts ("siteOutputPaths") keeps this equal to
// renderSite's output; a new kind of page goes in both.
import type { Config } from '../config/config.js';
import { isPublished, type Issue } from '../content/issue.js';
import { siteFeedWithArchives } from '../feeds/archives.js';
import { FEED_FILES, newestFirst } from '../feeds/model.js';
import { groupTopics, topicPath } from '../feeds/topics.js';
import { SEARCH_INDEX, SEARCH_PAGE, SEARCH_SCRIPTS, searchPartPaths } from '../search/paths.js';

/** Every output path of renderSite(config, issues, { now }), plus the published bundle files (`bundlePaths`, from bundleFiles). */
export function siteOutputPaths(config: Config, issues: Issue[], bundlePaths: Iterable<string>, now: number): Set<string> {
  const published = newestFirst(issues.filter((issue) => isPublished(issue, now)));
  const feeds = Object.values(FEED_FILES);
  const paths = new Set<string>([...feeds, 'style.css', 'favicon.svg', 'index.html', 'tags/index.html', SEARCH_PAGE, SEARCH_INDEX, ...SEARCH_SCRIPTS]);
  for (const page of siteFeedWithArchives(config, published).archives) {
    paths.add(`${page.dir}${FEED_FILES.rss}`);
    paths.add(`${page.dir}${FEED_FILES.atom}`);
  }
  for (const part of searchPartPaths(published.length)) paths.add(part);
  for (const issue of published) paths.add(`issues/${issue.slug}/index.html`);
  for (const topic of groupTopics(published)) {
    const dir = topicPath(topic.slug);
    for (const name of [...feeds, 'index.html']) paths.add(`${dir}${name}`);
  }
  for (const name of bundlePaths) paths.add(name);
  return paths;
}
