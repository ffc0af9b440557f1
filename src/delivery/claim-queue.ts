// The rows a worker holds: claimed from the ledger in batches, each with a lease, and handed to the
// lanes one at a time. Lanes run on one thread: only the lane that finds the queue empty claims;
// the others wait on that claim. Rows not handed over (stopped, or too close to their lease's end)
// are given back to the ledger in one call once no lane is sending (giveBack).
import type { Delivery, Store } from '../storage/store.js';

/** How old a departure check may be when its row is handed to the transport. */
export const DEPARTURE_CHECK_MAX_AGE_MS = 1000;

export class ClaimQueue {
  private rows: Delivery[] = [];
  private claiming: Promise<void> | null = null;
  /** The last claim came back empty: nothing is claimable now. */
  private drained = false;
  /** Rows dropped from the queue unsent (too late in their lease); still `sending` under our id. */
  private skipped = 0;
  private readonly departures: DepartureCheck;

  constructor(
    private readonly store: Store,
    private readonly campaignId: number,
    private readonly workerId: string,
    private readonly batchSize: number,
    private readonly leaseMs: number,
    departureMaxAgeMs = DEPARTURE_CHECK_MAX_AGE_MS,
  ) {
    this.departures = new DepartureCheck(store, departureMaxAgeMs);
  }

  /** A new round of lanes: claim again even if the last claim found nothing. */
  startRound(): void {
    this.drained = false;
  }

  /**
   * The next claimed row, claiming a batch when the queue is empty; undefined once a claim finds
   * nothing (until startRound), or when `stopping()` holds before a claim. A failed claim rejects.
   */
  async next(stopping: () => boolean): Promise<Delivery | undefined> {
    if (this.claiming) await this.claiming;
    if (this.rows.length === 0 && !this.drained && !stopping()) {
      this.claiming ??= this.store
        .claimBatch(this.campaignId, this.workerId, this.batchSize, this.leaseMs)
        .then((rows) => {
          this.rows = rows;
          if (rows.length === 0) this.drained = true;
        })
        .finally(() => {
          this.claiming = null;
        });
      await this.claiming;
    }
    return this.rows.shift();
  }

  /** A row taken but not started (the lanes are stopping): first in line again. */
  putBack(row: Delivery): void {
    this.rows.unshift(row);
  }

  /** A row was taken but not sent because its lease is too close to its end: giveBack returns it. */
  skipExpired(): void {
    this.skipped++;
  }

  /** Some claimed rows were not sent: they must be given back before the worker waits or ends. */
  holdsUnsent(): boolean {
    return this.skipped > 0 || this.rows.length > 0;
  }

  /**
   * Gives every row still `sending` under this worker id back to the ledger (without counting the
   * attempt) and empties the queue; returns how many. Only while no lane is sending: every such
   * row was then claimed, not sent.
   */
  async giveBack(): Promise<number> {
    try {
      return await this.store.releaseClaims(this.campaignId, this.workerId);
    } finally {
      this.rows = [];
      this.skipped = 0;
    }
  }

  /**
   * The subscriber's status if it left since the claim ('removed' when gone), else null: a claim
   * holds rows for up to a lease, and whoever unsubscribed or was removed meanwhile is not mailed.
   */
  departure(subscriberId: number): Promise<string | null> {
    return this.departures.departure(subscriberId, () => this.rows.map((r) => r.subscriberId));
  }
}

/**
 * "Has this subscriber left since the claim?" for every row, at a cost that does not grow with the
 * message rate: one store query (`departedSubscribers`) covers the rows waiting for the check and
 * every claimed row behind them, and is reused for rows handed to the transport within `maxAgeMs`
 * of it (a per-row read costs a PostgreSQL round trip per message; BENCHMARKS.md "send"). A lane
 * that arrives while a query runs is covered by the next one, so at most two queries are waited for.
 */
export class DepartureCheck {
  private checkedAt = -Infinity;
  private covered = new Set<number>();
  private departed = new Map<number, string>();
  private readonly waiting = new Set<number>();
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs: number,
  ) {}

  /** The subscriber's status if it is no longer active ('removed' when gone), else null. */
  async departure(subscriberId: number, upcoming: () => number[]): Promise<string | null> {
    while (performance.now() - this.checkedAt > this.maxAgeMs || !this.covered.has(subscriberId)) {
      this.waiting.add(subscriberId);
      this.refreshing ??= this.refresh(upcoming).finally(() => {
        this.refreshing = null;
      });
      await this.refreshing;
    }
    return this.departed.get(subscriberId) ?? null;
  }

  private async refresh(upcoming: () => number[]): Promise<void> {
    const ids = [...new Set([...this.waiting, ...upcoming()])];
    this.waiting.clear();
    const started = performance.now();
    this.departed = await this.store.departedSubscribers(ids);
    this.covered = new Set(ids);
    this.checkedAt = started;
  }
}
