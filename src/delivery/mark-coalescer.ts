// Group commit of `sent` marks: one ledger transaction for the marks of several lanes instead of
// one per accepted message.
import type { DeliveryOutcome, Store } from '../storage/store.js';

type SentMark = { subscriberId: number } & DeliveryOutcome;

/**
 * The longest a held mark waits for someone to ask for it before it is written anyway: far below
 * any lease margin (a row's lease outlives its send by maxSendMs), so a mark held while the lane's
 * next message stalls is still committed long before another worker could claim the row again.
 */
export const MARK_HOLD_MS = 20;

/** A queued mark: written with the next group once someone waits for it. */
export interface HeldMark {
  /** Already in the ledger (written with another lane's group): nothing to wait for. */
  readonly isCommitted: boolean;
  /** Asks for the write (in the check phase of this turn) and settles once the mark is committed. */
  committed(): Promise<void>;
}

/**
 * Marks wait in a queue until some lane needs one of them committed (`committed()`, or `mark`) or
 * the oldest has waited `holdMs`; then one `markSentMany` (one transaction) writes all the queued marks in the check phase of that
 * turn (setImmediate), so the marks of lanes answered meanwhile share it. While a write is in
 * progress the next marks gather for the following one. A mark's promise settles only once it is
 * committed (or rejects with the store's error).
 * The duplicate bound of docs/delivery.md holds because a lane lets no second message be accepted
 * before its previous mark is committed (lanes.ts): at most one accepted-but-unmarked message per lane.
 */
export class MarkCoalescer {
  private pending: Array<{ mark: SentMark; resolve: () => void; reject: (e: unknown) => void }> = [];
  private wanted = false;
  private scheduled = false;
  private writing = false;
  private deadline: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly campaignId: number,
    private readonly holdMs = MARK_HOLD_MS,
  ) {}

  /** Queues the mark and asks for its write now; settles once it is committed. */
  mark(mark: SentMark): Promise<void> {
    return this.hold(mark).committed();
  }

  /** Queues the mark without asking for a write yet: a later write of the group carries it. */
  hold(mark: SentMark): HeldMark {
    let isCommitted = false;
    const done = new Promise<void>((resolve, reject) =>
      this.pending.push({
        mark,
        resolve: () => {
          isCommitted = true;
          resolve();
        },
        reject,
      }),
    );
    done.catch(() => {}); // observed by whoever calls committed()
    this.deadline ??= setTimeout(() => {
      this.deadline = null;
      this.want();
    }, this.holdMs);
    let asked = false;
    return {
      get isCommitted() {
        return isCommitted;
      },
      committed: () => {
        if (!asked) {
          asked = true;
          this.want();
        }
        return done;
      },
    };
  }

  private want(): void {
    this.wanted = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.pending.length === 0) this.wanted = false;
    if (!this.wanted || this.scheduled || this.writing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.wanted = false;
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
    this.writing = true;
    try {
      await this.store.markSentMany(
        this.campaignId,
        batch.map((p) => p.mark),
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.writing = false;
      this.schedule();
    }
  }
}
