// The long-running service builds the site in a worker thread of its own (build-worker.ts): the
// renderers, templates, search index and compression are loaded and allocate there, and all of it
// is freed when the thread ends, so between builds the service holds only what serving needs
// (issue 12: `start` idle under 100 MB). The CLI's `build` runs buildSite in its own thread: it
// exits afterwards anyway.
import { Worker } from 'node:worker_threads';
import { compiledEntry } from '../compiled-entry.js';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import type { BuildResult } from './site.js';

/** What build-worker.ts receives. */
export interface BuildRequest {
  config: Config;
  issues: Issue[];
  now?: number;
}

/** What build-worker.ts answers: the build's result, or the one-line message of what stopped it. */
export type BuildAnswer = { ok: true; result: BuildResult } | { ok: false; message: string };

/** buildSite(config, issues, { now }) in a thread that ends with it; a failure rejects with the build's own message. */
export function buildSiteInThread(config: Config, issues: Issue[], options: { now?: number } = {}): Promise<BuildResult> {
  return new Promise((resolve, reject) => {
    const request: BuildRequest = { config, issues, now: options.now };
    const worker = new Worker(compiledEntry(import.meta.url, './build-worker.js'), { workerData: request });
    let answered = false;
    worker.once('message', (answer: BuildAnswer) => {
      answered = true;
      if (answer.ok) resolve(answer.result);
      else reject(new Error(answer.message));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the build thread stopped (exit code ${code})`));
    });
  });
}
