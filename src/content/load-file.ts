// One issue file -> an Issue or its problems. Kept apart from load.ts so a worker thread
// (load-worker.js) can run it without the folder walk; both paths share this exact code, so
// the output does not depend on where a file was loaded.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readFields } from './fields.js';
import { FrontMatterError, splitFrontMatter } from './front-matter.js';
import { SLUG_PATTERN, type Issue, type Problem } from './issue.js';
import { absoluteUrl, renderMarkdown } from './markdown.js';

export const MAX_ISSUE_BYTES = 2 * 1024 * 1024;

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

/** Loads one issue file: read, decode, split, validate, render. Synchronous on purpose: the work is CPU-bound and runs in batches (in this thread or a worker); sync reads of small files are much cheaper in CPU than fs/promises. */
export function loadIssueFile(context: LoadContext, job: FileJob): FileResult {
  const { root, siteUrl, timeZone } = context;
  const { file, display } = job;
  const fail = (message: string, line?: number, field?: string): FileResult => ({ problems: [{ file: display, line, field, message }] });

  const size = statSync(file).size;
  if (size > MAX_ISSUE_BYTES) {
    return fail(`file is ${(size / 1024 / 1024).toFixed(1)} MB; issue files are limited to 2 MB`);
  }
  const decoded = decodeUtf8(readFileSync(file));
  if ('badLine' in decoded) {
    return fail('contains bytes that are not UTF-8 (save the file as UTF-8)', decoded.badLine);
  }

  let front;
  try {
    front = splitFrontMatter(decoded.text);
  } catch (err) {
    if (err instanceof FrontMatterError) return fail(err.message, err.line);
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
  }
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

  return {
    issue: {
      slug,
      sourcePath: display,
      title: fields.title,
      date: fields.date,
      description: fields.description,
      tags: fields.tags,
      categories: fields.categories,
      cover,
      authors: fields.authors,
      draft: fields.draft,
      lang: fields.lang,
      email: fields.email,
      markdown: front.body,
      html: renderMarkdown(front.body, url),
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

