// Pure planning of a campaign run: how many lanes, how big a claim, how much of each lease is kept
// free, and whether a claimed row may still be started. No I/O: every number the pipeline derives
// from the configuration and the transport is decided here.
import type { Config } from '../config/config.js';

/** The longest pause of a lane after connection-level failures in a row. */
const MAX_CONNECTION_PAUSE_MS = 30_000;

export interface SendPlanInput {
  smtp: Pick<Config['smtp'], 'maxConnections' | 'batchSize' | 'leaseSeconds' | 'rateLimit' | 'rateLimitScope'>;
  /** Overrides the configured lease (tests). */
  leaseMs?: number;
  /** The transport's longest send (Transport.maxSendMs). */
  maxSendMs?: number;
}

export interface SendPlan {
  /** Rows in flight at once: one per SMTP connection. */
  lanes: number;
  /** Rows per claim. */
  batchSize: number;
  /** How long a claim is held. */
  leaseMs: number;
  /** No send starts closer than this to its lease's end. */
  leaseMargin: number;
  /** The margin the transport needs; above leaseMargin when the lease is too short (clamped). */
  wantedMargin: number;
  /** Messages per second (campaign-wide or per process), or undefined for no limit. */
  rate: number | undefined;
  /** The rate is one bucket in the store shared by every worker (see shared-rate-limit.ts). */
  sharedRate: boolean;
}

export function planSend({ smtp, leaseMs: leaseOverride, maxSendMs }: SendPlanInput): SendPlan {
  const leaseMs = leaseOverride ?? smtp.leaseSeconds * 1000;
  const lanes = Math.max(1, smtp.maxConnections);
  // With a campaign-wide limit (the default when rateLimit is set) all workers draw on one bucket
  // in the store; see shared-rate-limit.ts. 'process' leaves it to the transport's local bucket.
  const rate = smtp.rateLimit;
  const sharedRate = rate !== undefined && smtp.rateLimitScope === 'campaign';
  // A claimed row must be handed over well before its lease ends; with a rate limit a big batch
  // could outlive its lease, so the batch shrinks to what the rate can send in half a lease. A
  // campaign-wide rate is shared by an unknown number of workers: the batch is an eighth of that,
  // so up to 8 equal workers still finish a batch within half a lease (with more, rows near the end
  // of their lease are given back unsent and claimed again: slower, never sent twice).
  const byRate = rate ? Math.max(lanes, Math.floor((rate * leaseMs) / (sharedRate ? 16_000 : 2000))) : Infinity;
  const batchSize = Math.max(1, Math.min(smtp.batchSize, byRate));
  // No send starts closer to its lease's end than the transport's longest send (plus slack), so a
  // message still in progress when its lease ends, which another worker could then send again,
  // cannot happen. A lease too short for that is clamped (and reported: leaseTooShort).
  const wantedMargin = Math.max(Math.min(30_000, leaseMs / 4), (maxSendMs ?? 0) + 5_000);
  const leaseMargin = Math.min(wantedMargin, leaseMs / 2);
  return { lanes, batchSize, leaseMs, leaseMargin, wantedMargin, rate, sharedRate };
}

/** The lease cannot keep the transport's longest send free at its end: a slow message could be sent twice. */
export function leaseTooShort(plan: SendPlan): boolean {
  return plan.wantedMargin > plan.leaseMargin;
}

/** May a row claimed until `leaseUntil` (epoch ms; null: no lease) still be handed to the transport at `now`? */
export function mayStart(plan: Pick<SendPlan, 'leaseMargin'>, leaseUntil: number | null, now: number): boolean {
  return leaseUntil === null || now <= leaseUntil - plan.leaseMargin;
}

/** A lane's pause after its `consecutive`-th connection-level failure in a row: doubling from `baseMs`, capped. */
export function connectionPause(baseMs: number, consecutive: number): number {
  return Math.min(MAX_CONNECTION_PAUSE_MS, baseMs * 2 ** (consecutive - 1));
}
