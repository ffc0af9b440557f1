// The storage interface. Everything above it (delivery, CLI, server, worker) talks to a Store and
// never to SQL; its rules are written once in src/storage/core/ over the SQLite and PostgreSQL dialects.
import { invalidAddressMessage } from '../domain/address.js';
import type { FeedbackEvent, FeedbackOutcome, FeedbackPolicy, FeedbackRecorder } from '../domain/feedback.js';
import type { EventQueue } from '../domain/events.js';
import type { SubscriberStatus } from '../domain/subscriber-status.js';
import type { AccountStore } from './accounts.js';
import type { WorkerStore } from './workers.js';
import type { CampaignErrors } from '../domain/smtp-errors.js';

export type { SubscriberStatus } from '../domain/subscriber-status.js';

export interface Subscriber {
  id: number;
  /** Stored as given (NFKC, trimmed); matched by its canonical form (src/domain/address.ts). */
  email: string;
  name: string | null;
  status: SubscriberStatus;
  /** Tags/categories wanted; empty = everything. */
  topics: string[];
  createdAt: string; // ISO 8601 UTC
  confirmedAt: string | null;
  unsubscribedAt: string | null;
  source: string | null;
}

export interface NewSubscriber {
  email: string;
  name?: string | null;
  topics?: string[];
  status?: SubscriberStatus; // default 'active' for operator adds/imports, 'pending' for sign-ups
  source?: string | null;
}

/**
 * `unknown`: the connection was lost or timed out after the message's final dot, before the
 * server's answer, so the server may or may not hold it. Final like `sent`/`failed`: never retried
 * automatically (that could deliver it twice); `pressroom retry SLUG --unknown` re-queues it.
 */
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'retry' | 'failed' | 'unknown' | 'cancelled';

export interface Campaign {
  id: number;
  slug: string;
  title: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Size of the recipient snapshot taken at creation. */
  recipients: number;
  /**
   * Identity of the transport the campaign is sent through (e.g. `smtp://mail.example.org:587`,
   * `outbox`; see transportIdentity), recorded at creation; null for campaigns created before it
   * was recorded (the first sender adopts them: claimCampaignTransport).
   */
  transport: string | null;
  /** Set while the campaign is paused (by `pressroom pause` or by itself: pauseReason says why); no worker claims its rows. */
  pausedAt: string | null;
  /**
   * Why it paused itself (automatic pause), null for an operator's pause. Kept after a resume: a
   * reason without pausedAt means an operator resumed an automatic pause, and the campaign does not
   * pause itself again (src/delivery/brakes.ts).
   */
  pauseReason: string | null;
  /** `pressroom cancel`: its unsent rows ended `cancelled`. */
  cancelledAt: string | null;
  /** The issue's date when the campaign was created (RFC 3339, the author's offset); null for campaigns older than migration 9. */
  issueDate: string | null;
}

/** What cancelCampaign did. */
export interface CancelOutcome {
  /** False when the campaign had finished (or does not exist): nothing changed. */
  applied: boolean;
  /** Rows that became `cancelled` in this call. */
  rows: number;
  /** Nothing is in flight any more: the campaign is finished. */
  finished: boolean;
}

/** One ledger row: one (campaign, subscriber) pair. */
export interface Delivery {
  campaignId: number;
  subscriberId: number;
  email: string;
  name: string | null;
  state: DeliveryState;
  attempts: number;
  /** Epoch ms before which a `retry` row must not be claimed. */
  nextAttemptAt: number | null;
  smtpCode: number | null;
  smtpResponse: string | null;
  workerId: string | null;
  /** Epoch ms; a `sending` row whose lease has passed may be reclaimed. */
  leaseUntil: number | null;
}

