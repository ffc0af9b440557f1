// Loader thread entry (see loadInThreads in load.ts): every issue file is read, parsed and
// rendered in one of these, never in the thread that serves HTTP or runs the worker's ticks.
// Plain JavaScript on purpose: a worker starts without the parent's TypeScript loader (the CLI
// registers tsx through its API, vitest through its own runner), so this file registers tsx
// for its own thread and then imports the TypeScript module that does the work.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';

register();
const { loadIssueFile } = await import('./load-file.ts');

// Messages: [{ index, job }, ...] -> one { index, result } per file, as soon as it is loaded, so
// the parent knows which file this thread is on (and can stop it if that takes too long).
parentPort.on('message', (batch) => {
  for (const { index, job } of batch) {
    const result = loadIssueFile(workerData, job);
    try {
      parentPort.postMessage({ index, result });
    } catch (err) {
      parentPort.postMessage({ index, result: { problems: [{ file: job.display, message: `could not be read: ${String(err?.message ?? err).split('\n')[0]}` }] } });
    }
  }
});
parentPort.postMessage('ready');
