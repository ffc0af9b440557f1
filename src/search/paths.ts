// Where the search page's files go in the output: named once for the build (src/search/index.ts),
// the list of output paths `check` links against (src/build/site-paths.ts) and the static server,
// which serves these scripts, and no other file, as JavaScript (src/server/static.ts).
export const SEARCH_PAGE = 'search/index.html';
/** The list of the index's parts, which the page's script reads first. */
export const SEARCH_INDEX = 'search/index.json';
export const SEARCH_SCRIPTS = ['search/search.js', 'search/options.js', 'search/minisearch.js'] as const;

/**
 * Issues per part of the index, oldest first: a new issue changes only the newest part, so a
 * build indexes at most this many issues again (the others come from the page cache).
 */
export const ISSUES_PER_PART = 100;

/** The index's parts for this many published issues: search/part-0.json holds the oldest. */
export function searchPartPaths(publishedCount: number): string[] {
  return Array.from({ length: Math.ceil(publishedCount / ISSUES_PER_PART) }, (_, k) => `search/part-${k}.json`);
}
