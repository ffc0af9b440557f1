// One issue file -> an Issue or its problems. Kept apart from load.ts so a worker thread
// (load-worker.js) can run it without the folder walk; both paths share this exact code, so
// the output does not depend on where a file was loaded.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readFields } from './fields.js';
import { firstLine, FrontMatterError, isStackOverflow, splitFrontMatter } from './front-matter.js';
import { SLUG_PATTERN, type Issue, type Problem } from './issue.js';
import { MAX_HTML_DEPTH, MAX_ISSUE_BYTES, MAX_TOPIC_FEED_BYTES, nameTooLong } from './limits.js';
import { absoluteUrl, htmlNestingDepth, renderMarkdown, type Removal } from './markdown.js';

export { MAX_ISSUE_BYTES };

/** What loading a file needs from the config: plain data, so it can be sent to a worker. */
export interface LoadContext {
  root: string;
  siteUrl: string;
  timeZone: string;
}

export interface FileJob {
  file: string;
  /** The path as shown in problems. */
  display: string;
}

export type FileResult = { issue: Issue } | { problems: Problem[] };

/**
 * Loads one issue file: read, decode, split, validate, render. Synchronous on purpose: the work
 * is CPU-bound and runs in batches in a loader thread; sync reads of small files are much
 * cheaper in CPU than fs/promises. Whatever goes wrong becomes this file's problem: a parser's
 * exception never reaches the other files.
 */
export function loadIssueFile(context: LoadContext, job: FileJob): FileResult {
  try {
    return loadOrRefuse(context, job);
  } catch (err) {
    const message = isStackOverflow(err)
      ? 'nests too deeply to read (quotes, lists or emphasis inside one another)'
      : `could not be read: ${firstLine(err instanceof Error ? err.message : String(err))}`;
    return { problems: [{ file: job.display, message }] };
  }
}

