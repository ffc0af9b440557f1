// What the console's health page shows (GET /admin/health) and GET /api/health answers: the
// processes (heartbeat rows, and what each worker id holds under a lease), the queues (ledger
// totals, system mail, outbound events with their newest failures), the worker's last tick, the
// transport's description (never a password) and the effective configuration with every secret
// redacted (src/config/env.ts). A fixed number of store calls, whatever the size of the store.
import { redactedSettings } from '../config/env.js';
import type { EventQueueReport } from '../domain/events.js';
import type { LedgerTotals } from '../storage/store.js';
import type { SystemMailCounts } from '../storage/workers.js';
import { readLastTick } from '../worker/state.js';
import type { ServerContext } from './context.js';
import { isSilent } from './heartbeat.js';

export interface ProcessRow {
  workerId: string;
  /** start, serve, worker; null for a worker id with claims but no heartbeat (a `pressroom send`, or a process before heartbeats). */
  mode: string | null;
  host: string | null;
  pid: number | null;
  startedAt: string | null;
  seenAt: string | null;
  state: 'live' | 'silent' | 'no heartbeat';
  deliveries: number;
  systemMail: number;
  events: number;
}

export interface HealthReport {
  processes: ProcessRow[];
  ledger: LedgerTotals;
  systemMail: SystemMailCounts;
  events: EventQueueReport;
  lastTick: { at: string; ok: boolean; problems: number } | null;
  transport: string;
  settings: Array<{ setting: string; value: string }>;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function healthReport(ctx: ServerContext): Promise<HealthReport> {
  const { store } = ctx;
  const [beats, claims, ledger, systemMail, events, lastTick] = await Promise.all([
    store.listWorkerBeats(),
    store.workerClaims(),
    store.ledgerTotals(),
    store.systemMailCounts(),
    store.eventQueueReport(),
    readLastTick(store),
  ]);
  const now = ctx.now();
  const held = new Map(claims.map((c) => [c.workerId, c]));
  const processes: ProcessRow[] = beats.map((b) => ({
    workerId: b.workerId,
    mode: b.mode,
    host: b.host,
    pid: b.pid,
    startedAt: iso(b.startedAt),
    seenAt: iso(b.seenAt),
    state: isSilent(b.seenAt, now) ? 'silent' : 'live',
    deliveries: held.get(b.workerId)?.deliveries ?? 0,
    systemMail: held.get(b.workerId)?.systemMail ?? 0,
    events: held.get(b.workerId)?.events ?? 0,
  }));
  const beating = new Set(beats.map((b) => b.workerId));
  for (const c of claims) {
    if (!beating.has(c.workerId)) processes.push({ ...c, mode: null, host: null, pid: null, startedAt: null, seenAt: null, state: 'no heartbeat' });
  }
  return {
    processes,
    ledger,
    systemMail,
    events,
    // Without its error text: it may name server paths (as /healthz leaves it out).
    lastTick: lastTick ? { at: iso(lastTick.at), ok: lastTick.ok, problems: lastTick.problems ?? 0 } : null,
    transport: ctx.transport.description,
    settings: redactedSettings(ctx.config),
  };
}