export interface CampaignStats {
  queued: number;
  sending: number;
  sent: number;
  retry: number;
  failed: number;
  /** Lost after the final dot: the server may hold the message (see DeliveryState). */
  unknown: number;
  /** `pressroom cancel`: rows that were never sent. */
  cancelled: number;
  /** Hard bounces: refused during the SMTP conversation, or reported later (DSN, webhook). */
  bounced: number;
  /** Rows with at least one soft bounce reported. */
  softBounced: number;
  /** Rows whose recipient complained (ARF report, provider webhook). */
  complained: number;
  /** What rates are taken of: messages a server answered for (sent, plus refused as bounces). */
  attempted: number;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Every campaign's ledger at once (for /metrics): one query whatever the number of campaigns. */
export interface LedgerTotals {
  deliveries: Omit<CampaignStats, 'startedAt' | 'finishedAt'>;
  campaigns: { unfinished: number; finished: number };
}

/** Which subscribers a list or count is about (src/storage/core/subscriber-search.ts). */
export interface SubscriberFilter {
  status?: SubscriberStatus;
  /** A case-insensitive prefix of the address or of the name. */
  search?: string;
  /** Only those who chose this topic (not those with no topics, who get everything). */
  topic?: string;
}

export interface SubscriberQuery extends SubscriberFilter {
  /** Keyset pagination: only ids greater than this (the list is in id order). */
  afterId?: number;
  limit: number;
}

/** What an operator may change about a subscriber; an absent field stays as it is. */
export interface SubscriberChanges {
  name?: string | null;
  topics?: string[];
  status?: SubscriberStatus;
}

export interface DeliveryOutcome {
  smtpCode: number | null;
  smtpResponse: string | null;
}

/** What `takeSendPermits` granted: how many messages may go now, and when to ask again for the rest. */
export interface SendPermits {
  granted: number;
  /** 0 when everything asked for was granted; else ms until the rest (up to the burst) should be there. */
  waitMs: number;
}

export type SystemMailKind = 'confirm' | 'welcome';

/**
 * One confirm or welcome email in the durable queue. It names the subscriber, never the address:
 * the address is read when the message goes out (so an erased subscriber leaves nothing here).
 * Same life cycle as a ledger row: queued -> sending (leased) -> sent | retry | failed.
 */
export interface SystemMail {
  id: number;
  kind: SystemMailKind;
  subscriberId: number;
  state: DeliveryState;
  attempts: number;
  createdAt: string;
  nextAttemptAt: number | null;
  smtpCode: number | null;
  smtpResponse: string | null;
  workerId: string | null;
  leaseUntil: number | null;
}

/** A ledger row as the per-person export shows it: the campaign named, every stored column. */
export interface ExportedDelivery extends Delivery {
  campaign: string;
  campaignTitle: string;
  bounced: boolean;
  temporary: boolean;
}

/** Everything the store holds about one address (GDPR access request). */
export interface SubscriberExport {
  /** Null when only ledger rows are left (a subscriber removed before erasure existed). */
  subscriber: Subscriber | null;
  deliveries: ExportedDelivery[];
  systemMail: SystemMail[];
}

export class DuplicateSubscriberError extends Error {
  constructor(readonly email: string) {
    super(`${email}: already subscribed`);
  }
}

/** An address that fails validation (see src/storage/email.ts). Message: `email: "x" is not an email address (why)`. */
export class InvalidEmailError extends Error {
  constructor(
    readonly email: string,
    readonly problem: string,
  ) {
    super(invalidAddressMessage(email, problem));
  }
}

/**
 * What claimRender found for a render key: the stored parts (JSON text and its SHA-256, as saved);
 * a claim for the caller (it renders, then saveRender or releaseRender); or another worker's
 * claim, held until `until` (epoch ms).
 */
export type RenderClaim = { kind: 'stored'; parts: string; digest: string } | { kind: 'claimed' } | { kind: 'busy'; until: number };

/** The store cannot be opened or used (read-only file, unreachable database, newer schema...). One line. */
export class StoreError extends Error {}

/** Also the console's operators, sessions and API tokens (AccountStore, src/storage/accounts.ts) and the processes' heartbeats (WorkerStore, src/storage/workers.ts). */
export interface Store extends FeedbackRecorder, AccountStore, EventQueue, WorkerStore {
  /** Creates or upgrades the schema (versioned migrations); safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  addSubscriber(input: NewSubscriber, now?: Date): Promise<Subscriber>; // DuplicateSubscriberError
  /**
   * Inserts many in one transaction; duplicates (already stored or repeated) are skipped, not errors.
   * Throws InvalidEmailError (and writes nothing) if any address is invalid: validate first.
   * Callers with large files pass chunks (e.g. 5,000 rows) so memory stays flat.
   */
  importSubscribers(rows: NewSubscriber[], now?: Date): Promise<{ added: number; duplicates: number; suppressed: number }>;
  getSubscriber(id: number): Promise<Subscriber | null>;
  findSubscriberByEmail(email: string): Promise<Subscriber | null>;
  listSubscribers(query: SubscriberQuery): Promise<Subscriber[]>;
  countSubscribers(status?: SubscriberStatus): Promise<number>;
  /** How many subscribers match, counted up to `upTo` (returns at most upTo). */
  countMatchingSubscribers(filter: SubscriberFilter, upTo: number): Promise<number>;
  /**
   * Changes name, topics and status; the status through setSubscriberStatus (its events,
   * suppression and cancelled mail). Returns the subscriber as it is now, or null if there is none.
   */
  updateSubscriber(id: number, changes: SubscriberChanges, now?: Date): Promise<Subscriber | null>;
  /**
   * Returns whether the subscriber changed. With `from`, only a subscriber currently in that status
   * changes (compare-and-set): of two confirm clicks at the same moment exactly one wins.
   */
  setSubscriberStatus(id: number, status: SubscriberStatus, now?: Date, from?: SubscriberStatus): Promise<boolean>;
  setSubscriberTopics(id: number, topics: string[]): Promise<void>;
  removeSubscriber(email: string): Promise<boolean>;
  /**
   * Removes every trace of the address: the subscriber row and its queued system mail are deleted;
   * its ledger rows keep campaign, state, attempts and SMTP code but lose email and name, and the
   * address is cut out of their SMTP responses; rows not yet sent end `failed` ("not sent:
   * subscriber erased"). Also finds ledger rows left by an earlier plain removal. SQLite overwrites
   * the freed bytes and empties the WAL. Returns whether anything matched.
   */
  eraseSubscriber(email: string): Promise<boolean>;
  /** Everything stored about the address, or null when nothing is. */
  exportSubscriber(email: string): Promise<SubscriberExport | null>;

