// Worker threads and child processes start from a file of their own, and Node starts them with no
// TypeScript loader, so that file must be compiled JavaScript. In production every module runs
// from dist/ and the entry file sits beside its caller. The tests (vitest) run the modules of src/
// as TypeScript; their threads and children still run the compiled entry in dist/ (vitest's
// globalSetup, test/support/build-dist.ts, compiles src/ first), so a test exercises the code
// that ships, through the same path, and never a stale copy.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

const sourceRoot = new URL('./', import.meta.url).href;
const compiledRoot = new URL('../dist/', import.meta.url);

/** The compiled file `relative` to the module at `caller` (its import.meta.url), e.g. './load-worker.js'. */
export function compiledEntry(caller: string, relative: string): URL {
  const beside = new URL(relative, caller);
  if (!caller.endsWith('.ts')) return beside;
  // Running as TypeScript source (the tests): the same file under dist/.
  const entry = new URL(beside.href.slice(sourceRoot.length), compiledRoot);
  if (!beside.href.startsWith(sourceRoot) || !existsSync(entry)) {
    throw new Error(`${fileURLToPath(entry)} is missing: run \`npm run build\` (it compiles src/ to dist/)`);
  }
  return entry;
}

/** What a one-shot thread posts back, once: its value, or the one-line message of what stopped it. */
export type ThreadAnswer<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Runs the compiled entry `relative` (to `caller`) in a thread that ends after one answer (a
 * ThreadAnswer posted to its parent): its memory goes with it. A failure rejects with the
 * thread's own message.
 */
export function oneShotThread<T>(caller: string, relative: string, workerData: unknown): Promise<T> {
  // The thread starts now, before the caller goes on with synchronous work.
  return new Promise((resolve, reject) => {
    const worker = new Worker(compiledEntry(caller, relative), { workerData });
    let answered = false;
    worker.once('message', (answer: ThreadAnswer<T>) => {
      answered = true;
      if (answer.ok) resolve(answer.value);
      else reject(new Error(answer.message));
    });
    worker.once('error', (err) => {
      answered = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the ${relative.replace(/^\.\//, '').replace(/\.js$/, '')} thread stopped (exit code ${code})`));
    });
  });
}

/** The other side of oneShotThread: posts `run()`'s value, or its error's message, to the parent. */
export async function answerParent<T>(run: () => T | Promise<T>): Promise<void> {
  let answer: ThreadAnswer<T>;
  try {
    answer = { ok: true, value: await run() };
  } catch (err) {
    answer = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(answer);
}
