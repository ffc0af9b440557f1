// buildSite: the published issues -> feeds (site-wide and per topic) + the HTML archive,
// written into config.outDir. Pure rendering first (renderSite), then one write step, so the
// same issues always give the same bytes: no build time, no dependence on input order.
import type { Config } from '../config/config.js';
import { isPublished, SLUG_PATTERN, type Issue } from '../content/issue.js';
import { isArchivePath, siteFeedWithArchives } from '../feeds/archives.js';
import { renderAtom } from '../feeds/atom.js';
import { attachmentsOf } from '../feeds/attachments.js';
import { FEED_FILES, isFeedFile, newestFirst, topicFeed, type FeedSpec } from '../feeds/model.js';
import { renderJsonFeed } from '../feeds/json-feed.js';
import { renderRss } from '../feeds/rss.js';
import { groupTopics, topicPath } from '../feeds/topics.js';
import { indexPage, issuePage, searchPage, topicPage, topicsIndexPage } from '../archive/pages.js';
import { FAVICON, STYLESHEET } from '../archive/style.js';
import type { Problem } from '../content/issue.js';
import { searchFiles, searchFilesInThread } from '../search/index.js';
import { SEARCH_PAGE } from '../search/paths.js';
import { bundleResources } from './bundles.js';
import { EarlyCompression, isNewOutput, writeOutput } from './output.js';
import { readOutputRecord, saveOutputRecord } from './output-record.js';
import { issueDigest } from '../content/issue-digest.js';
import { cachedFragment, cachedIssuePage, cachedOutput, openPageCache, savePageCache, type PageCache } from './page-cache.js';

/** The three formats of a feed; with a render cache, each document is reused while its spec is unchanged. */
const FORMATS = { rss: renderRss, atom: renderAtom, json: renderJsonFeed } as const;

export interface BuildOptions {
  /** "Now" for deciding what is published (default Date.now()). */
  now?: number;
  /** Issue pages rendered by an earlier build, reused when nothing they show changed (page-cache.ts). */
  pages?: PageCache;
  /** The published bundle files (output path -> size): their audio, video and PDF become enclosures. */
  bundleSizes?: ReadonlyMap<string, number>;
  /** Told of each file as soon as it is rendered (its precompression can start while the rest renders). */
  onFile?: (name: string, text: string) => void;
  /** The search index's files are left to the caller (buildSite indexes in a thread of its own meanwhile). */
  withoutSearchFiles?: boolean;
}