  /**
   * Idempotent: a unique constraint on slug, not check-then-insert. On first creation it snapshots
   * the recipients (active subscribers whose topics are empty or intersect `topics`) into the ledger
   * as `queued`, in the same transaction.
   */
  createCampaign(
    input: { slug: string; title: string; topics: string[]; transport?: string | null; issueDate?: string | null },
    now?: Date,
  ): Promise<{ campaign: Campaign; created: boolean }>;
  /**
   * `pressroom send SLUG --newcomers`: every recipient of the campaign (by its topics, as the
   * snapshot) with no ledger row in it yet gets a queued one, in one INSERT ... SELECT ... WHERE NOT
   * EXISTS; `recipients` grows by as many, and the campaign is reopened (finishedAt null) when any
   * was added. Idempotent: a second call adds nobody; whoever has a row (sent or not) is never added.
   * A cancelled campaign gets nobody. Returns how many rows were added.
   */
  addNewcomers(campaignId: number): Promise<number>;
  /** Records `transport` on a campaign that has none yet (compare-and-set); returns the campaign's transport (the first writer wins). */
  claimCampaignTransport(campaignId: number, transport: string): Promise<string>;
  getCampaign(slug: string): Promise<Campaign | null>;
  listCampaigns(): Promise<Campaign[]>;
  campaignStats(campaignId: number): Promise<CampaignStats>;
  ledgerTotals(): Promise<LedgerTotals>;
  /** campaignStats (without times) of the newest `limit` campaigns, by slug: one query (for /metrics). */
  recentCampaignStats(limit: number): Promise<Map<string, CampaignStats>>;
  /** Per worker: how many rows each worker has sent / holds, for `status`. */
  workerStats(campaignId: number): Promise<Array<{ workerId: string; sent: number; sending: number }>>;
  /** Failed and retrying rows grouped by SMTP code and normalised response, largest first (src/domain/smtp-errors.ts). */
  campaignErrors(campaignId: number): Promise<CampaignErrors>;

