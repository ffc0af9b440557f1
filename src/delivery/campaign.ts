// The campaign pipeline, in small stages:
//   claim a batch of ledger rows (with a lease) -> build each recipient's message from the
//   render-once PreparedEmail -> hand it to the transport, at most `maxConnections` at a time ->
//   record each row's outcome right after its SMTP answer (`sent` marks of lanes answered in the
//   same event-loop turn are group-committed: one transaction, see MarkCoalescer).
//
// Exactly once: a row becomes `sent` only after the server's 250 for it, and is written before the
// lane takes another row. A process killed at any moment leaves `sending` rows; their lease expires
// (or the same worker id, restarted, gives them back at once) and they are claimed again. Rows not
// yet handed to the server are then sent once; the only possible duplicates are the messages the
// server had accepted but whose `sent` mark was not yet written: at most one per lane, i.e. at most
// `maxConnections` per kill. See docs/delivery.md.
import type { Config } from '../config/config.js';
import { issueTopics, type Issue } from '../content/issue.js';
import type { PreparedEmail } from '../email/message.js';
import { prepareIssueEmailIsolated } from '../email/render-isolated.js';
import type { Logger } from '../logging.js';
import type { Campaign, CampaignStats, Delivery, DeliveryOutcome, Store } from '../storage/store.js';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { CampaignRateLimiter, RateLimitAborted } from './shared-rate-limit.js';
import { SendError } from './send-error.js';
import type { Transport } from './transport-types.js';
import { sleep } from './sleep.js';

export class DeliveryError extends Error {}

/**
 * 30 minutes: the lease must cover twice the longest SMTP send (2 min up to the final dot + the
 * 10 min RFC 5321 wait for the answer after it, see smtp.ts), so that no message is started
 * closer to its lease's end than it may take (the margin below): 12 min 5 s of margin, 17 min 55 s
 * of each lease to start messages in.
 */
export const DEFAULT_LEASE_SECONDS = 1800;

/**
 * A campaign is sent only through the transport it was started with: a process whose transport
 * differs (e.g. a development server writing to the outbox while `send` uses SMTP) never claims
 * its rows.
 */
export class TransportMismatchError extends DeliveryError {
  constructor(
    readonly slug: string,
    readonly campaignTransport: string,
    readonly ownTransport: string,
  ) {
    super(
      `campaign "${slug}" is sent through ${campaignTransport}, but this process's transport is ${ownTransport}; ` +
        `it does not send it (use the same SMTP_URL for every command and process that sends it)`,
    );
  }
}

export interface Progress {
  slug: string;
  /** Recipients in the campaign snapshot. */
  total: number;
  sent: number;
  failed: number;
  bounced: number;
  /** Rows waiting for a later attempt. */
  retrying: number;
  /** Rows not yet in a final state (queued, sending, retry). */
  remaining: number;
  /** Messages accepted per second during this run. */
  rate: number;
  /** Seconds until done at the current rate; null before there is a rate. */
  etaSeconds: number | null;
  /** Epoch ms of the next retry the run is waiting for, when it is idle waiting. */
  waitingUntil: number | null;
}

export interface SendCampaignDeps {
  store: Store;
  transport: Transport;
  config: Config;
  logger: Logger;
  /**
   * Unique among live processes (see worker-id.ts); this worker's stale claims are given back at
   * start, so run at most one sendCampaign per (campaign, workerId) at a time.
   */
  workerId: string;
  secret: string;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Overrides of the backoff (maxAttempts comes from config.smtp). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** How long a claim is held; default config.smtp.leaseSeconds, else DEFAULT_LEASE_SECONDS. */
  leaseMs?: number;
  /** Keep running until retries due later are done (default true); false returns when nothing is claimable now. */
  waitForRetries?: boolean;
  /** Pause of one lane after a connection-level failure, doubled while they continue; default 500 ms. */
  connectionPauseMs?: number;
  /** A prepared email to use instead of rendering the issue (default: rendered in a child process, see render-isolated.ts). */
  prepared?: PreparedEmail;
}

