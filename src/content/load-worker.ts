// Loader thread entry (see loadInThreads in load.ts): every issue file is read, parsed and
// rendered in one of these, never in the thread that serves HTTP or runs the worker's ticks.
// A thread runs the compiled file (dist/content/load-worker.js), the tests' threads too: see
// compiled-entry.ts.
import { parentPort as parent, workerData } from 'node:worker_threads';
import { loadIssueFile, type FileJob, type FileResult, type LoadContext } from './load-file.js';

const parentPort = parent!;
const context = workerData as LoadContext;

// Messages: [{ index, job }, ...] -> one { index, result } per file, as soon as it is loaded, so
// the parent knows which file this thread is on (and can stop it if that takes too long).
parentPort.on('message', (batch: Array<{ index: number; job: FileJob }>) => {
  for (const { index, job } of batch) {
    const result: FileResult = loadIssueFile(context, job);
    try {
      parentPort.postMessage({ index, result });
    } catch (err) {
      parentPort.postMessage({
        index,
        result: { problems: [{ file: job.display, message: `could not be read: ${String((err as Error | undefined)?.message ?? err).split('\n')[0]}` }] },
      });
    }
  }
});
parentPort.postMessage('ready');
