// The heartbeat rows of running processes, the claims each worker id holds and the system mail
// queue's counts, written once over the dialect (see src/storage/workers.ts).
import type { SystemMailCounts, WorkerBeat, WorkerClaims } from '../workers.js';
import type { Dialect } from './dialect.js';

const SQL = {
  beat: `INSERT INTO worker_heartbeats (worker_id, mode, host, pid, started_at, seen_at) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (worker_id) DO UPDATE SET mode = excluded.mode, host = excluded.host, pid = excluded.pid,
        started_at = excluded.started_at, seen_at = excluded.seen_at`,
  forget: `DELETE FROM worker_heartbeats WHERE seen_at < $1`,
  end: `DELETE FROM worker_heartbeats WHERE worker_id = $1`,
  list: `SELECT worker_id, mode, host, pid, started_at, seen_at FROM worker_heartbeats ORDER BY worker_id`,
  // A sending row always has claimable_at (its lease's end): through the partial claim indexes, the
  // unfinished rows only, never a scan of every message ever sent.
  claims: `SELECT worker_id, sum(d) AS deliveries, sum(m) AS system_mail, sum(e) AS events FROM (
        SELECT worker_id, count(*) AS d, 0 AS m, 0 AS e FROM deliveries WHERE claimable_at IS NOT NULL AND state = 'sending' GROUP BY worker_id
        UNION ALL SELECT worker_id, 0, count(*), 0 FROM system_mail WHERE claimable_at IS NOT NULL AND state = 'sending' GROUP BY worker_id
        UNION ALL SELECT worker_id, 0, 0, count(*) FROM webhook_events WHERE claimable_at IS NOT NULL AND state = 'sending' GROUP BY worker_id
      ) AS held WHERE worker_id IS NOT NULL GROUP BY worker_id ORDER BY worker_id`,
  mailCounts: `SELECT state, count(*) AS n FROM system_mail GROUP BY state`,
} as const;

interface BeatRow {
  worker_id: string;
  mode: string;
  host: string;
  pid: number;
  started_at: number;
  seen_at: number;
}

/** Two statements, not one transaction: a beat never holds one row's lock while it waits for another's (no deadlock between processes beating together). */
export async function beatWorker(db: Dialect, beat: Omit<WorkerBeat, 'seenAt'>, now: number, forgetBefore: number): Promise<void> {
  await db.run(SQL.beat, [beat.workerId, beat.mode, beat.host, beat.pid, beat.startedAt, now]);
  await db.run(SQL.forget, [forgetBefore]);
}

export async function endWorkerBeat(db: Dialect, workerId: string): Promise<void> {
  await db.run(SQL.end, [workerId]);
}

export async function listWorkerBeats(db: Dialect): Promise<WorkerBeat[]> {
  return (await db.all<BeatRow>(SQL.list)).map((r) => ({
    workerId: r.worker_id,
    mode: r.mode,
    host: r.host,
    pid: Number(r.pid),
    startedAt: Number(r.started_at),
    seenAt: Number(r.seen_at),
  }));
}

export async function workerClaims(db: Dialect): Promise<WorkerClaims[]> {
  const rows = await db.all<{ worker_id: string; deliveries: number; system_mail: number; events: number }>(SQL.claims);
  return rows.map((r) => ({ workerId: r.worker_id, deliveries: Number(r.deliveries), systemMail: Number(r.system_mail), events: Number(r.events) }));
}

export async function systemMailCounts(db: Dialect): Promise<SystemMailCounts> {
  const counts = new Map((await db.all<{ state: string; n: number }>(SQL.mailCounts)).map((r) => [r.state, Number(r.n)]));
  return {
    queued: (counts.get('queued') ?? 0) + (counts.get('sending') ?? 0),
    retrying: counts.get('retry') ?? 0,
    sent: counts.get('sent') ?? 0,
    failed: counts.get('failed') ?? 0,
  };
}