/** Every output file of the site, by relative path. */
export function renderSite(config: Config, issues: Issue[], options: BuildOptions = {}): Map<string, string> {
  const now = options.now ?? Date.now();
  const published = newestFirst(issues.filter((issue) => isPublished(issue, now)));
  for (const issue of published) {
    if (!SLUG_PATTERN.test(issue.slug)) {
      throw new Error(`${issue.sourcePath}: slug: "${issue.slug}" is not a safe folder name (letters, digits, '.', '_', '-')`);
    }
  }
  const files = new Map<string, string>();
  const emit = (name: string, text: string) => {
    files.set(name, text);
    options.onFile?.(name, text);
  };

  const attachments = attachmentsOf(config.site.url, options.bundleSizes ?? new Map());
  const withAttachments = (spec: FeedSpec): FeedSpec => (attachments.size > 0 ? { ...spec, attachments } : spec);
  const feedText = (output: string, name: string, spec: FeedSpec, render: (spec: FeedSpec) => string) =>
    options.pages
      ? cachedOutput(options.pages, output, ['feed', name, { ...spec, items: spec.items.map(issueDigest), attachments: spec.attachments ? [...spec.attachments] : null }], () =>
          render(spec),
        )
      : render(spec);
  const setFeeds = (dir: string, spec: FeedSpec, formats: ReadonlyArray<keyof typeof FORMATS> = ['rss', 'atom', 'json']) => {
    for (const format of formats) {
      const output = `${dir}${FEED_FILES[format]}`;
      emit(output, feedText(output, format, spec, FORMATS[format]));
    }
  };
  const pages = options.pages;
  const memo = pages && ((inputs: unknown, render: () => string) => cachedFragment(pages, inputs, render));
  const { feed: siteSpec, archives } = siteFeedWithArchives(config, published);
  const feed = withAttachments(siteSpec);
  setFeeds('', feed);
  for (const page of archives) setFeeds(page.dir, withAttachments(page.spec), ['rss', 'atom']);
  emit('style.css', STYLESHEET);
  emit('favicon.svg', FAVICON);
  const topics = groupTopics(published);
  emit('index.html', indexPage(config, published, feed, topics, memo));
  const labels = topics.map((t) => t.label);
  emit('tags/index.html', topicsIndexPage(config, topics, feed));
  emit(SEARCH_PAGE, searchPage(config, feed));
  if (!options.withoutSearchFiles) for (const [name, text] of searchFiles(published, options.pages)) emit(name, text);

  published.forEach((issue, i) => {
    const around = { newer: published[i - 1], older: published[i + 1] };
    const output = `issues/${issue.slug}/index.html`;
    const render = () => issuePage(config, issue, around, feed, labels);
    emit(output, options.pages ? cachedIssuePage(options.pages, config, { output, issue, around, feed, topics: labels }, render) : render());
  });

  for (const topic of topics) {
    const spec = withAttachments(topicFeed(config, topic));
    const dir = topicPath(topic.slug);
    setFeeds(dir, spec);
    emit(`${dir}index.html`, topicPage(config, topic, spec, labels, memo));
  }
  return files;
}

/**
 * Writes feeds and archive of the published issues into config.outDir. changedFeeds: the URLs of
 * the feeds whose bytes changed (what WebSub hubs are told about). skipped: one line per
 * bundle file that was not published (see bundles.ts), for the caller to report. With `cache`,
 * issue pages come from and go to the page cache in config.dataDir; warnings: a damaged cache
 * (ignored) or one that could not be written.
 */
export interface BuildResult {
  files: string[];
  skipped: string[];
  warnings: Problem[];
  changedFeeds: string[];
}

export async function buildSite(config: Config, issues: Issue[], options: { now?: number; cache?: boolean } = {}): Promise<BuildResult> {
  const now = options.now ?? Date.now();
  const pages = options.cache ? openPageCache(config.dataDir) : undefined;
  const warnings = pages?.warning ? [pages.warning] : [];
  const published = issues.filter((issue) => isPublished(issue, now));
  const { resources, skipped } = await bundleResources(config, published);
  const bundleSizes = new Map([...resources].map(([name, bytes]) => [name, bytes.length]));
  // Into a new output folder every file is new: its copies are compressed on libuv's threads
  // while this thread renders the next files, instead of all after rendering.
  const early = (await isNewOutput(config.outDir)) ? new EarlyCompression() : undefined;
  const search = searchFilesInThread(newestFirst(published), pages);
  search.catch(() => undefined); // awaited below, once the pages are rendered
  const files: Map<string, string | Buffer> = renderSite(config, issues, { now, pages, bundleSizes, onFile: early?.start, withoutSearchFiles: true });
  for (const [name, text] of await search) {
    files.set(name, text);
    early?.start(name, text);
  }
  for (const [name, bytes] of resources) {
    if (!files.has(name)) files.set(name, bytes);
  }
  const record = options.cache ? readOutputRecord(config.dataDir, config.outDir) : undefined;
  const written = await writeOutput(config.outDir, files, { early, record, keys: pages?.outputs });
  if (written.record) saveOutputRecord(config.dataDir, config.outDir, written.record);
  const failed = pages && savePageCache(pages);
  if (failed) warnings.push(failed);
  // Archive pages are not subscribed to: hubs hear about the feeds readers follow.
  const changedFeeds = written.changed.filter((name) => isFeedFile(name) && !isArchivePath(name)).map((name) => new URL(name, config.site.url).href);
  return { files: written.names, skipped, warnings, changedFeeds };
}
