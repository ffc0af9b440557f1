// Issue files -> validated, rendered issues. A bad file becomes problems and is skipped;
// it never stops the other files from loading.
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';
import type { Issue, Problem } from './issue.js';
import { loadIssueFile, type FileJob, type FileResult, type LoadContext } from './load-file.js';

export { MAX_ISSUE_BYTES } from './load-file.js';

/**
 * Up to this many files, one thread: a worker costs ~0.5 s of CPU to boot (tsx and the Markdown
 * libraries), and bench/build measured no wall-time gain at 1,000 and 2,000 files on 2 cores
 * (0.8x of one thread's wall time at 10,000). See BENCHMARKS.md, build.
 */
export const PARALLEL_MIN_FILES = 2000;
/** Files per message to a worker: small enough to balance the threads, big enough to keep messages rare. */
export const BATCH = 16;

export interface LoadResult {
  /** Every valid issue, drafts and scheduled ones included, newest first. */
  issues: Issue[];
  problems: Problem[];
}

export interface LoadOptions {
  /**
   * Threads that parse and render files: 1 = this thread only. Default: every available core
   * when the folder holds more than PARALLEL_MIN_FILES files, else 1.
   */
  threads?: number;
  /** For tests: this thread only hands out files, so every file goes through a worker. */
  workersOnly?: boolean;
}

export async function loadIssues(config: Config, options: LoadOptions = {}): Promise<LoadResult> {
  const root = config.issuesDir;
  const files = await findIssueFiles(root);
  const context: LoadContext = { root, siteUrl: config.site.url, timeZone: config.site.timeZone };
  const jobs: FileJob[] = files.map((file) => ({ file, display: displayPath(root, file) }));
  const threads = Math.max(1, Math.floor(options.threads ?? (files.length > PARALLEL_MIN_FILES ? os.availableParallelism() : 1)));
  // Results keep the sorted file order whichever thread loaded a file, so problems and
  // duplicate-slug choices are the same as loading everything here.
  const results = threads > 1 ? await loadInThreads(context, jobs, threads, options.workersOnly === true) : jobs.map((job) => loadIssueFile(context, job));
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

/**
 * Parsing Markdown and sanitizing HTML is CPU-bound, so a big folder is spread over worker
 * threads: this thread and `threads - 1` workers take batches of files from one queue until
 * it is empty. This thread starts at once; a worker takes its first batch only once it has
 * booted (~0.5 s of CPU: tsx and the Markdown libraries), so a slow boot never holds files back.
 */
async function loadInThreads(context: LoadContext, jobs: FileJob[], threads: number, workersOnly: boolean): Promise<FileResult[]> {
  const { Worker } = await import('node:worker_threads');
  const results = new Array<FileResult>(jobs.length);
  let next = 0;
  const take = (): number | null => {
    if (failure !== undefined || next >= jobs.length) return null;
    const start = next;
    next = Math.min(jobs.length, next + BATCH);
    return start;
  };
  let failure: { error: unknown } | undefined;
  let wake: () => void = () => {};
  /** Batches sent to each worker and not answered yet. */
  const inFlight = new Map<Worker, number>();
  let closing = false;

  const workers = Array.from({ length: threads - 1 }, () => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: context, execArgv: workerExecArgv() });
    const fail = (error: unknown) => {
      failure ??= { error };
      inFlight.delete(worker);
      wake();
    };
    const send = () => {
      const start = take();
      if (start !== null) {
        inFlight.set(worker, (inFlight.get(worker) ?? 0) + 1);
        worker.postMessage({ start, jobs: jobs.slice(start, start + BATCH) });
      } else if (!inFlight.get(worker)) {
        inFlight.delete(worker);
        wake();
      }
    };
    worker.on('message', (message: 'ready' | { start: number; results?: FileResult[]; error?: unknown }) => {
      // Two batches per worker: while it works on one, the next already waits in its queue,
      // so it never idles waiting for this thread to finish a batch of its own.
      if (message === 'ready') return (send(), send());
      if (message.error !== undefined) return fail(message.error);
      message.results!.forEach((result, i) => (results[message.start + i] = result));
      inFlight.set(worker, inFlight.get(worker)! - 1);
      send();
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`an issue loading thread stopped with exit code ${code}`));
    });
    return worker;
  });

  try {
    for (let start = workersOnly ? null : take(); start !== null; start = take()) {
      const end = Math.min(jobs.length, start + BATCH);
      for (let i = start; i < end; i++) results[i] = loadIssueFile(context, jobs[i]!);
      await nextTurn(); // let the workers' answers in
    }
    // The queue is empty: wait for the batches still out in workers (not for workers still booting).
    const waiting = () => inFlight.size > 0 || (workersOnly && next < jobs.length && failure === undefined);
    while (waiting()) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    closing = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (failure !== undefined) throw failure.error;
  return results;
}

/**
 * The worker registers tsx itself (load-worker.js); flags that would load tsx a second time
 * (`node --import tsx`, inherited by default) are left out.
 */
function workerExecArgv(): string[] {
  const args: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (/^--(import|loader|experimental-loader|require)$/.test(arg) && /(^|[/\\])tsx([/\\]|$)/.test(argv[i + 1] ?? '')) {
      i++;
      continue;
    }
    if (/^--(import|loader|experimental-loader|require)=.*(^|[=/\\])tsx([/\\]|$)/.test(arg)) continue;
    args.push(arg);
  }
  return args;
}
