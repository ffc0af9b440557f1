// Full-text search that works on the static output alone: the build writes a prebuilt MiniSearch
// index of every published issue beside the search page and its scripts, in parts of
// ISSUES_PER_PART issues (search/part-N.json, listed in search/index.json); the reader's browser
// loads them once and answers every query itself, merging the parts' results by score. How text becomes
// tokens (CJK included) is defined once, in templates/site/search/options.js, which the build
// loads here and the browser loads as it is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { oneShotThread } from '../compiled-entry.js';
import type { Issue } from '../content/issue.js';
import { issueTopicLabels } from '../domain/topics.js';
import { displayDate } from '../feeds/dates.js';
import { excerptOf, plainTextOf } from '../feeds/text.js';
import { outputSlot, type PageCache } from '../build/page-cache.js';
import { issueDigest } from '../content/issue-digest.js';
import { SCRIPTS_DIR, searchIndex, type IndexedIssue } from './part.js';
import { ISSUES_PER_PART, SEARCH_INDEX, SEARCH_SCRIPTS, searchPartPaths } from './paths.js';

const require = createRequire(import.meta.url);

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

/** A part of the index: its output path and its issues, oldest first. */
interface Part {
  path: string;
  issues: Issue[];
}

function partsOf(published: readonly Issue[]): Part[] {
  const oldestFirst = [...published].reverse();
  return searchPartPaths(published.length).map((part, k) => ({ path: part, issues: oldestFirst.slice(k * ISSUES_PER_PART, (k + 1) * ISSUES_PER_PART) }));
}

const partInputs = (part: Part) => ['search', indexFormat(), part.issues.map(issueDigest)];

/** The search page's files other than its HTML and the parts: the list of parts, and the three scripts. */
function fixedFiles(parts: readonly Part[]): Map<string, string> {
  const files = new Map([[SEARCH_INDEX, JSON.stringify({ parts: parts.map((part) => path.posix.basename(part.path)) })]]);
  for (const script of SEARCH_SCRIPTS) {
    const name = path.posix.basename(script);
    files.set(script, name === 'minisearch.js' ? miniSearchModule() : readFileSync(path.join(SCRIPTS_DIR, name), 'utf8'));
  }
  return files;
}

/** The parts of the index, the cache's entry for each (with a cache), and those it does not hold. */
function planParts(published: readonly Issue[], cache?: PageCache) {
  const parts = partsOf(published);
  const slots = parts.map((part) => (cache ? outputSlot(cache, partInputs(part), part.path) : undefined));
  const missing = parts.filter((_, k) => slots[k]?.text === undefined);
  return { parts, slots, missing };
}

type PartsPlan = ReturnType<typeof planParts>;

/** The search files, once the missing parts are indexed (`indexed`, in the order of `plan.missing`). */
function assemble({ parts, slots, missing }: PartsPlan, indexed: readonly string[]): Map<string, string> {
  const made = new Map(missing.map((part, k) => [part, indexed[k]!]));
  const files = fixedFiles(parts);
  parts.forEach((part, k) => {
    const slot = slots[k];
    const text = slot?.text ?? made.get(part)!;
    files.set(part.path, slot ? slot.keep(text) : text);
  });
  return files;
}

const documentsOf = (missing: readonly Part[]) => missing.map((part) => part.issues.map(documentOf));

/**
 * The search page's files other than its HTML, by output path: the list of parts, the parts
 * (from `cache` when their issues are unchanged), and the three scripts. `published`: newest first.
 */
export function searchFiles(published: readonly Issue[], cache?: PageCache): Map<string, string> {
  const plan = planParts(published, cache);
  return assemble(plan, documentsOf(plan.missing).map(searchIndex));
}

/**
 * Below this many parts to index, they are indexed in the calling thread: a new thread's start and
 * cold JIT cost ~90 ms (two parts of the bench's issues: 160 ms here, 250 ms of wall time in a
 * thread), more than one part's indexing (~65 ms).
 */
export const THREAD_MIN_PARTS = 2;

/**
 * searchFiles, with the parts the cache does not hold indexed in a thread of their own, so the
 * calling thread renders the pages meanwhile (buildSite): on two cores, indexing a thousand
 * issues (~1 s of CPU) no longer adds its whole time to the build's.
 */
export async function searchFilesInThread(published: readonly Issue[], cache?: PageCache): Promise<Map<string, string>> {
  const plan = planParts(published, cache);
  const documents = documentsOf(plan.missing);
  const indexed = plan.missing.length < THREAD_MIN_PARTS ? documents.map(searchIndex) : await oneShotThread<string[]>(import.meta.url, './index-worker.js', documents);
  return assemble(plan, indexed);
}
