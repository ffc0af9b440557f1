// Issue files -> validated, rendered issues. A bad file becomes problems and is skipped;
// it never stops the other files from loading.
import { readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createContext, Script } from 'node:vm';
import type { Worker } from 'node:worker_threads';
import { compiledEntry } from '../compiled-entry.js';
import type { Config } from '../config/config.js';
import { cacheKey, openCache, saveCache } from './cache.js';
import { knownAs } from './issue-digest.js';
import type { Issue, Problem } from './issue.js';
import { LOADER_HEAP_MB, MAX_ISSUE_BYTES, MAX_LOAD_SECONDS } from './limits.js';
import type { FileJob, FileResult, LoadContext } from './load-file.js';

/**
 * Up to this many files, one loader thread: a thread costs ~0.5 s of CPU to boot (tsx and the
 * Markdown libraries), and bench/build measured no wall-time gain at 1,000 and 2,000 files on 2
 * cores (0.8x of one thread's wall time at 10,000). See BENCHMARKS.md, build.
 */
export const PARALLEL_MIN_FILES = 2000;
/** Files per message to a thread: small enough to balance the threads, big enough to keep messages rare. */
export const BATCH = 16;

export interface LoadResult {
  /** Every valid issue, drafts and scheduled ones included, newest first. */
  issues: Issue[];
  problems: Problem[];
  /** Not problems, but worth one line each: issue files that are symbolic links, skipped. */
  warnings: Problem[];
  /** How many files came from the render cache (LoadOptions.cache) instead of being rendered. */
  cached: number;
}

export interface LoadOptions {
  /**
   * Loader threads that read, parse and render files; 0 = this thread, each file under the same
   * time limit. Default: every available core when the folder holds more than
   * PARALLEL_MIN_FILES files, else 0 (a thread costs ~1 s of CPU to boot).
   */
  threads?: number;
  /**
   * This thread serves HTTP or ticks the worker, so it never parses a file itself: at least one
   * loader thread, even for a small folder.
   */
  keepThisThreadFree?: boolean;
  /**
   * Reuse issues rendered by an earlier load from the render cache in the data folder (cache.ts),
   * and save this load's issues there (`check` and `build` ask for it). Default false: a cold
   * load that writes nothing. Ignored with keepThisThreadFree: hashing every file would be sync
   * work on the thread that serves HTTP.
   */
  cache?: boolean;
}

const TOO_SLOW = `took longer than ${MAX_LOAD_SECONDS} s to read and render (Markdown too complex, e.g. very long runs of * or _); skipped`;

export async function loadIssues(config: Config, options: LoadOptions = {}): Promise<LoadResult> {
  const root = config.issuesDir;
  const { files, links } = await scanIssuesFolder(root);
  const warnings = links.map((file): Problem => ({ file: displayPath(file), message: 'is a symbolic link; skipped (issue files must be regular files)' }));
  const context: LoadContext = { root, siteUrl: config.site.url, timeZone: config.site.timeZone };
  const jobs: FileJob[] = files.map((file) => ({ file, display: displayPath(file) }));
  const wanted = Math.max(0, Math.floor(options.threads ?? (files.length > PARALLEL_MIN_FILES ? os.availableParallelism() : 0)));
  const threads = options.keepThisThreadFree ? Math.max(1, wanted) : wanted;
  // Results keep the sorted file order whichever thread loaded a file, so problems and
  // duplicate-slug choices do not depend on the number of threads.
  const known = await knownStoppers(jobs);
  const cache = options.cache && !options.keepThisThreadFree ? openCache(config.dataDir) : undefined;
  if (cache?.warning) warnings.push(cache.warning);
  const keys = cache ? jobs.map((job) => keyOf(context, job)) : [];
  let hits = 0;
  keys.forEach((key, index) => {
    const cached = key === undefined ? undefined : cache!.known.get(key);
    if (cached && !known.has(index)) known.set(index, { issue: cached }), hits++;
  });
  const results = jobs.length === 0 ? [] : threads === 0 ? await loadHere(context, jobs, known) : await loadInThreads(context, jobs, threads, known);
  const problems: Problem[] = [];
  const issues: Issue[] = [];
  const rendered = new Map<string, Issue>();
  results.forEach((result, index) => {
    if ('issue' in result) {
      issues.push(result.issue);
      const key = keys[index];
      if (key !== undefined) {
        rendered.set(key, result.issue);
        knownAs(result.issue, key);
      }
    } else problems.push(...result.problems);
  });
  if (cache) {
    const failed = saveCache(cache, rendered);
    if (failed) warnings.push(failed);
  }
  const unique = dropDuplicateSlugs(issues, problems);
  unique.sort(newestFirst);
  return { issues: unique, problems, warnings, cached: hits };
}

/**
 * The cache key of a file, or undefined for a file the cache does not hold: too big (refused
 * without reading it), unreadable, or a bundle (its problems depend on the folder's other files).
 */
