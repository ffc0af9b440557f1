// Issue files -> validated, rendered issues. A bad file becomes problems and is skipped;
// it never stops the other files from loading.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { readFields } from './fields.js';
import { FrontMatterError, splitFrontMatter } from './front-matter.js';
import type { Issue, Problem } from './issue.js';
import { absoluteUrl, renderMarkdown } from './markdown.js';

export const MAX_ISSUE_BYTES = 2 * 1024 * 1024;
const READ_CONCURRENCY = 32;

export interface LoadResult {
  /** Every valid issue, drafts and scheduled ones included, newest first. */
  issues: Issue[];
  problems: Problem[];
}

export async function loadIssues(config: Config): Promise<LoadResult> {
  const root = config.issuesDir;
  const files = await findIssueFiles(root);
  // Files are read concurrently (bounded) so disk waits overlap the CPU work of rendering;
  // results keep the sorted file order, so problems and duplicate-slug choices are stable.
  const results = await mapConcurrently(files, READ_CONCURRENCY, (file) => loadIssueFile(config, root, file, displayPath(root, file)));
  const problems: Problem[] = [];
  const issues: Issue[] = [];
  for (const result of results) {
    if ('issue' in result) issues.push(result.issue);
    else problems.push(...result.problems);
  }
  const unique = dropDuplicateSlugs(issues, problems);
  unique.sort(newestFirst);
  return { issues: unique, problems };
}

export function findIssue(issues: Issue[], slug: string): Issue | undefined {
  return issues.find((issue) => issue.slug === slug);
}

/** `issues/<name>.md` and Hugo bundles `issues/<name>/index.md`, at any depth, in a stable order. */
export async function findIssueFiles(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    throw new Error(`${root}: cannot read the issues folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const markdown = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && !entry.name.startsWith('_'))
    .map((entry) => path.join(entry.parentPath, entry.name));
  // As in Hugo, a folder with an index.md is one issue (a leaf bundle): other Markdown files
  // inside it are the bundle's resources, not issues of their own.
  const top = path.resolve(root);
  const bundles = new Set(
    markdown.filter((file) => path.basename(file) === 'index.md').map((file) => path.resolve(path.dirname(file))).filter((dir) => dir !== top),
  );
  const insideBundle = (file: string) => {
    if (path.basename(file) === 'index.md' && bundles.has(path.resolve(path.dirname(file)))) return false;
    for (let dir = path.resolve(path.dirname(file)); dir !== top && dir.startsWith(top); dir = path.dirname(dir)) {
      if (bundles.has(dir)) return true;
    }
    return false;
  };
  return markdown.filter((file) => !insideBundle(file)).sort();
}

type FileResult = { issue: Issue } | { problems: Problem[] };

async function loadIssueFile(config: Config, root: string, file: string, display: string): Promise<FileResult> {
  const fail = (message: string, line?: number, field?: string): FileResult => ({ problems: [{ file: display, line, field, message }] });

  const size = (await stat(file)).size;
  if (size > MAX_ISSUE_BYTES) {
    return fail(`file is ${(size / 1024 / 1024).toFixed(1)} MB; issue files are limited to 2 MB`);
  }
  const decoded = decodeUtf8(await readFile(file));
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

  const { fields, problems: fieldProblems } = readFields(front.data, config.site.timeZone);
  const problems: Problem[] = fieldProblems.map((p) => ({ file: display, line: front.lineOf(p.field), field: p.field, message: p.message }));
  if (front.body.trim() === '') {
    problems.push({ file: display, line: front.bodyLine, message: 'the issue has no content after the front matter' });
  }

  const slug = fields?.slug ?? slugFromPath(root, file);
  if (fields && !fields.slug && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(slug)) {
    problems.push({
      file: display,
      field: 'slug',
      message: `"${slug}" (from the file name) may only use letters, digits, '.', '_' and '-'; set slug: in the front matter`,
    });
  }
  const url = `${config.site.url}issues/${slug}/`;
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

function displayPath(root: string, file: string): string {
  const relative = path.relative(process.cwd(), file);
  const shown = relative.startsWith('..') ? file : relative;
  return shown.split(path.sep).join('/');
}

/** Keeps the first file (in path order) for each slug; later ones are reported and skipped. */
function dropDuplicateSlugs(issues: Issue[], problems: Problem[]): Issue[] {
  const bySlug = new Map<string, Issue>();
  for (const issue of issues) {
    const first = bySlug.get(issue.slug);
    if (first) {
      problems.push({ file: issue.sourcePath, field: 'slug', message: `duplicate slug "${issue.slug}": already used by ${first.sourcePath}` });
    } else {
      bySlug.set(issue.slug, issue);
    }
  }
  return [...bySlug.values()];
}

function newestFirst(a: Issue, b: Issue): number {
  return b.date.epochMs - a.date.epochMs || a.slug.localeCompare(b.slug);
}

async function mapConcurrently<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
