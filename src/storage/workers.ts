// What the store knows about the processes working on it, for the console's health page: a
// heartbeat row per running process (written every few seconds by src/server/heartbeat.ts), the
// claims each worker id holds under a lease (ledger rows, system mail, outbound events), and the
// system mail queue by state.

/** One process's last heartbeat. Times are epoch ms. */
export interface WorkerBeat {
  workerId: string;
  /** start, serve or worker. */
  mode: string;
  host: string;
  pid: number;
  startedAt: number;
  seenAt: number;
}

/** What one worker id holds under a lease right now. */
export interface WorkerClaims {
  workerId: string;
  deliveries: number;
  systemMail: number;
  events: number;
}

/** The confirm/welcome queue by state (`queued` includes `sending`, like the event queue's report). */
export interface SystemMailCounts {
  queued: number;
  retrying: number;
  sent: number;
  failed: number;
}

export interface WorkerStore {
  /** Records that the process is alive (an upsert by worker id); rows not seen since `forgetBefore` are removed. */
  beatWorker(beat: Omit<WorkerBeat, 'seenAt'>, now: number, forgetBefore: number): Promise<void>;
  /** A process stopping cleanly removes its row. */
  endWorkerBeat(workerId: string): Promise<void>;
  /** Every heartbeat row, by worker id. */
  listWorkerBeats(): Promise<WorkerBeat[]>;
  /** Per worker id, the rows it holds in `sending` (any lease, live or lapsed), by worker id. */
  workerClaims(): Promise<WorkerClaims[]>;
  systemMailCounts(): Promise<SystemMailCounts>;
}
