// Worker thread entry for loading issue files in parallel (see loadInThreads in load.ts).
// Plain JavaScript on purpose: a worker starts without the parent's TypeScript loader (the CLI
// registers tsx through its API, vitest through its own runner), so this file registers tsx
// for its own thread and then imports the TypeScript module that does the work.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { loadIssueFile } = await import('./load-file.ts');

// Messages: { start, jobs } -> { start, results } or { start, error } (the error of the first
// file that threw, as loading in-process would have thrown it).
parentPort.on('message', ({ start, jobs }) => {
  let results;
  try {
    results = jobs.map((job) => loadIssueFile(workerData, job));
  } catch (error) {
    parentPort.postMessage({ start, error });
    return;
  }
  parentPort.postMessage({ start, results });
});
parentPort.postMessage('ready');
