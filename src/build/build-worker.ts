// The build thread's entry (build-thread.ts): one buildSite, its result posted back, then the
// thread ends and its memory with it.
import { parentPort, workerData } from 'node:worker_threads';
import type { BuildAnswer, BuildRequest } from './build-thread.js';
import { buildSite } from './site.js';

const { config, issues, now } = workerData as BuildRequest;
let answer: BuildAnswer;
try {
  answer = { ok: true, result: await buildSite(config, issues, { now }) };
} catch (err) {
  answer = { ok: false, message: err instanceof Error ? err.message : String(err) };
}
parentPort!.postMessage(answer);
