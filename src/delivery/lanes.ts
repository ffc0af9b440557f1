// One round of lanes: `plan.lanes` loops, each taking a claimed row, sending it and recording its
// verdict, until nothing is claimable now or the round stops. A `sent` mark is queued for the next
// group commit (MarkCoalescer) and the lane goes on with its next row, but that message's final dot
// waits for the mark to be committed (SendMeta.beforeFinalDot; through a transport that cannot hold
// the dot, the lane waits before sending). So at most one accepted-but-unmarked message per lane
// exists at any moment (the duplicate bound of docs/delivery.md), while the commit overlaps the
// next message's envelope and body on the wire.
import type { OutgoingMessage, PreparedEmail } from '../email/message.js';
import type { Logger } from '../logging.js';
import type { Delivery, Store } from '../storage/store.js';
import type { CampaignBrakes } from './brakes.js';
import type { ClaimQueue } from './claim-queue.js';
import type { HeldMark, MarkCoalescer } from './mark-coalescer.js';
import { asSendError, classify, notSent, type RecordedVerdict } from './outcome.js';
import { connectionPause, mayStart, type SendPlan } from './plan.js';
import type { RunTally } from './progress.js';
import type { RetryPolicy } from './retry.js';
import type { SendError } from './send-error.js';
import { type CampaignRateLimiter, RateLimitAborted } from './shared-rate-limit.js';
import { sleep } from './sleep.js';
import type { SendResult, Transport } from './transport-types.js';

export interface LaneDeps {
  store: Store;
  campaignId: number;
  slug: string;
  transport: Transport;
  prepared: PreparedEmail;
  plan: SendPlan;
  policy: RetryPolicy;
  queue: ClaimQueue;
  marks: MarkCoalescer;
  tally: RunTally;
  /** The campaign-wide rate limit, if any (a per-process one is the transport's). */
  limiter: CampaignRateLimiter | null;
  log: Logger;
  signal?: AbortSignal;
  /** Pause of one lane after a connection-level failure, doubled while they continue. */
  connectionPauseMs: number;
  /** Paused or cancelled: lanes finish the row in hand and take no other. */
  brakes: Pick<CampaignBrakes, 'poll' | 'stopped'>;
}

export interface RoundEnd {
  /** The lanes stopped early: a fatal transport error or a failed store call. */
  halted: boolean;
  /** Nothing can be sent through this transport (the first such error). */
  fatal: SendError | null;
  /** The first error a lane threw (the store failed); rethrown by the caller once rows are given back. */
  error: unknown;
}

export async function runLanes(deps: LaneDeps): Promise<RoundEnd> {
  const round = new Round(deps);
  await Promise.all(Array.from({ length: deps.plan.lanes }, () => round.lane()));
  return round.end;
}

/** A lane's last accepted message whose mark may not be committed yet. */
interface LaneState {
  previous: { mark: HeldMark; verdict: RecordedVerdict } | null;
}

class Round {
  readonly end: RoundEnd = { halted: false, fatal: null, error: null };

  constructor(private readonly deps: LaneDeps) {}

  private stopping(): boolean {
    return this.end.halted || this.deps.signal?.aborted === true || this.deps.brakes.stopped() !== null;
  }

  /** A lane that throws (the store failed) stops all lanes. */
  async lane(): Promise<void> {
    const state: LaneState = { previous: null };
    try {
      await this.laneLoop(state);
      await this.settlePrevious(state);
    } catch (err) {
      this.end.error ??= err;
      this.end.halted = true;
      // The message already accepted still gets its mark if the store can take it.
      await state.previous?.mark.committed().catch(() => {});
    }
  }

  /** Waits for the lane's previous mark to be committed (rethrowing the store's error), then counts it. */
  private async settlePrevious(state: LaneState): Promise<void> {
    const previous = state.previous;
    if (!previous) return;
    state.previous = null;
    await previous.mark.committed();
    this.deps.tally.count(previous.verdict);
  }

