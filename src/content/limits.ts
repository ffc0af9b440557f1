// What one issue file may cost. Every limit on an issue file lives here (and is documented in
// README, "Writing issues"), so that `check`, `build` and the worker refuse exactly the same
// files: a file over a limit is reported with one line and skipped, and never stops the others.

/** An issue file's size on disk. */
export const MAX_ISSUE_BYTES = 2 * 1024 * 1024;

/**
 * Tags and categories of one issue, together: each one gets its own feeds, and every topic feed
 * repeats the whole issue, so the output grows with (topics x issue size).
 */
export const MAX_TOPICS = 100;

/** The topic feeds one issue may fill: (tags + categories) x rendered size, x3 formats. */
export const MAX_TOPIC_FEED_BYTES = 50 * 1024 * 1024;

/**
 * A slug, tag or category, and each part of a bundle file's path, in bytes of UTF-8 (about 100
 * Latin or 33 Chinese characters): each becomes a folder or file name, so it stays far below the
 * file system's 255-byte NAME_MAX.
 */
export const MAX_NAME_BYTES = 100;

/** Values in the front matter once YAML aliases are expanded (a "billion laughs" file is tiny). */
export const MAX_FRONT_MATTER_VALUES = 10_000;

/** Characters of text in the front matter once aliases are expanded. */
export const MAX_FRONT_MATTER_CHARS = MAX_ISSUE_BYTES;

/** Lists and mappings nested in one another in the front matter. */
export const MAX_FRONT_MATTER_DEPTH = 20;

/** Elements nested in one another in the rendered body (quotes in quotes, lists in lists). */
export const MAX_HTML_DEPTH = 50;

/**
 * Wall time to read, parse and render one file in a loader thread. The Markdown parser can be
 * quadratic on hostile input; a real issue renders in milliseconds.
 */
export const MAX_LOAD_SECONDS = 5;

/** Heap of a loader thread: a file that needs more stops that thread, not the process. */
export const LOADER_HEAP_MB = 512;

/** Earliest year of an issue date: 0050-06-01 is a typo, not an issue from antiquity. */
export const MIN_YEAR = 1000;

/** Bytes of a name in UTF-8. */
export function nameBytes(name: string): number {
  return Buffer.byteLength(name, 'utf8');
}

/** The problem with a name that is too long to be a file name, or null; `what` is e.g. "a tag". */
export function nameTooLong(what: string, name: string): string | null {
  const bytes = nameBytes(name);
  if (bytes <= MAX_NAME_BYTES) return null;
  const shown = name.length > 40 ? `${name.slice(0, 37)}...` : name;
  return `"${shown}" is ${bytes} bytes long; ${what} may be at most ${MAX_NAME_BYTES} bytes of UTF-8 (about ${MAX_NAME_BYTES} Latin or ${Math.floor(MAX_NAME_BYTES / 3)} Chinese characters)`;
}
