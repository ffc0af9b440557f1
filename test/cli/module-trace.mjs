// `node --import ./module-trace.mjs ...` appends the URL of every module the process loads to the
// file named by PRESSROOM_MODULE_TRACE: ES modules through a loader hook (which runs in a thread of
// its own: the same file, imported there), CommonJS ones from require's cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

let out = process.env.PRESSROOM_MODULE_TRACE;

if (isMainThread) {
  register(import.meta.url, { data: { out } });
  process.on('exit', () => {
    const cache = createRequire(import.meta.url).cache;
    appendFileSync(
      out,
      Object.keys(cache)
        .map((file) => `${pathToFileURL(file).href}\n`)
        .join(''),
    );
  });
}

export function initialize(data) {
  out = data.out;
}

export async function load(url, context, nextLoad) {
  appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
