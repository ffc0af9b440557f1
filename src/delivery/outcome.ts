// Pure outcome classifier: what the ledger records for one attempt at one row, from the server's
// answer (or the SendError instead of one) and the retry policy. No I/O: this decides the verdict,
// the lanes (lanes.ts) record it.
import type { DeliveryOutcome } from '../storage/store.js';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { SendError } from './send-error.js';
import type { SendResult } from './transport-types.js';

export type RowVerdict =
  /** Accepted (250): marked `sent` (group-committed, see mark-coalescer.ts). */
  | { kind: 'sent'; recorded: DeliveryOutcome }
  /** Worth another attempt at `at` (epoch ms). */
  | { kind: 'retry'; at: number; recorded: DeliveryOutcome; error: SendError }
  /** Final: `failed`; `bounced` marks the subscriber too, `temporary` lets `pressroom retry` queue it again. */
  | { kind: 'failed'; recorded: DeliveryOutcome; bounced: boolean; temporary: boolean; error: SendError }
  /** The server may have it: neither retried nor failed (`pressroom retry --unknown` re-queues it). */
  | { kind: 'unknown'; recorded: DeliveryOutcome; error: SendError }
  /** Never handed to the transport (its data cannot make a message, or its subscriber left): `failed`. */
  | { kind: 'not-sent'; recorded: DeliveryOutcome }
  /** Nothing can be sent through this transport: stop, leave the row `sending` (given back unsent). */
  | { kind: 'halt'; error: SendError };

/** Every verdict but `halt`: what gets written to the ledger. */
export type RecordedVerdict = Exclude<RowVerdict, { kind: 'halt' }>;

export interface Classified {
  verdict: RowVerdict;
  /** No reply code at all (refused, dropped, timed out) or 421: the lane pauses before its next row. */
  connectionTrouble: boolean;
}

/** The campaign's retry policy: the default backoff with the caller's overrides; maxAttempts from config.smtp. */
export function retryPolicy(maxAttempts: number, overrides?: Partial<Omit<RetryPolicy, 'maxAttempts'>>): RetryPolicy {
  return { ...defaultRetryPolicy, ...overrides, maxAttempts };
}

/** A transport that throws something other than a SendError failed in an unforeseen way: temporary. */
export function asSendError(err: unknown): SendError {
  return err instanceof SendError ? err : new SendError(String((err as Error)?.message ?? err), { kind: 'temporary', response: String(err) });
}

/**
 * The verdict on attempt number `attempts` (1-based, counted by the claim) at a row, `now` being
 * when the answer came; `random` draws the backoff's jitter.
 */
export function classify(answer: SendResult | SendError, attempts: number, policy: RetryPolicy, now: number, random: () => number = Math.random): Classified {
  if (!(answer instanceof SendError)) {
    return { verdict: { kind: 'sent', recorded: { smtpCode: answer.code, smtpResponse: answer.response } }, connectionTrouble: false };
  }
  const error = answer;
  if (error.kind === 'fatal') return { verdict: { kind: 'halt', error }, connectionTrouble: false };
  const recorded = { smtpCode: error.code, smtpResponse: error.response || error.message };
  const connectionTrouble = error.code === null || error.code === 421;
  if (error.kind === 'unknown-outcome') return { verdict: { kind: 'unknown', recorded, error }, connectionTrouble };
  if (error.kind === 'temporary' && attempts < policy.maxAttempts) {
    return { verdict: { kind: 'retry', at: now + backoffDelay(policy, attempts, random), recorded, error }, connectionTrouble };
  }
  const verdict: RowVerdict = { kind: 'failed', recorded, bounced: error.kind === 'user-unknown', temporary: error.kind === 'temporary', error };
  return { verdict, connectionTrouble };
}

/** The verdict on a row that is not handed to the transport, and why. */
export function notSent(why: string): Extract<RowVerdict, { kind: 'not-sent' }> {
  return { kind: 'not-sent', recorded: { smtpCode: null, smtpResponse: `not sent: ${why}` } };
}
