// The build thread's entry (build-thread.ts): one buildSite, its result posted back, then the
// thread ends and its memory with it.
import { workerData } from 'node:worker_threads';
import { answerParent } from '../compiled-entry.js';
import type { BuildRequest } from './build-thread.js';
import { buildSite } from './site.js';

const { config, issues, now } = workerData as BuildRequest;
await answerParent(() => buildSite(config, issues, { now }));
