// The long-running service builds the site in a worker thread of its own (build-worker.ts): the
// renderers, templates, search index and compression are loaded and allocate there, and all of it
// is freed when the thread ends, so between builds the service holds only what serving needs
// (issue 12: `start` idle under 100 MB). The CLI's `build` runs buildSite in its own thread: it
// exits afterwards anyway.
import { oneShotThread } from '../compiled-entry.js';
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import type { BuildResult } from './site.js';

/** What build-worker.ts receives. */
export interface BuildRequest {
  config: Config;
  issues: Issue[];
  now?: number;
}

/** buildSite(config, issues, { now }) in a thread that ends with it; a failure rejects with the build's own message. */
export function buildSiteInThread(config: Config, issues: Issue[], options: { now?: number } = {}): Promise<BuildResult> {
  const request: BuildRequest = { config, issues, now: options.now };
  return oneShotThread<BuildResult>(import.meta.url, './build-worker.js', request);
}