  private async laneLoop(state: LaneState): Promise<void> {
    const { queue, plan, tally, signal } = this.deps;
    const stopping = () => this.stopping();
    let consecutiveConnErrors = 0;
    while (!stopping()) {
      this.deps.brakes.poll();
      const row = await queue.next(stopping);
      if (!row || stopping()) {
        if (row) queue.putBack(row);
        return;
      }
      if (!mayStart(plan, row.leaseUntil, Date.now())) {
        queue.skipExpired(); // too late to send safely; given back after the round
        continue;
      }
      const connectionTrouble = await this.attempt(row, state);
      tally.report();
      if (connectionTrouble) {
        consecutiveConnErrors++;
        await sleep(connectionPause(this.deps.connectionPauseMs, consecutiveConnErrors), signal);
      } else {
        consecutiveConnErrors = 0;
      }
    }
  }

  /** Sends one claimed row and records its verdict; true when the lane should pause (connection trouble). */
  private async attempt(row: Delivery, state: LaneState): Promise<boolean> {
    const { prepared, limiter, plan, queue, transport, slug, policy, signal } = this.deps;
    let message: OutgoingMessage;
    try {
      message = prepared.messageFor({ id: row.subscriberId, email: row.email, name: row.name, campaignId: row.campaignId });
    } catch (err) {
      // The row's own data cannot make a message (e.g. an address the MIME layer refuses).
      await this.record(row, notSent((err as Error).message), state);
      return false;
    }
    if (limiter) {
      try {
        await limiter.take(signal);
      } catch (err) {
        if (!(err instanceof RateLimitAborted)) throw err;
        return false; // stopping: the row is still `sending` under our id and is given back after the round
      }
      if (this.stopping()) return false; // paused while waiting for the rate: likewise
      if (!mayStart(plan, row.leaseUntil, Date.now())) {
        queue.skipExpired(); // waited too long for the rate: another worker may take it soon; give it back
        return false;
      }
    }
    // Checked right before the message goes to the transport (see DepartureCheck).
    const departed = await queue.departure(row.subscriberId);
    if (departed !== null) {
      await this.record(row, notSent(`subscriber ${departed} before sending`), state);
      return false;
    }
    const previous = state.previous?.mark;
    if (previous && !transport.holdsFinalDot) await this.settlePrevious(state);
    let answer: SendResult | SendError;
    try {
      const beforeFinalDot = previous && transport.holdsFinalDot ? () => (previous.isCommitted ? undefined : previous.committed()) : undefined;
      answer = await transport.send(message, { campaign: slug, beforeFinalDot });
    } catch (err) {
      answer = asSendError(err);
    }
    // A failed previous mark is the store failing: the lane stops (this message, if it waited at
    // its final dot, was abandoned undelivered and its row is given back after the round).
    await this.settlePrevious(state);
    const { verdict, connectionTrouble } = classify(answer, row.attempts, policy, Date.now());
    if (verdict.kind === 'halt') {
      // Leave the row `sending`: it is given back (without counting the attempt) after the round.
      this.end.fatal ??= verdict.error;
      this.end.halted = true;
      return false;
    }
    await this.record(row, verdict, state);
    return connectionTrouble;
  }

  /** Writes the verdict to the ledger, then counts it; a `sent` mark is held for the next group commit and counted once committed. */
  private async record(row: Delivery, verdict: RecordedVerdict, state: LaneState): Promise<void> {
    const { store, campaignId, marks, tally, log } = this.deps;
    const { subscriberId } = row;
    switch (verdict.kind) {
      case 'sent':
        state.previous = { mark: marks.hold({ subscriberId, ...verdict.recorded }), verdict };
        return;
      case 'not-sent':
        await store.markFailed(campaignId, subscriberId, { ...verdict.recorded, bounced: false, temporary: false });
        break;
      case 'unknown':
        await store.markUnknown(campaignId, subscriberId, verdict.recorded);
        log.warn({ to: row.email, response: verdict.recorded.smtpResponse }, 'outcome unknown: lost after the final dot; not retried');
        break;
      case 'retry':
        await store.markRetry(campaignId, subscriberId, verdict.at, verdict.recorded);
        log.debug({ to: row.email, attempt: row.attempts, code: verdict.error.code, next: new Date(verdict.at).toISOString() }, 'temporary failure, will retry');
        break;
      case 'failed': {
        const { bounced, temporary, error } = verdict;
        await store.markFailed(campaignId, subscriberId, { ...verdict.recorded, bounced, temporary });
        log.info({ to: row.email, code: error.code, response: error.response, attempts: row.attempts, bounced }, 'delivery failed');
        break;
      }
    }
    tally.count(verdict);
  }
}
