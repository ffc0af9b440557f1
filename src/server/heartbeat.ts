// Every service process (start, serve, worker) writes a heartbeat row every HEARTBEAT_MS, so the
// console's health page tells the live processes from the silent ones across machines sharing the
// store; a clean stop removes the row, a crashed process's row stays (shown as silent) for a day.
import { hostname } from 'node:os';
import type { Logger } from '../logging.js';
import type { WorkerStore } from '../storage/workers.js';

export const HEARTBEAT_MS = 5_000;
/** A process not heard from for three beats is shown as silent (a beat may be late under load). */
const SILENT_AFTER_MS = 3 * HEARTBEAT_MS;
/** Rows of processes that died without stopping are forgotten after this. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export function isSilent(seenAt: number, now: number): boolean {
  return now - seenAt > SILENT_AFTER_MS;
}

export interface Heartbeat {
  stop(): Promise<void>;
}

export function startHeartbeat(store: WorkerStore, workerId: string, mode: string, logger: Logger, now: () => number = Date.now): Heartbeat {
  const beat = { workerId, mode, host: hostname(), pid: process.pid, startedAt: now() };
  let last: Promise<void> = Promise.resolve();
  let failing = false;
  const tick = () => {
    const at = now();
    last = store.beatWorker(beat, at, at - FORGET_AFTER_MS).then(
      () => {
        failing = false;
      },
      (err: unknown) => {
        // Logged once per outage, not every five seconds.
        if (!failing) logger.warn({ err }, 'could not write the heartbeat');
        failing = true;
      },
    );
  };
  tick();
  const timer = setInterval(tick, HEARTBEAT_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await last;
      await store.endWorkerBeat(workerId).catch(() => {});
    },
  };
}