function keyOf(context: LoadContext, job: FileJob): string | undefined {
  if (path.basename(job.file) === 'index.md' && path.resolve(path.dirname(job.file)) !== path.resolve(context.root)) return undefined;
  try {
    if (statSync(job.file).size > MAX_ISSUE_BYTES) return undefined;
    return cacheKey(context, job.file, job.display, readFileSync(job.file));
  } catch {
    return undefined;
  }
}

export function findIssue(issues: Issue[], slug: string): Issue | undefined {
  return issues.find((issue) => issue.slug === slug);
}

/** The issue files, and the symbolic links that are named like issue files (never followed). */
/** The issues folder itself cannot be read (missing, not a folder, no permission): a setting to fix, not a bug. */
export class IssuesFolderError extends Error {}

async function scanIssuesFolder(root: string): Promise<{ files: string[]; links: string[] }> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (err) {
    throw new IssuesFolderError(`${root}: cannot read the issues folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const named = entries.filter((entry) => entry.name.endsWith('.md') && !entry.name.startsWith('_'));
  const markdown = named.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  const links = named.filter((entry) => entry.isSymbolicLink()).map((entry) => path.join(entry.parentPath, entry.name));
  // As in Hugo, a folder with an index.md is one issue (a leaf bundle): other Markdown files
  // inside it are the bundle's resources, not issues of their own.
  const top = path.resolve(root);
  const bundles = new Set(
    markdown
      .filter((file) => path.basename(file) === 'index.md')
      .map((file) => path.resolve(path.dirname(file)))
      .filter((dir) => dir !== top),
  );
  const insideBundle = (file: string) => {
    if (path.basename(file) === 'index.md' && bundles.has(path.resolve(path.dirname(file)))) return false;
    for (let dir = path.resolve(path.dirname(file)); dir !== top && dir.startsWith(top); dir = path.dirname(dir)) {
      if (bundles.has(dir)) return true;
    }
    return false;
  };
  return { files: markdown.filter((file) => !insideBundle(file)).sort(), links: links.filter((file) => !insideBundle(file)).sort() };
}

function displayPath(file: string): string {
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
 * One file after the other in this thread (one-shot commands: check, build, send, preview). The
 * Markdown parser is synchronous and can be quadratic on hostile input; a vm timeout interrupts
 * whatever runs inside it, so a file over MAX_LOAD_SECONDS is stopped and reported the same way
 * a loader thread's would be. The files load in as few vm calls as that allows: each call with a
 * timeout starts a watchdog thread of its own (one per file cost ~0.5 ms, half a second of a
 * thousand-file build), so one call loads file after file until one of them is interrupted. That
 * file is too slow only if it had the whole time to itself; else it starts the next call.
 */
async function loadHere(context: LoadContext, jobs: FileJob[], known: Map<number, FileResult>): Promise<FileResult[]> {
  // Imported here, and only when a file needs it: a process whose files load in threads
  // (`pressroom start`), or whose files are all in the render cache, never loads the Markdown libraries.
  if (jobs.every((_, index) => known.has(index))) return jobs.map((_, index) => known.get(index)!);
  const { loadIssueFile } = await import('./load-file.js');
  const results = jobs.map((_, index) => known.get(index));
  let next = 0;
  const sandbox = createContext({
    load: () => {
      for (; next < jobs.length; next++) results[next] ??= loadIssueFile(context, jobs[next]!);
    },
  });
  const call = new Script('load()');
  while (next < jobs.length) {
    const first = next;
    try {
      call.runInContext(sandbox, { timeout: MAX_LOAD_SECONDS * 1000 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw err;
      if (next === first) {
        const job = jobs[next++]!;
        results[first] = { problems: [{ file: job.display, message: TOO_SLOW }] };
        remember(job.file, results[first]);
      }
    }
  }
  return results as FileResult[];
}

/**
 * For a process that serves HTTP (`pressroom start`), or a big folder, files are read, parsed
 * and rendered in loader threads, never in this one. A thread that spends more than MAX_LOAD_SECONDS on
 * one file, or dies on it (out of memory), is terminated; that file gets a problem, its other
 * files go back to the queue, and a fresh thread takes over. Each thread gets batches of files
 * from one queue (two batches in flight, so it never waits for this thread) and answers file
 * by file, so this thread always knows which file a thread is working on, and since when.
 */
async function loadInThreads(context: LoadContext, jobs: FileJob[], threads: number, known: Map<number, FileResult>): Promise<FileResult[]> {
  const { Worker } = await import('node:worker_threads');
  const results = new Array<FileResult | undefined>(jobs.length);
  let answered = 0;
  let next = 0;
  for (const [index, result] of known) (results[index] = result), answered++;
  if (answered === jobs.length) return results as FileResult[];
  /** Files handed back by a thread that was stopped, to be loaded first. */
  const requeued: number[] = [];
  const take = (): number[] => {
    const batch = requeued.splice(0, BATCH);
    while (batch.length < BATCH && next < jobs.length) {
      const index = next++;
      if (results[index] === undefined) batch.push(index);
    }
    return batch;
  };
  const remaining = () => requeued.length > 0 || next < jobs.length;

  interface LoaderThread {
    worker: Worker;
    /** Files sent and not answered yet, in the order the thread loads them. */
    assigned: number[];
    /** When the thread started on assigned[0]. */
    since: number;
    gone: boolean;
  }
  const pool = new Set<LoaderThread>();
  let failure: { error: unknown } | undefined;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const settle = () => {
    if (failure !== undefined || answered === jobs.length) finish();
  };

  const record = (index: number, result: FileResult) => {
    if (results[index] !== undefined) return;
    results[index] = result;
    answered++;
  };
  const send = (thread: LoaderThread) => {
    const batch = take();
    if (batch.length === 0) return;
    if (thread.assigned.length === 0) thread.since = Date.now();
    thread.assigned.push(...batch);
    thread.worker.postMessage(batch.map((index) => ({ index, job: jobs[index]! })));
  };
  /** Ends a thread; the file it was on gets `problem` (if any), its other files go back to the queue. */
  const retire = (thread: LoaderThread, problem: string | null) => {
    if (thread.gone) return;
    thread.gone = true;
    pool.delete(thread);
    void thread.worker.terminate();
    const [current, ...rest] = thread.assigned;
    if (current !== undefined && problem !== null) {
      const result = { problems: [{ file: jobs[current]!.display, message: problem }] };
      record(current, result);
      remember(jobs[current]!.file, result);
    }
    requeued.unshift(...rest);
    if (current === undefined && problem !== null) failure ??= { error: new Error(`an issue loading thread stopped: ${problem}`) };
    if (failure === undefined && remaining() && pool.size < threads) start();
    settle();
  };
  const start = () => {
    const worker = new Worker(compiledEntry(import.meta.url, './load-worker.js'), {
      workerData: context,
      // The stack of a main thread (V8's default ~1 MB, not a worker's 4 MB), so a file nests
      // too deeply in a loader thread exactly when it does in this one.
      resourceLimits: { maxOldGenerationSizeMb: LOADER_HEAP_MB, stackSizeMb: 1 },
    });
    const thread: LoaderThread = { worker, assigned: [], since: Date.now(), gone: false };
    pool.add(thread);
    worker.on('message', (message: 'ready' | { index: number; result: FileResult }) => {
      if (thread.gone) return;
      if (message === 'ready') return (send(thread), send(thread));
      thread.assigned.shift();
      thread.since = Date.now();
      record(message.index, message.result);
      send(thread);
      settle();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      retire(thread, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `needs more than ${LOADER_HEAP_MB} MB of memory to load; skipped` : `stopped the loader (${err.message})`);
    });
    worker.on('exit', (code) => retire(thread, `stopped the loader (exit code ${code})`));
  };

  const watchdog = setInterval(() => {
    const now = Date.now();
    for (const thread of pool) {
      if (thread.assigned.length > 0 && now - thread.since > MAX_LOAD_SECONDS * 1000) {
        retire(thread, TOO_SLOW);
      }
    }
  }, 100);
  try {
    for (let i = 0; i < Math.min(threads, jobs.length); i++) start();
    await finished;
  } finally {
    clearInterval(watchdog);
    const stopping = [...pool];
    for (const thread of stopping) thread.gone = true;
    await Promise.all(stopping.map((thread) => thread.worker.terminate()));
  }
  if (failure !== undefined) throw failure.error;
  return results as FileResult[];
}

/**
 * Files that stopped a loader thread (too slow, out of memory), by path, with the size and
 * modification time they had: the worker ticks every few minutes, and a file that takes 5 s of
 * CPU to refuse is refused from here until it changes (or the process restarts).
 */
const stoppers = new Map<string, { size: number; mtimeMs: number; result: FileResult }>();

function remember(file: string, result: FileResult): void {
  try {
    const { size, mtimeMs } = statSync(file);
    stoppers.set(file, { size, mtimeMs, result });
  } catch {
    // Gone already: nothing to remember.
  }
}

/** Job index -> the remembered result, for the files that stopped a thread and did not change since. */
async function knownStoppers(jobs: FileJob[]): Promise<Map<number, FileResult>> {
  const known = new Map<number, FileResult>();
  if (stoppers.size === 0) return known;
  await Promise.all(
    jobs.map(async ({ file }, index) => {
      const entry = stoppers.get(file);
      if (!entry) return;
      const now = await stat(file).catch(() => null);
      if (now && now.size === entry.size && now.mtimeMs === entry.mtimeMs) known.set(index, entry.result);
      else stoppers.delete(file);
    }),
  );
  return known;
}
