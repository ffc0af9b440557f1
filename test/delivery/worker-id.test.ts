// Worker ids across processes started together: exactly one live process holds the configured id
// (it may give back that id's stale rows); every other gets an id of its own. Real processes race
// on the real lock file of one data folder, through the compiled module the CLI uses.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../support/paths.js';
import { tempDir } from '../support/site.js';
import { waitFor } from '../support/wait.js';

const moduleUrl = pathToFileURL(path.join(projectRoot, 'dist/delivery/worker-id.js')).href;

/**
 * One process: loads the module and says `ready`, acquires the id when `go` arrives on stdin,
 * prints it, and holds it until stdin ends (the test ends it once every process has its id, so
 * each one met either a live holder or none).
 */
const child = `
const { acquireWorkerId } = await import(${JSON.stringify(moduleUrl)});
const [dataDir] = process.argv.slice(1);
console.log('ready');
process.stdin.once('data', () => {
  const id = acquireWorkerId(dataDir, 'send@test');
  console.log(id.workerId);
  process.stdin.once('end', () => id.release());
});
`;

interface Racer {
  lines(): string[];
  hasExited(): boolean;
  go(): void;
  /** Ends stdin: the process releases its id and exits; resolves with its exit code. */
  finish(): Promise<number | null>;
}

function startRacer(dataDir: string): Racer {
  const p = spawn(process.execPath, ['--input-type=module', '-e', child, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve, reject) => {
    p.on('error', reject);
    p.on('exit', resolve);
  });
  return {
    lines: () => out.split('\n').filter(Boolean),
    hasExited: () => p.exitCode !== null || p.signalCode !== null,
    go: () => void p.stdin.write('go\n'),
    finish: () => {
      p.stdin.end();
      return exited;
    },
  };
}

/** Waits until every process has printed `count` lines, and returns them. */
function printed(racers: Racer[], count: number, what: string): Promise<string[][]> {
  return waitFor(
    () => {
      if (racers.some((r) => r.hasExited())) throw new Error(`a process exited before ${what}: ${racers.map((r) => r.lines().join(',')).join(' | ')}`);
      return racers.every((r) => r.lines().length >= count) && racers.map((r) => r.lines());
    },
    { what, interval: 20 },
  );
}

describe('acquireWorkerId', () => {
  it('gives the configured id to exactly one of several processes started together', async () => {
    for (let round = 0; round < 5; round++) {
      const dataDir = tempDir('pressroom-worker-id-');
      const racers = Array.from({ length: 6 }, () => startRacer(dataDir));
      // Every process is loaded before any of them takes the id: then all of them race at once.
      await printed(racers, 1, 'every process is ready');
      for (const racer of racers) racer.go();
      const ids = (await printed(racers, 2, 'every process has an id')).map((lines) => lines[1]);
      expect(await Promise.all(racers.map((r) => r.finish()))).toEqual(racers.map(() => 0));
      expect(
        ids.filter((id) => id === 'send@test'),
        ids.join(' '),
      ).toHaveLength(1);
      expect(new Set(ids).size).toBe(ids.length);
    }
  }, 60_000);
});