  /**
   * Atomically moves up to `limit` claimable rows to `sending` for `workerId` with a lease until
   * now + leaseMs. Claimable: `queued`; `retry` whose nextAttemptAt <= now; `sending` whose lease
   * has expired (its worker died). Marks the campaign started.
   */
  claimBatch(campaignId: number, workerId: string, limit: number, leaseMs: number, now?: number): Promise<Delivery[]>;
  // Attempts: every claim counts one attempt (so a message that kills its worker is still bounded);
  // the returned rows already include it (first claim -> attempts = 1). releaseClaims gives it back.
  // markSent/markRetry/markFailed never move a row that is already `sent`.
  markSent(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void>;
  /**
   * Group commit: `markSent` for many rows of one campaign in one transaction (all or none). The
   * pipeline gathers the marks of the lanes answered in the same event-loop turn into one call.
   */
  markSentMany(campaignId: number, marks: Array<{ subscriberId: number } & DeliveryOutcome>): Promise<void>;
  markRetry(campaignId: number, subscriberId: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void>;
  /** `bounced` also sets the subscriber's status to `bounced`. */
  markFailed(campaignId: number, subscriberId: number, outcome: DeliveryOutcome & { bounced: boolean; temporary: boolean }): Promise<void>;
  /**
   * Of these subscriber ids, the ones no longer `active`, with their status, or 'removed' when the
   * subscriber is gone. One query for a whole claimed batch: the pipeline checks its rows with it
   * shortly before handing them to the transport.
   */
  departedSubscribers(ids: number[]): Promise<Map<number, SubscriberStatus | 'removed'>>;
  /** `unknown` outcome (see DeliveryState): final, not retried. */
  markUnknown(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void>;
  /** Gives rows back to `queued` (graceful shutdown) without counting an attempt. */
  releaseClaims(campaignId: number, workerId: string): Promise<number>;
  /** `pressroom retry`: failed rows whose failure was temporary go back to `queued`. */
  requeueTemporaryFailures(campaignId: number): Promise<number>;
  /** `pressroom retry --unknown`: rows whose outcome is unknown (of still active subscribers) go back to `queued`. */
  requeueUnknownOutcomes(campaignId: number): Promise<number>;
  /** Epoch ms of the earliest pending retry of the campaign, or null when none is waiting. */
  nextRetryAt(campaignId: number): Promise<number | null>;
  /**
   * Slugs of unfinished campaigns with at least one row claimable now (queued, a retry that is due,
   * or a lease that has expired), oldest first: what an idle worker should pick up. One indexed probe
   * per unfinished campaign.
   */
  pendingCampaigns(now?: number): Promise<string[]>;
  /**
   * Pauses a running campaign (compare-and-set: false when it is paused, cancelled or finished
   * already); `reason` null for an operator's pause. Claims take nothing from a paused campaign;
   * its workers finish what is in flight and give the rest back.
   */
  pauseCampaign(campaignId: number, reason: string | null, now?: Date): Promise<boolean>;
  /** Resumes a paused campaign (false when it was not paused); its rows are claimable again. */
  resumeCampaign(campaignId: number): Promise<boolean>;
  /**
   * Cancels an unfinished campaign: rows not yet sent (queued, retry, and `sending` whose lease has
   * passed) become `cancelled`; rows `sending` under a live lease are left to their worker, and the
   * campaign is finished once none is left. Idempotent: call again to cancel what was given back since.
   */
  cancelCampaign(campaignId: number, now?: Date): Promise<CancelOutcome>;
  /** Sets finishedAt when nothing is queued, sending or retrying; returns whether it is finished. */
  finishCampaignIfDone(campaignId: number, now?: Date): Promise<boolean>;

  /**
   * Campaign-wide rate limit, shared by every process using this store: a token bucket row per
   * campaign, refilled at `ratePerSecond` up to `burst` tokens (a new bucket starts full), read and
   * updated in one atomic statement. Takes up to `want` tokens now. `now` (epoch ms) defaults to
   * the database's own clock, so workers on machines whose clocks differ share one timeline.
   */
  takeSendPermits(campaignId: number, want: number, ratePerSecond: number, burst: number, now?: number): Promise<SendPermits>;

  /** Queues a confirm/welcome email (durably: it survives a restart). */
  enqueueSystemMail(kind: SystemMailKind, subscriberId: number, now?: Date): Promise<SystemMail>;
  /**
   * Like claimBatch for the system mail queue: up to `limit` rows that are queued, due for retry
   * or whose lease expired move to `sending` for `workerId` until now + leaseMs, one attempt counted.
   * Two processes never get the same row.
   */
  claimSystemMail(workerId: string, limit: number, leaseMs: number, now?: number): Promise<SystemMail[]>;
  // Like the ledger's marks: never move a row that is already `sent`.
  markSystemMailSent(id: number, outcome: DeliveryOutcome): Promise<void>;
  markSystemMailRetry(id: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void>;
  markSystemMailFailed(id: number, outcome: DeliveryOutcome): Promise<void>;
  /** Epoch ms at which the next system mail row becomes claimable (0 = now), or null when none waits. */
  nextSystemMailAt(): Promise<number | null>;

  /**
   * The render cache (src/email/render-cache.ts): one render per key across processes. Returns the
   * stored parts, or claims the key for leaseMs for workerId (first caller, the claim before has
   * lapsed, or it was workerId's own: that run died), or says until when another holds it. Atomic:
   * of racing callers exactly one gets the claim.
   */
  claimRender(key: string, workerId: string, leaseMs: number, now?: number): Promise<RenderClaim>;
  /** Stores the parts for the key (replacing what was there) and drops entries saved over 30 days ago. */
  saveRender(key: string, parts: string, digest: string, now?: number): Promise<void>;
  /** Gives up a claim without parts (the render failed), so waiting workers try at once. */
  releaseRender(key: string): Promise<void>;

  /** A bounce or complaint read back (src/domain/feedback.ts; rules in src/storage/core/feedback.ts). Idempotent by (source, eventId). */
  recordFeedback(event: FeedbackEvent, policy: FeedbackPolicy, now?: Date): Promise<FeedbackOutcome>;

  /** Small key/value settings (e.g. the worker's back-catalogue watermark). */
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  /** Stores `value` unless `key` is already set; returns the stored value (the first writer wins, across processes). */
  initSetting(key: string, value: string): Promise<string>;
}
