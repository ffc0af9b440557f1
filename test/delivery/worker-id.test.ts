// Worker ids across processes started together: exactly one live process holds the configured id
// (it may give back that id's stale rows); every other gets an id of its own. Real processes race
// on the real lock file of one data folder, through the compiled module the CLI uses.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/paths.js';
import { tempDir } from '../support/site.js';

const moduleUrl = pathToFileURL(path.join(projectRoot, 'dist/delivery/worker-id.js')).href;

/** One process: waits for `go` (an epoch ms), acquires the id, prints it, keeps it for a while. */
const child = `
const { acquireWorkerId } = await import(${JSON.stringify(moduleUrl)});
const [dataDir, go] = process.argv.slice(1);
while (Date.now() < Number(go)) {}
const id = acquireWorkerId(dataDir, 'send@test');
console.log(id.workerId);
setTimeout(() => id.release(), 1500);
`;

function run(dataDir: string, go: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', child, dataDir, String(go)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
  });
}

describe('acquireWorkerId', () => {
  it('gives the configured id to exactly one of several processes started together', async () => {
    for (let round = 0; round < 5; round++) {
      const dataDir = tempDir('pressroom-worker-id-');
      const go = Date.now() + 600;
      const ids = await Promise.all(Array.from({ length: 6 }, () => run(dataDir, go)));
      expect(
        ids.filter((id) => id === 'send@test'),
        ids.join(' '),
      ).toHaveLength(1);
      expect(new Set(ids).size).toBe(ids.length);
    }
  }, 60_000);
});
