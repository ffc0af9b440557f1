// Full-text search that works on the static output alone: the build writes a prebuilt MiniSearch
// index of every published issue beside the search page and its scripts, in parts of
// ISSUES_PER_PART issues (search/part-N.json, listed in search/index.json); the reader's browser
// loads them once and answers every query itself, merging the parts' results by score. How text becomes
// tokens (CJK included) is defined once, in templates/site/search/options.js, which the build
// loads here and the browser loads as it is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Options } from 'minisearch';
import type { Issue } from '../content/issue.js';
import { issueTopicLabels } from '../domain/topics.js';
import { displayDate } from '../feeds/dates.js';
import { excerptOf, plainTextOf } from '../feeds/text.js';
import { bundledPath } from '../templates/root.js';
import { cachedOutput, type PageCache } from '../build/page-cache.js';
import { issueDigest } from '../content/issue-digest.js';
import { miniSearchJson } from './writer.js';
import { ISSUES_PER_PART, SEARCH_INDEX, SEARCH_SCRIPTS, searchPartPaths } from './paths.js';

/** One issue as the index sees it. */
interface IndexedIssue {
  id: string;
  title: string;
  topics: string;
  text: string;
  /** Stored for the result list: the issue page's path from the site root, its date and summary. */
  url: string;
  date: string;
  summary: string;
}

const SCRIPTS_DIR = bundledPath('templates', 'site', 'search');
const require = createRequire(import.meta.url);

let rules: { INDEX_OPTIONS: Options<IndexedIssue> } | undefined;
// options.js is an ES module outside src/, loaded synchronously (require of ESM, Node 20.19+).
const indexOptions = () => (rules ??= require(path.join(SCRIPTS_DIR, 'options.js')) as { INDEX_OPTIONS: Options<IndexedIssue> }).INDEX_OPTIONS;

const miniSearchDist = () => path.resolve(path.dirname(require.resolve('minisearch')), '..'); // from dist/cjs/index.cjs

/** The browser build of MiniSearch: the package's ES module, one self-contained file. */
function miniSearchModule(): string {
  return readFileSync(path.join(miniSearchDist(), 'es', 'index.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
}

let miniSearchVersion: string | undefined;
/** A cached part is only good for the MiniSearch that wrote it (its JSON format is versioned). */
const indexFormat = () => (miniSearchVersion ??= (JSON.parse(readFileSync(path.join(miniSearchDist(), '..', 'package.json'), 'utf8')) as { version: string }).version);

function documentOf(issue: Issue): IndexedIssue {
  return {
    id: issue.slug,
    title: issue.title,
    topics: issueTopicLabels(issue).join(' '),
    text: plainTextOf(issue.html),
    url: `issues/${encodeURIComponent(issue.slug)}/`,
    date: displayDate(issue.date),
    summary: issue.description || excerptOf(issue.html, 160),
  };
}

/** One part of the index, as the JSON the search page loads. */
export function searchIndex(documents: readonly IndexedIssue[]): string {
  return miniSearchJson(indexOptions(), documents);
}

/**
 * The search page's files other than its HTML, by output path: the list of parts, the parts
 * (from `cache` when their issues are unchanged), and the three scripts. `published`: newest first.
 */
export function searchFiles(published: readonly Issue[], cache?: PageCache): Map<string, string> {
  const oldestFirst = [...published].reverse();
  const parts = searchPartPaths(published.length);
  const files = new Map([[SEARCH_INDEX, JSON.stringify({ parts: parts.map((part) => path.posix.basename(part)) })]]);
  parts.forEach((part, k) => {
    const issues = oldestFirst.slice(k * ISSUES_PER_PART, (k + 1) * ISSUES_PER_PART);
    const render = () => searchIndex(issues.map(documentOf));
    files.set(part, cache ? cachedOutput(cache, part, ['search', indexFormat(), issues.map(issueDigest)], render) : render());
  });
  for (const script of SEARCH_SCRIPTS) {
    const name = path.posix.basename(script);
    files.set(script, name === 'minisearch.js' ? miniSearchModule() : readFileSync(path.join(SCRIPTS_DIR, name), 'utf8'));
  }
  return files;
}
