// The campaign-wide rate limit: every worker sending a campaign takes its send permits from one
// token bucket kept in the store (Store.takeSendPermits), so `smtp.rateLimit` holds for the whole
// campaign however many workers, on however many machines, share it. Each process asks for a few
// permits at a time (at most one per lane that is waiting) and hands them to its lanes; when the
// bucket is empty it sleeps until the bucket should hold what it needs, plus a little jitter so
// workers do not poll in lock-step.
import type { Store } from '../storage/store.js';
import { sleep } from './sleep.js';

export class RateLimitAborted extends Error {}

export interface CampaignRateLimiterOptions {
  /** Most permits asked for at once (the lane count: more could not be used right away). */
  maxAsk: number;
  /** Bucket size; default a tenth of a second's worth, at least 1. */
  burst?: number;
}

export class CampaignRateLimiter {
  readonly burst: number;
  private permits = 0;
  private waiting = 0;
  private fetching: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly campaignId: number,
    private readonly ratePerSecond: number,
    private readonly options: CampaignRateLimiterOptions,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('rate must be positive');
    this.burst = options.burst ?? defaultBurst(ratePerSecond);
  }

  /** Resolves when this process may send one message; throws RateLimitAborted if `signal` aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    this.waiting++;
    try {
      for (;;) {
        if (signal?.aborted) throw new RateLimitAborted('aborted while waiting for the rate limit');
        if (this.permits > 0) {
          this.permits--;
          return;
        }
        await this.fetch(signal);
      }
    } finally {
      this.waiting--;
    }
  }

  /** One request to the store at a time per process; the lanes waiting share its answer. */
  private fetch(signal?: AbortSignal): Promise<void> {
    this.fetching ??= (async () => {
      const want = Math.max(1, Math.min(this.options.maxAsk, this.waiting));
      const { granted, waitMs } = await this.store.takeSendPermits(this.campaignId, want, this.ratePerSecond, this.burst);
      this.permits += granted;
      if (granted === 0) await sleep(waitMs * (1 + Math.random() * 0.2), signal);
    })().finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }
}

/** A tenth of a second's worth of messages (at least one): the most the server sees above the rate. */
export function defaultBurst(ratePerSecond: number): number {
  return Math.max(1, Math.floor(ratePerSecond / 10));
}