export interface SendOutcome extends CampaignStats {
  slug: string;
  recipients: number;
  /** Accepted by the server during this call. */
  sentNow: number;
  /** Finally failed during this call. */
  failedNow: number;
  /** Lost after the final dot during this call (outcome unknown, not retried). */
  unknownNow: number;
  /** The campaign has nothing left to send. */
  finished: boolean;
  /** Stopped early by the abort signal. */
  aborted: boolean;
  /** The campaign was already finished before this call; nothing was sent. */
  alreadyFinished: boolean;
}

/** Drafts and `email: false` issues are never mailed, whoever asks. */
export function checkEmailable(issue: Issue): void {
  if (issue.draft) throw new DeliveryError(`${issue.sourcePath}: "${issue.slug}" is a draft; drafts are never emailed`);
  if (!issue.email) throw new DeliveryError(`${issue.sourcePath}: "${issue.slug}" has email: false; it is never emailed`);
}

/**
 * Creates the campaign for an issue (idempotent: a unique slug in the store), snapshotting the
 * recipients and recording the transport it is to be sent through (see transportIdentity; none:
 * its first sender's).
 */
export async function enqueueCampaign(store: Store, issue: Issue, transport: string | null = null): Promise<{ campaign: Campaign; created: boolean }> {
  checkEmailable(issue);
  return store.createCampaign({ slug: issue.slug, title: issue.title, topics: issueTopics(issue), transport });
}

