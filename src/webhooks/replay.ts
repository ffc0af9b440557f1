// Mailgun's signature covers a timestamp and a random token but not the event: within the accepted
// window the same signed body could be posted again. The tokens seen in that window are kept here
// (in memory, per process: the store's (source, event id) uniqueness stays the real guard).

/** More than this many tokens in one window and the oldest are forgotten: the memory stays bounded. */
const MAX_TOKENS = 100_000;

export class RecentTokens {
  /** token -> when it may be forgotten (ms); a Map iterates in insertion order, so oldest first. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly max = MAX_TOKENS,
  ) {}

  /** False when `token` was seen within the window (a replay); else remembers it and returns true. */
  claim(token: string, now: number): boolean {
    this.prune(now);
    if (this.until.has(token)) return false;
    // Twice the window: a timestamp may be that far in the future or the past.
    this.until.set(token, now + 2 * this.windowMs);
    while (this.until.size > this.max) this.until.delete(this.until.keys().next().value!);
    return true;
  }

  /** Gives a token back when its request failed on our side, so the provider's retry is not taken for a replay. */
  release(token: string): void {
    this.until.delete(token);
  }

  private prune(now: number): void {
    for (const [token, until] of this.until) {
      if (until > now) break;
      this.until.delete(token);
    }
  }
}

/** Whether a signed Unix timestamp (seconds) is within maxAgeSeconds of now, either way. */
export function timestampFresh(seconds: string, now: number, maxAgeSeconds: number): boolean {
  if (!/^\d{1,12}$/.test(seconds)) return false;
  return Math.abs(now - Number(seconds) * 1000) <= maxAgeSeconds * 1000;
}
