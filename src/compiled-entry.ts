// Worker threads and child processes start from a file of their own, and Node starts them with no
// TypeScript loader, so that file must be compiled JavaScript. In production every module runs
// from dist/ and the entry file sits beside its caller. The tests (vitest) run the modules of src/
// as TypeScript; their threads and children still run the compiled entry in dist/ (vitest's
// globalSetup, test/support/build-dist.ts, compiles src/ first), so a test exercises the code
// that ships, through the same path, and never a stale copy.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