export async function sendCampaign(deps: SendCampaignDeps, issue: Issue): Promise<SendOutcome> {
  const { store, config, logger, workerId, signal } = deps;
  const { campaign } = await enqueueCampaign(store, issue, deps.transport.identity);
  const slug = campaign.slug;
  const log = logger.child({ campaign: slug, worker: workerId });

  const startStats = await store.campaignStats(campaign.id);
  if (startStats.finishedAt) {
    return { ...startStats, slug, recipients: campaign.recipients, sentNow: 0, failedNow: 0, unknownNow: 0, finished: true, aborted: false, alreadyFinished: true };
  }
  // Campaigns created before transports were recorded belong to their first sender.
  const campaignTransport = campaign.transport ?? (await store.claimCampaignTransport(campaign.id, deps.transport.identity));
  if (campaignTransport !== deps.transport.identity) throw new TransportMismatchError(slug, campaignTransport, deps.transport.identity);

  const policy: RetryPolicy = { ...defaultRetryPolicy, ...deps.retry, maxAttempts: config.smtp.maxAttempts };
  const leaseMs = deps.leaseMs ?? (config.smtp.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const lanes = Math.max(1, config.smtp.maxConnections);
  // With a campaign-wide limit (the default when rateLimit is set) all workers draw on one bucket
  // in the store; see shared-rate-limit.ts. 'process' leaves it to the transport's local bucket.
  const rate = config.smtp.rateLimit;
  const sharedRate = rate !== undefined && (config.smtp.rateLimitScope ?? 'campaign') === 'campaign';
  const limiter = sharedRate ? new CampaignRateLimiter(store, campaign.id, rate, { maxAsk: lanes }) : null;
  // A claimed row must be handed over well before its lease ends; with a rate limit a big batch
  // could outlive its lease, so the batch shrinks to what the rate can send in half a lease. A
  // campaign-wide rate is shared by an unknown number of workers: the batch is an eighth of that,
  // so up to 8 equal workers still finish a batch within half a lease (with more, rows near the end
  // of their lease are given back unsent and claimed again: slower, never sent twice).
  const byRate = rate ? Math.max(lanes, Math.floor((rate * leaseMs) / (sharedRate ? 16_000 : 2000))) : Infinity;
  const batchSize = Math.max(1, Math.min(config.smtp.batchSize, byRate));
  // No send starts closer to its lease's end than the transport's longest send (plus slack), so a
  // message still in progress when its lease ends, which another worker could then send again,
  // cannot happen. A lease too short for that is clamped and reported.
  const wantedMargin = Math.max(Math.min(30_000, leaseMs / 4), (deps.transport.maxSendMs ?? 0) + 5_000);
  const leaseMargin = Math.min(wantedMargin, leaseMs / 2);
  if (wantedMargin > leaseMargin) {
    log.warn(
      { leaseMs, maxSendMs: deps.transport.maxSendMs },
      `the lease (${leaseMs / 1000} s) is shorter than twice the transport's longest send: a message slower than ${Math.round(leaseMargin / 1000)} s could be sent twice; raise smtp.leaseSeconds or lower ?messageTimeout / ?dataTimeout`,
    );
  }
  const pauseBase = deps.connectionPauseMs ?? 500;
  const waitForRetries = deps.waitForRetries ?? true;

  // Rows this worker id held when it last died: give them back now instead of after the lease.
  const reclaimed = await store.releaseClaims(campaign.id, workerId);
  if (reclaimed > 0) log.info({ reclaimed }, `took back ${reclaimed} rows left in flight by a previous run of ${workerId}`);

  // Rendered in a short-lived child process, so MJML never sits in the sender's memory.
  const prepared = deps.prepared ?? (await prepareIssueEmailIsolated(config, issue, deps.secret));

  const counts = { sent: startStats.sent, failed: startStats.failed, unknown: startStats.unknown, bounced: startStats.bounced, sentNow: 0, failedNow: 0, unknownNow: 0 };
  // Retrying rows: refreshed from the ledger between rounds, plus the retries this round scheduled.
  let retrying = startStats.retry;
  const started = performance.now();
  let waitingUntil: number | null = null;
  let lastStats = 0;
  let lastProgress = 0;

  const progress = (force = false) => {
    if (!deps.onProgress) return;
    const t = performance.now();
    if (!force && t - lastProgress < 200) return;
    lastProgress = t;
    const remaining = Math.max(0, campaign.recipients - counts.sent - counts.failed - counts.unknown);
    const rate = counts.sentNow / Math.max(0.001, (t - started) / 1000);
    deps.onProgress({
      slug,
      total: campaign.recipients,
      sent: counts.sent,
      failed: counts.failed,
      bounced: counts.bounced,
      retrying,
      remaining,
      rate,
      etaSeconds: rate > 0 ? remaining / rate : null,
      waitingUntil,
    });
  };

  const marks = new MarkCoalescer(store, campaign.id);
  const departures = new DepartureCheck(store, DEPARTURE_CHECK_MAX_AGE_MS);
  const halt: { fatal: SendError | null; error: unknown } = { fatal: null, error: null };
  let stop = false;
  const stopping = () => stop || signal?.aborted === true;

  const notSent = async (row: Delivery, why: string) => {
    await store.markFailed(campaign.id, row.subscriberId, { smtpCode: null, smtpResponse: `not sent: ${why}`, bounced: false, temporary: false });
    counts.failed++;
    counts.failedNow++;
  };

  /** Sends one claimed row and records the outcome. */
  const deliver = async (row: Delivery): Promise<'ok' | 'connection-error'> => {
    let message;
    try {
      message = prepared.messageFor({ id: row.subscriberId, email: row.email, name: row.name });
    } catch (err) {
      // The row's own data cannot make a message (e.g. an address the MIME layer refuses).
      await notSent(row, (err as Error).message);
      return 'ok';
    }
    if (limiter) {
      try {
        await limiter.take(signal);
      } catch (err) {
        if (!(err instanceof RateLimitAborted)) throw err;
        return 'ok'; // stopping: the row is still `sending` under our id and is given back below
      }
      if (row.leaseUntil !== null && Date.now() > row.leaseUntil - leaseMargin) {
        skippedExpired++; // waited too long for the rate: another worker may take it soon; give it back
        return 'ok';
      }
    }
    // A claim holds rows for up to a lease: whoever unsubscribed or was removed meanwhile is not
    // mailed. Checked right before the message goes to the transport (see DepartureCheck).
    const departed = await departures.departure(row.subscriberId, () => queue.map((r) => r.subscriberId));
    if (departed !== null) {
      await notSent(row, `subscriber ${departed} before sending`);
      return 'ok';
    }
    let outcome: { code: number; response: string } | SendError;
    try {
      outcome = await deps.transport.send(message, { campaign: slug });
    } catch (err) {
      outcome = err instanceof SendError ? err : new SendError(String((err as Error)?.message ?? err), { kind: 'temporary', response: String(err) });
    }
    if (!(outcome instanceof SendError)) {
      // The lane waits for its mark to be committed (with the other lanes' marks of this turn)
      // before it takes another row: still at most one unmarked message per lane.
      await marks.mark({ subscriberId: row.subscriberId, smtpCode: outcome.code, smtpResponse: outcome.response });
      counts.sent++;
      counts.sentNow++;
      return 'ok';
    }
    const e = outcome;
    const recorded = { smtpCode: e.code, smtpResponse: e.response || e.message };
    if (e.kind === 'fatal') {
      // Leave the row `sending`: it is given back (without counting the attempt) when the lanes stop.
      halt.fatal ??= e;
      stop = true;
      return 'ok';
    }
    if (e.kind === 'unknown-outcome') {
      // The server may have delivered it: sending it again could be a duplicate, so it is neither
      // retried nor failed; `pressroom retry --unknown` re-queues it if the operator decides so.
      await store.markUnknown(campaign.id, row.subscriberId, recorded);
      counts.unknown++;
      counts.unknownNow++;
      log.warn({ to: row.email, response: recorded.smtpResponse }, 'outcome unknown: lost after the final dot; not retried');
    } else if (e.kind === 'temporary' && row.attempts < policy.maxAttempts) {
      const next = Date.now() + backoffDelay(policy, row.attempts);
      await store.markRetry(campaign.id, row.subscriberId, next, recorded);
      retrying++;
      log.debug({ to: row.email, attempt: row.attempts, code: e.code, next: new Date(next).toISOString() }, 'temporary failure, will retry');
    } else {
      const bounced = e.kind === 'user-unknown';
      await store.markFailed(campaign.id, row.subscriberId, { ...recorded, bounced, temporary: e.kind === 'temporary' });
      counts.failed++;
      counts.failedNow++;
      if (bounced) counts.bounced++;
      log.info({ to: row.email, code: e.code, response: e.response, attempts: row.attempts, bounced }, 'delivery failed');
    }
    return e.code === null || e.code === 421 ? 'connection-error' : 'ok';
  };

  let queue: Delivery[] = [];
  let drained = false; // the last claim came back empty
  let skippedExpired = 0;

  const nextRow = async (): Promise<Delivery | undefined> => {
    if (queue.length === 0 && !drained && !stopping()) {
      // Lanes run on one thread: only the lane that finds the queue empty claims; others wait on it.
      claiming ??= store.claimBatch(campaign.id, workerId, batchSize, leaseMs).then(
        (rows) => {
          queue = rows;
          if (rows.length === 0) drained = true;
        },
      ).finally(() => {
        claiming = null;
      });
      await claiming;
    }
    return queue.shift();
  };
  let claiming: Promise<void> | null = null;

  // A lane that throws (the store failed) stops all lanes; the error is rethrown once they settle.
  const lane = async () => {
    try {
      await laneLoop();
    } catch (err) {
      halt.error ??= err;
      stop = true;
    }
  };
  const laneLoop = async () => {
    let consecutiveConnErrors = 0;
    while (!stopping()) {
      if (claiming) await claiming;
      const row = await nextRow();
      if (!row || stopping()) {
        if (row) queue.unshift(row);
        return;
      }
      if (row.leaseUntil !== null && Date.now() > row.leaseUntil - leaseMargin) {
        skippedExpired++; // too late to send safely; given back below
        continue;
      }
      const r = await deliver(row);
      progress();
      if (r === 'connection-error') {
        consecutiveConnErrors++;
        await sleep(Math.min(30_000, pauseBase * 2 ** (consecutiveConnErrors - 1)), signal);
      } else {
        consecutiveConnErrors = 0;
      }
    }
  };

  log.info({ transport: deps.transport.description, lanes, batchSize, recipients: campaign.recipients }, 'sending');
  while (true) {
    drained = false;
    await Promise.all(Array.from({ length: lanes }, lane));
    if (stopping() || skippedExpired > 0 || queue.length > 0) {
      // Nothing is in flight now: every row still `sending` under our id was claimed, not sent.
      try {
        const released = await store.releaseClaims(campaign.id, workerId);
        if (released > 0) log.info({ released }, `gave back ${released} claimed but unsent rows`);
      } catch (err) {
        if (!halt.error) throw err; // else report the first failure; the leases cover the rows
      }
      queue = [];
      skippedExpired = 0;
    }
    if (halt.error) throw halt.error;
    if (halt.fatal) {
      progress(true);
      throw new DeliveryError(`${deps.transport.description}: ${halt.fatal.message}; stopped sending "${slug}" (nothing was marked failed; fix and run again)`);
    }
    if (signal?.aborted) break;
    if (await store.finishCampaignIfDone(campaign.id)) break;
    if (!waitForRetries) break;
    // Rows remain but none is claimable now: retries due later, or rows another worker holds.
    // Poll at least every second (another worker may finish or die), sooner if a retry is due.
    // The counts (a scan of the whole ledger) are refreshed at most every 10 s: cheap polls, not scans.
    if (performance.now() - lastStats >= 10_000) {
      lastStats = performance.now();
      const between = await store.campaignStats(campaign.id);
      Object.assign(counts, { sent: between.sent, failed: between.failed, unknown: between.unknown, bounced: between.bounced });
      retrying = between.retry;
    }
    // From the ledger, not memory: retries scheduled by an earlier run or another worker count too.
    const nextRetry = await store.nextRetryAt(campaign.id);
    const now = Date.now();
    waitingUntil = nextRetry !== null && nextRetry > now ? nextRetry : null;
    progress(true);
    await sleep(Math.max(0, Math.min(nextRetry ?? Infinity, now + 1000) - now), signal);
    waitingUntil = null;
    if (signal?.aborted) break;
  }

  const stats = await store.campaignStats(campaign.id);
  // Count from the ledger, not memory: other workers may have sent part of the campaign too.
  Object.assign(counts, { sent: stats.sent, failed: stats.failed, unknown: stats.unknown, bounced: stats.bounced });
  retrying = stats.retry;
  progress(true);
  const finished = stats.finishedAt !== null;
  log.info({ sent: counts.sentNow, failed: counts.failedNow, finished, aborted: signal?.aborted === true }, 'campaign run ended');
  return {
    ...stats,
    slug,
    recipients: campaign.recipients,
    sentNow: counts.sentNow,
    failedNow: counts.failedNow,
    unknownNow: counts.unknownNow,
    finished,
    aborted: signal?.aborted === true && !finished,
    alreadyFinished: false,
  };
}

/** How old a departure check may be when its row is handed to the transport. */
export const DEPARTURE_CHECK_MAX_AGE_MS = 1000;

/**
 * "Has this subscriber left since the claim?" for every row, at a cost that does not grow with the
 * message rate: one store query (`departedSubscribers`) covers the rows waiting for the check and
 * every claimed row behind them, and is reused for rows handed to the transport within `maxAgeMs`
 * of it (a per-row read costs a PostgreSQL round trip per message; BENCHMARKS.md "send"). A lane
 * that arrives while a query runs is covered by the next one, so at most two queries are waited for.
 */
export class DepartureCheck {
  private checkedAt = -Infinity;
  private covered = new Set<number>();
  private departed = new Map<number, string>();
  private readonly waiting = new Set<number>();
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs: number,
  ) {}

  /** The subscriber's status if it is no longer active ('removed' when gone), else null. */
  async departure(subscriberId: number, upcoming: () => number[]): Promise<string | null> {
    while (performance.now() - this.checkedAt > this.maxAgeMs || !this.covered.has(subscriberId)) {
      this.waiting.add(subscriberId);
      this.refreshing ??= this.refresh(upcoming).finally(() => {
        this.refreshing = null;
      });
      await this.refreshing;
    }
    return this.departed.get(subscriberId) ?? null;
  }

  private async refresh(upcoming: () => number[]): Promise<void> {
    const ids = [...new Set([...this.waiting, ...upcoming()])];
    this.waiting.clear();
    const started = performance.now();
    this.departed = await this.store.departedSubscribers(ids);
    this.covered = new Set(ids);
    this.checkedAt = started;
  }
}

/**
 * Group commit of `sent` marks. Lanes whose SMTP answers arrive in the same event-loop turn queue
 * their marks; one `markSentMany` (one transaction) writes them all in the check phase of that turn
 * (setImmediate), and each lane's promise settles only once its mark is committed (or rejects with
 * the store's error). While a write is in progress the next marks gather for the following one.
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
      await this.store.markSentMany(this.campaignId, batch.map((p) => p.mark));
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.writing = false;
      this.schedule();
    }
  }
}
