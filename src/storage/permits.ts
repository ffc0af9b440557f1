// Shared by both adapters: turns the token bucket's answer (granted, tokens left) into SendPermits.
import type { SendPermits } from './store.js';

export function permitsFrom(row: { granted: number; tokens: number }, want: number, ratePerSecond: number, burst: number): SendPermits {
  const granted = Number(row.granted);
  const missing = Math.min(Math.max(0, want - granted), Math.max(1, burst));
  if (missing === 0) return { granted, waitMs: 0 };
  // Time for the bucket to hold what is still missing (at most a full bucket), at the refill rate.
  const waitMs = Math.max(1, Math.ceil(((missing - Number(row.tokens)) / ratePerSecond) * 1000));
  return { granted, waitMs };
}
