// The content model: what one issue file becomes once read, validated and rendered.
// Feeds, the archive, email and delivery all consume this plain data and nothing else.

/** What a slug may contain: it names the issue's folder in the archive and its campaign. */
export const SLUG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface IssueDate {
  /** RFC 3339 with the author's own offset, e.g. 2022-11-04T15:00:00+08:00 */
  iso: string;
  /** The same instant in milliseconds since the epoch. */
  epochMs: number;
  /** The author's offset as written in RFC 3339 form, e.g. "+08:00" or "Z". */
  offset: string;
}

export interface IssueAuthor {
  name: string;
  url?: string;
  email?: string;
}

export interface Issue {
  /** Stable identifier: front matter `slug`, else derived from the path. Never changes once published. */
  slug: string;
  /** Path of the source file as shown in messages (relative to the working directory when inside it). */
  sourcePath: string;
  title: string;
  /** Publication on the web (feeds, archive); also the send time when `sendAt` is not set. */
  date: IssueDate;
  /** front matter `send_at`: when the worker emails the issue (never before `date`). */
  sendAt?: IssueDate;
  description?: string;
  tags: string[];
  categories: string[];
  /** Absolute URL of the cover image. */
  cover?: string;
  authors: IssueAuthor[];
  draft: boolean;
  lang?: string;
  /** false = feeds and archive only, never emailed. */
  email: boolean;
  /** The Markdown body as written (front matter removed). */
  markdown: string;
  /** 1-based line of the source file where `markdown` starts (after the front matter). */
  bodyLine: number;
  /** What the sanitizer removed from the body (an iframe, a script, a data: image), with the file's line when found: `check` reports it. */
  removed: Array<{ what: string; line?: number }>;
  /** Sanitized HTML with absolute URLs, safe for feeds, the archive and email. */
  html: string;
  /** Absolute URL of the issue's archive page. */
  url: string;
  /** Front matter fields Pressroom does not know; kept, ignored. */
  extra: Record<string, unknown>;
}

/** One problem in one issue file, printed as one line. */
export interface Problem {
  /** Display path of the file, e.g. issues/2022-11-04.md */
  file: string;
  line?: number;
  field?: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  const line = p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
  // One problem, one line: a file or field named with a newline must not split it.
  return line.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export { isPublished } from '../domain/publication.js';

export { issueTopics } from '../domain/topics.js';
