// A small fixed-window limiter per client address. In-process on purpose: one Pressroom process
// serves sign-ups; behind several replicas the proxy should limit too (see docs/service.md).
export interface RateLimitOptions {
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Counts one request; returns 0 when allowed, else the seconds until the window resets. */
  hit(key: string, now: number = Date.now()): number {
    const { max, windowMs } = this.options;
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      if (this.windows.size > 10_000) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count <= max) return 0;
    return Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
  }

  /** Drops finished windows so a flood of addresses cannot grow the map without bound. */
  private sweep(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.start >= this.options.windowMs) this.windows.delete(key);
    }
  }
}