function loadOrRefuse(context: LoadContext, job: FileJob): FileResult {
  const { root, siteUrl, timeZone } = context;
  const { file, display } = job;
  const fail = (message: string, line?: number, field?: string): FileResult => ({ problems: [{ file: display, line, field, message }] });

  const size = statSync(file).size;
  if (size > MAX_ISSUE_BYTES) {
    return fail(`file is ${megabytes(size)}; issue files are limited to ${megabytes(MAX_ISSUE_BYTES, 0)}`);
  }
  const decoded = decodeUtf8(readFileSync(file));
  if ('badLine' in decoded) {
    return fail('contains bytes that are not UTF-8 (save the file as UTF-8)', decoded.badLine);
  }

  let front;
  try {
    front = splitFrontMatter(decoded.text);
  } catch (err) {
    if (err instanceof FrontMatterError) return fail(err.message, err.line, err.field);
    throw err;
  }

  const { fields, problems: fieldProblems } = readFields(front.data, timeZone);
  const problems: Problem[] = fieldProblems.map((p) => ({ file: display, line: front.lineOf(p.field), field: p.field, message: p.message }));
  if (front.body.trim() === '') {
    problems.push({ file: display, line: front.bodyLine, message: 'the issue has no content after the front matter' });
  }

  const slug = fields?.slug ?? slugFromPath(root, file);
  if (fields && !fields.slug && !SLUG_PATTERN.test(slug)) {
    problems.push({
      file: display,
      field: 'slug',
      message: `"${slug}" (from the file name) may only use letters, digits, '.', '_' and '-'; set slug: in the front matter`,
    });
  } else if (fields && !fields.slug && nameTooLong('a slug', slug)) {
    problems.push({ file: display, field: 'slug', message: `${nameTooLong('a slug', slug)!} (from the file name); set slug: in the front matter` });
  }
  for (const message of bundleNameProblems(root, file)) problems.push({ file: display, message });
  const url = `${siteUrl}issues/${slug}/`;
  let cover: string | undefined;
  if (fields?.cover) {
    const absolute = absoluteUrl(fields.cover, url);
    if (absolute === null || absolute.startsWith('mailto:') || absolute.startsWith('#')) {
      problems.push({ file: display, line: front.lineOf('cover'), field: 'cover', message: `"${fields.cover}" is not an image URL (expected https://...)` });
    } else {
      cover = absolute;
    }
  }
  if (problems.length > 0 || !fields) return { problems };

  const removed: Removal[] = [];
  const html = renderMarkdown(front.body, url, removed);
  const depth = htmlNestingDepth(html);
  if (depth > MAX_HTML_DEPTH) {
    return fail(`the Markdown nests ${depth} levels deep (quotes, lists or emphasis inside one another); at most ${MAX_HTML_DEPTH} are allowed`, front.bodyLine);
  }
  const topics = new Set([...fields.tags, ...fields.categories]).size;
  const topicFeedBytes = topics * 3 * Buffer.byteLength(html);
  if (topicFeedBytes > MAX_TOPIC_FEED_BYTES) {
    const allowed = Math.floor(MAX_TOPIC_FEED_BYTES / (3 * Buffer.byteLength(html)));
    return fail(
      `${topics} tags and categories on an issue of ${megabytes(Buffer.byteLength(html))} of HTML: every topic feed repeats the whole issue, so an issue this long may have at most ${allowed}`,
      front.lineOf('tags') ?? front.lineOf('categories'),
      fields.tags.length > 0 ? 'tags' : 'categories',
    );
  }

  return {
    issue: {
      slug,
      sourcePath: display,
      title: fields.title,
      date: fields.date,
      sendAt: fields.sendAt,
      description: fields.description,
      tags: fields.tags,
      categories: fields.categories,
      cover,
      authors: fields.authors,
      draft: fields.draft,
      lang: fields.lang,
      email: fields.email,
      markdown: front.body,
      bodyLine: front.bodyLine,
      removed: removed.map(({ what, line }) => (line === undefined ? { what } : { what, line: line + front.bodyLine - 1 })),
      html,
      url,
      extra: fields.extra,
    },
  };
}

/** Strips a BOM and normalizes CRLF/CR line endings; reports the first line with invalid UTF-8. */
function decodeUtf8(bytes: Buffer): { text: string } | { badLine: number } {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    return { text: decoder.decode(bytes).replace(/\r\n?/g, '\n') };
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, i));
        } catch {
          return { badLine: line };
        }
        line++;
        start = i + 1;
      }
    }
    return { badLine: 1 };
  }
}

function slugFromPath(root: string, file: string): string {
  const relative = path.relative(root, file);
  const parsed = path.parse(relative);
  // A Hugo bundle (<name>/index.md) takes its folder's name.
  if (parsed.name === 'index' && parsed.dir !== '') return path.basename(parsed.dir);
  return parsed.name;
}

/**
 * The files of a Hugo bundle are published beside the issue page under their own names (see
 * src/build/bundles.ts), so every name must be safe as a file name and in a URL: checked here,
 * where `check` sees it too, rather than failing the whole build.
 */
function bundleNameProblems(root: string, file: string): string[] {
  const dir = path.dirname(file);
  if (path.basename(file) !== 'index.md' || path.resolve(dir) === path.resolve(root)) return [];
  const problems: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const rel = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    // Dotfiles are never published; their names do not matter.
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    const why = /[\\\u0000-\u001f\u007f]/.test(entry.name)
      ? 'a backslash or a control character in a file name breaks its URL; rename the file'
      : nameTooLong('a file name', entry.name);
    if (why) problems.push(`bundle file ${JSON.stringify(rel.length > 60 ? `${rel.slice(0, 57)}...` : rel)}: ${why}`);
  }
  return problems;
}

function megabytes(bytes: number, digits = 1): string {
  return `${(bytes / 1024 / 1024).toFixed(digits)} MB`;
}
