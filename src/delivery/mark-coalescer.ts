// Group commit of `sent` marks: one ledger transaction per event-loop turn instead of one per
// accepted message.
import type { DeliveryOutcome, Store } from '../storage/store.js';

/**
 * Lanes whose SMTP answers arrive in the same event-loop turn queue their marks; one `markSentMany`
 * (one transaction) writes them all in the check phase of that turn (setImmediate), and each
 * lane's promise settles only once its mark is committed (or rejects with the store's error). While a write is in progress the next marks gather for the following one.
 * A lane awaits its mark before taking another row, so the bound of docs/delivery.md is unchanged:
 * at most one accepted-but-unmarked message per lane.
 */
export class MarkCoalescer {
  private pending: Array<{ mark: { subscriberId: number } & DeliveryOutcome; resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private writing = false;

  constructor(
    private readonly store: Store,
    private readonly campaignId: number,
  ) {}

  mark(mark: { subscriberId: number } & DeliveryOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ mark, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.writing || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
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
