// Worker identity for the ledger. A worker id names who holds a `sending` row; the pipeline gives
// its own stale rows back at start (a restarted `pressroom send` resumes at once instead of waiting
// for the lease to expire). That is only safe if no other live process uses the same id, so on one
// machine the id is guarded by a pid file: a second concurrent process gets a unique id instead.
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { safeName } from './transports/outbox.js';

export interface WorkerIdentity {
  workerId: string;
  /** True when this process took over the id of a dead process (its stale rows are ours to reclaim). */
  stable: boolean;
  release(): void;
}

/** The configured worker id (PRESSROOM_WORKER_ID, config.workerId), else `<role>@<hostname>`. */
export function defaultWorkerBase(role: string, configured: string | undefined): string {
  return configured || `${role}@${hostname()}`;
}

export function acquireWorkerId(dataDir: string, base: string): WorkerIdentity {
  const dir = path.join(dataDir, 'locks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${safeName(base)}.pid`);
  // The pid is written to a file of our own and linked into place: a link is atomic and fails if
  // the name exists, so another process never reads a lock file that is still empty (with a plain
  // create-then-write it could, take the empty file for a dead holder's, and share our id).
  const mine = `${file}.${process.pid}.tmp`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let tries = 0; tries < 2; tries++) {
      try {
        linkSync(mine, file);
        return { workerId: base, stable: true, release: () => releaseIfOurs(file) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const holder = Number(readFileSync(file, 'utf8').trim());
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
          const workerId = `${base}#${process.pid}`;
          return { workerId, stable: false, release: () => {} };
        }
        rmSync(file, { force: true }); // left by a dead process: take it over
      }
    }
    return { workerId: `${base}#${process.pid}`, stable: false, release: () => {} };
  } finally {
    rmSync(mine, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(file: string): void {
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
