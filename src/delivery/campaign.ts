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
import { feedbackPolicy } from '../domain/feedback.js';
import { notEmailableText, whyNeverEmailed } from '../domain/publication.js';
import type { PreparedEmail } from '../email/message.js';
import type { RenderParts } from '../email/render-cache.js';
import type { Logger } from '../logging.js';
import type { Campaign, CampaignStats, Store } from '../storage/store.js';
import { brakeOf, CampaignBrakes, type BrakeStop } from './brakes.js';
import { ClaimQueue } from './claim-queue.js';
import { runLanes } from './lanes.js';
import { MarkCoalescer } from './mark-coalescer.js';
import { retryPolicy } from './outcome.js';
import { leaseTooShort, planSend } from './plan.js';
import { RunTally, type Progress } from './progress.js';
import type { RetryPolicy } from './retry.js';
import { CampaignRateLimiter } from './shared-rate-limit.js';
import type { Transport } from './transport-types.js';
import { sleep } from './sleep.js';

// Moved to their own modules; re-exported for the callers that import them from here.
export { MarkCoalescer } from './mark-coalescer.js';
export type { Progress } from './progress.js';

export class DeliveryError extends Error {}

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
  /** How long a claim is held; default config.smtp.leaseSeconds. */
  leaseMs?: number;
  /** Keep running until retries due later are done (default true); false returns when nothing is claimable now. */
  waitForRetries?: boolean;
  /** Pause of one lane after a connection-level failure, doubled while they continue; default 500 ms. */
  connectionPauseMs?: number;
  /** A prepared email to use instead of rendering the issue (default: rendered in a child process, see render-isolated.ts). */
  prepared?: PreparedEmail;
  /** How the issue is rendered when no earlier pass or worker has (default: in a child process; see render-cache.ts). */
  renderParts?: RenderParts;
  /** How often the campaign row is read for a pause or cancel while sending; default config.pollSeconds (10 s when 0). */
  brakeCheckMs?: number;
  /** How often the campaign's bounce and complaint rates are judged (automatic pause); default 5 s. */
  feedbackCheckMs?: number;
}

/** The automatic pause judges the rates (a scan of the campaign's ledger) at most this often by default. */
const FEEDBACK_CHECK_MS = 5000;

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
  /** Stopped (or never started) because the campaign is paused or cancelled. */
  braked: BrakeStop | null;
}

/** Drafts and `email: false` issues are never mailed, whoever asks. */
function checkEmailable(issue: Issue): void {
  const reason = whyNeverEmailed(issue);
  if (reason) throw new DeliveryError(`${issue.sourcePath}: "${issue.slug}" ${notEmailableText(reason, issue)}`);
}

/**
 * Creates the campaign for an issue (idempotent: a unique slug in the store), snapshotting the
 * recipients and recording the transport it is to be sent through (see transportIdentity; none:
 * its first sender's).
 */
export async function enqueueCampaign(store: Store, issue: Issue, transport: string | null = null): Promise<{ campaign: Campaign; created: boolean }> {
  checkEmailable(issue);
  return store.createCampaign({ slug: issue.slug, title: issue.title, topics: issueTopics(issue), transport, issueDate: issue.date.iso });
}

