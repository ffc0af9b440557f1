// vitest globalSetup: compiles src/ to dist/ before any test runs. The tests import src/ as
// TypeScript, but everything that starts a process or a thread runs the compiled code that ships:
// the CLI (bin/pressroom.js), the issue loader's threads and the render child (see
// src/compiled-entry.ts). tsc is incremental (dist/.tsbuildinfo), so this costs ~2 s of CPU when
// nothing changed; compiled files whose source is gone are deleted, so no test runs stale code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from './paths.js';

/** tsc's exit status when it reported errors and wrote the files anyway. */
const EMITTED_WITH_ERRORS = 2;

export default function setup(): void {
  const dist = path.join(projectRoot, 'dist');
  const src = path.join(projectRoot, 'src');
  const sources = readdirSync(src, { recursive: true })
    .map(String)
    .filter((f) => /\.[jt]s$/.test(f));
  // tsc trusts its build info: an output deleted by hand would not be written again.
  if (sources.some((f) => !existsSync(path.join(dist, f.replace(/\.ts$/, '.js'))))) rmSync(path.join(dist, '.tsbuildinfo'), { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: projectRoot, encoding: 'utf8' });
  if (run.status === EMITTED_WITH_ERRORS) {
    // vitest does not type-check either (npx tsc --noEmit does): say so, and test what was written.
    process.stderr.write(`build-dist: tsc reported type errors (dist/ was written anyway):\n${run.stdout}`);
  } else if (run.status !== 0) {
    throw new Error(`build-dist: tsc -p tsconfig.build.json failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stdout}${run.stderr}`);
  }
  const wanted = new Set(sources.map((f) => f.replace(/\.ts$/, '.js')));
  for (const file of readdirSync(dist, { recursive: true }).map(String)) {
    if (/\.js(\.map)?$/.test(file) && !wanted.has(file.replace(/\.map$/, ''))) rmSync(path.join(dist, file));
  }
}
