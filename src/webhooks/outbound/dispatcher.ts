// Delivers the outbound events (webhook_events, recorded by the store with the change each one
// reports) to the operator's endpoint: signed per the Standard Webhooks spec (webhook-id,
// webhook-timestamp, webhook-signature over id.timestamp.body), retried with backoff when the
// endpoint is down or answers with an error, given up after the last attempt and kept for the
// console. At least once: the id stays the same on every attempt, so a receiver dedupes on it.
import { Webhook } from 'standardwebhooks';
import type { Config } from '../../config/config.js';
import type { EventQueue, QueuedEvent } from '../../domain/events.js';
import { QueuePump } from '../../delivery/queue-pump.js';
import type { Logger } from '../../logging.js';

/**
 * After the first attempt fails, the next ones come this long after the previous (the schedule
 * the Standard Webhooks spec suggests): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; eight attempts
 * over about 28 hours, then the event is `failed`.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

const DAY_MS = 86_400_000;

export interface DispatcherOptions {
  queue: EventQueue;
  logger: Logger;
  workerId: string;
  /** Unset: nothing is sent; events are only pruned after retentionDays. */
  url?: string;
  secret?: string;
  retentionDays: number;
  timeoutMs: number;
  /** Tests shorten these; production uses RETRY_DELAYS_MS. */
  retryDelaysMs?: readonly number[];
  pollMs?: number;
}

/** What an attempt ended with: the HTTP status (null when none came back) and, for a failure, why in one line. */
interface Attempt {
  status: number | null;
  error: string | null;
}

export class EventDispatcher {
  private readonly pump: QueuePump;
  private readonly signer: Webhook | null;
  private readonly delays: readonly number[];
  private prunedAt = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.signer = options.url && options.secret ? new Webhook(options.secret) : null;
    this.delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.pump = new QueuePump(
      (pump) => this.round(pump),
      options.pollMs ?? 2_000,
      (err) => options.logger.error({ err }, 'event webhook queue: could not use the store; trying again later'),
    );
  }

  start(): void {
    this.pump.start();
  }

  /** Something was recorded: deliver now. */
  kick(): void {
    this.pump.kick();
  }

  stop(): Promise<void> {
    return this.pump.stop();
  }

  drain(): Promise<void> {
    return this.pump.drain();
  }

  private async round(pump: { readonly stopped: boolean }): Promise<number | null> {
    const { queue, workerId, retentionDays } = this.options;
    if (Date.now() - this.prunedAt > 3_600_000) {
      this.prunedAt = Date.now();
      await queue.pruneEvents(new Date(Date.now() - retentionDays * DAY_MS), this.signer === null);
    }
    if (!this.signer) return null;
    for (;;) {
      if (pump.stopped) return null;
      // The lease outlives one request by far, so no other process takes the event meanwhile.
      const batch = await queue.claimEvents(workerId, 10, this.options.timeoutMs + 30_000);
      if (batch.length === 0) break;
      await Promise.all(batch.map((event) => this.deliver(event)));
    }
    return queue.nextEventDueAt();
  }

  private async deliver(event: QueuedEvent): Promise<void> {
    const { queue, logger } = this.options;
    const attempt = await this.post(event);
    const log = { msgId: event.msgId, type: event.type, attempt: event.attempts, status: attempt.status };
    if (attempt.error === null) {
      await queue.markEventDelivered(event.id, attempt.status!);
      logger.debug(log, 'event delivered');
      return;
    }
    // 410 Gone: the receiver says this endpoint no longer takes events (the spec's signal to stop).
    const delay = attempt.status === 410 ? undefined : this.delays[event.attempts - 1];
    if (delay === undefined) {
      await queue.markEventFailed(event.id, attempt.status, attempt.error);
      logger.error({ ...log, error: attempt.error }, `event not delivered after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}; giving up`);
      return;
    }
    const next = Date.now() + delay;
    await queue.markEventRetry(event.id, next, attempt.status, attempt.error);
    logger.warn({ ...log, error: attempt.error, next: new Date(next).toISOString() }, 'event not delivered yet; will retry');
  }

  private async post(event: QueuedEvent): Promise<Attempt> {
    const sentAt = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Pressroom',
      'webhook-id': event.msgId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': this.signer!.sign(event.msgId, sentAt, event.payload),
    };
    try {
      // No redirects: a 3xx is the endpoint's mistake, and following one could send the events elsewhere.
      const answer = await fetch(this.options.url!, { method: 'POST', headers, body: event.payload, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs) });
      await answer.body?.cancel();
      if (answer.status >= 200 && answer.status < 300) return { status: answer.status, error: null };
      return { status: answer.status, error: `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
      return { status: null, error: reason };
    }
  }
}

/** The dispatcher the configuration asks for (events.*): every process of the service runs one. */
export function eventDispatcher(config: Config, queue: EventQueue, logger: Logger, workerId: string): EventDispatcher {
  const { url, secret, retentionDays, timeoutSeconds } = config.events;
  return new EventDispatcher({ queue, logger, workerId, url, secret, retentionDays, timeoutMs: timeoutSeconds * 1000 });
}