export async function sendCampaign(deps: SendCampaignDeps, issue: Issue): Promise<SendOutcome> {
  const { store, config, logger, workerId, signal, transport } = deps;
  const { campaign } = await enqueueCampaign(store, issue, transport.identity);
  const slug = campaign.slug;
  const log = logger.child({ campaign: slug, worker: workerId });

  const startStats = await store.campaignStats(campaign.id);
  if (startStats.finishedAt) {
    const braked = brakeOf(campaign);
    return { ...startStats, slug, recipients: campaign.recipients, sentNow: 0, failedNow: 0, unknownNow: 0, finished: true, aborted: false, alreadyFinished: true, braked };
  }
  // Campaigns created before transports were recorded belong to their first sender.
  const campaignTransport = campaign.transport ?? (await store.claimCampaignTransport(campaign.id, transport.identity));
  if (campaignTransport !== transport.identity) throw new TransportMismatchError(slug, campaignTransport, transport.identity);

  const plan = planSend({ smtp: config.smtp, leaseMs: deps.leaseMs, maxSendMs: transport.maxSendMs });
  const limiter = plan.sharedRate && plan.rate !== undefined ? new CampaignRateLimiter(store, campaign.id, plan.rate, { maxAsk: plan.lanes }) : null;
  if (leaseTooShort(plan)) {
    log.warn(
      { leaseMs: plan.leaseMs, maxSendMs: transport.maxSendMs },
      `the lease (${plan.leaseMs / 1000} s) is shorter than twice the transport's longest send: a message slower than ${Math.round(plan.leaseMargin / 1000)} s could be sent twice; raise smtp.leaseSeconds or lower ?messageTimeout / ?dataTimeout`,
    );
  }
  const queue = new ClaimQueue(store, campaign.id, workerId, plan.batchSize, plan.leaseMs);

  // Rows this worker id held when it last died: give them back now instead of after the lease.
  const reclaimed = await queue.giveBack();
  if (reclaimed > 0) log.info({ reclaimed }, `took back ${reclaimed} rows left in flight by a previous run of ${workerId}`);

  const brakeCheckMs = deps.brakeCheckMs ?? (config.pollSeconds > 0 ? config.pollSeconds * 1000 : 10_000);
  const brakes = new CampaignBrakes(store, campaign, feedbackPolicy(config), log, { stateMs: brakeCheckMs, ratesMs: deps.feedbackCheckMs ?? FEEDBACK_CHECK_MS });
  const pausedBefore = brakes.stopped();
  if (pausedBefore) return brakedOutcome(store, campaign, pausedBefore, log);

  // Rendered once per campaign (the store keeps the parts for later passes and other workers), in a
  // short-lived child process, so MJML never sits in the sender's memory.
  // Imported when a campaign first needs its email: a process that holds this module to enqueue or
  // report (a serving process between sends) does not load the composer, MIME and DKIM code.
  const prepared =
    deps.prepared ??
    (await (await import('../email/render-cache.js')).prepareIssueEmailCached({ store, config, log, workerId, render: deps.renderParts, signal }, issue, deps.secret));

  const tally = new RunTally(slug, campaign.recipients, startStats, deps.onProgress);
  const lanes = {
    store,
    campaignId: campaign.id,
    slug,
    transport,
    prepared,
    plan,
    queue,
    tally,
    limiter,
    log,
    signal,
    policy: retryPolicy(config.smtp.maxAttempts, deps.retry),
    marks: new MarkCoalescer(store, campaign.id),
    connectionPauseMs: deps.connectionPauseMs ?? 500,
    brakes,
  };

  log.info({ transport: transport.description, lanes: plan.lanes, batchSize: plan.batchSize, recipients: campaign.recipients }, 'sending');
  while (true) {
    queue.startRound();
    const round = await runLanes(lanes);
    if (round.halted || signal?.aborted || queue.holdsUnsent() || brakes.stopped()) {
      // Nothing is in flight now: every row still `sending` under our id was claimed, not sent.
      try {
        const released = await queue.giveBack();
        if (released > 0) log.info({ released }, `gave back ${released} claimed but unsent rows`);
      } catch (err) {
        if (!round.error) throw err; // else report the first failure; the leases cover the rows
      }
    }
    if (round.error || round.fatal) await brakes.settle(); // no check left running against a store the caller may close
    if (round.error) throw round.error;
    if (round.fatal) {
      tally.report(true);
      throw new DeliveryError(`${transport.description}: ${round.fatal.message}; stopped sending "${slug}" (nothing was marked failed; fix and run again)`);
    }
    if (signal?.aborted) break;
    // A claim that came back empty may mean a pause: read the campaign row once per round.
    if (brakes.stopped() ?? (await brakes.checkNow())) break;
    if (await store.finishCampaignIfDone(campaign.id)) break;
    if (!(deps.waitForRetries ?? true)) break;
    await awaitClaimable(store, campaign.id, tally, signal);
    if (signal?.aborted) break;
  }

  await brakes.settle();
  const braked = brakes.stopped();
  if (braked?.kind === 'cancelled') await store.cancelCampaign(campaign.id); // the rows just given back
  if (braked)
    log.info(
      { braked },
      braked.kind === 'cancelled' ? 'campaign cancelled: the messages in flight were finished' : 'campaign paused: the messages in flight were finished, the rest given back',
    );
  const stats = await store.campaignStats(campaign.id);
  // Count from the ledger, not memory: other workers may have sent part of the campaign too.
  tally.fromLedger(stats);
  tally.report(true);
  const finished = stats.finishedAt !== null;
  log.info({ sent: tally.sentNow, failed: tally.failedNow, finished, aborted: signal?.aborted === true }, 'campaign run ended');
  return {
    ...stats,
    slug,
    recipients: campaign.recipients,
    sentNow: tally.sentNow,
    failedNow: tally.failedNow,
    unknownNow: tally.unknownNow,
    finished,
    aborted: signal?.aborted === true && !finished,
    alreadyFinished: false,
    braked,
  };
}

/**
 * A campaign paused or cancelled before this run took anything: nothing is sent. A cancelled one
 * is cancelled again, which ends the rows a dead worker left once their lease has passed.
 */
async function brakedOutcome(store: Store, campaign: Campaign, braked: BrakeStop, log: Logger): Promise<SendOutcome> {
  if (braked.kind === 'cancelled') await store.cancelCampaign(campaign.id);
  log.info({ braked }, `campaign ${campaign.slug} is ${braked.kind}; nothing sent`);
  const stats = await store.campaignStats(campaign.id);
  const base = { slug: campaign.slug, recipients: campaign.recipients, sentNow: 0, failedNow: 0, unknownNow: 0, aborted: false, alreadyFinished: false };
  return { ...stats, ...base, finished: stats.finishedAt !== null, braked };
}

/**
 * Rows remain but none is claimable now: retries due later, or rows another worker holds. Waits
 * at most a second (another worker may finish or die), less if a retry is due sooner. The counts
 * (a scan of the whole ledger) are refreshed at most every 10 s: cheap polls, not scans.
 */
async function awaitClaimable(store: Store, campaignId: number, tally: RunTally, signal?: AbortSignal): Promise<void> {
  if (tally.ledgerScanDue()) tally.fromLedger(await store.campaignStats(campaignId));
  // From the ledger, not memory: retries scheduled by an earlier run or another worker count too.
  const nextRetry = await store.nextRetryAt(campaignId);
  const now = Date.now();
  tally.waitingUntil = nextRetry !== null && nextRetry > now ? nextRetry : null;
  tally.report(true);
  await sleep(Math.max(0, Math.min(nextRetry ?? Infinity, now + 1000) - now), signal);
  tally.waitingUntil = null;
}
