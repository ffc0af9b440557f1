// The Store over a dialect: every rule lives in the modules beside this one (subscribers,
// campaigns, ledger, system mail, privacy, settings; the console's accounts in sql-accounts.ts), written once; an adapter opens the
// connection, supplies its Dialect and runs its migrations.
import type {
  Campaign,
  CampaignStats,
  CancelOutcome,
  Delivery,
  DeliveryOutcome,
  LedgerTotals,
  NewSubscriber,
  RenderClaim,
  SendPermits,
  Store,
  Subscriber,
  SubscriberChanges,
  SubscriberExport,
  SubscriberFilter,
  SubscriberQuery,
  SubscriberStatus,
  SystemMail,
  SystemMailKind,
} from '../store.js';
import type { EventQueueReport, QueuedEvent } from '../../domain/events.js';
import type { FeedbackEvent, FeedbackOutcome, FeedbackPolicy } from '../../domain/feedback.js';
import * as brakes from './brakes.js';
import * as campaigns from './campaigns.js';
import type { CampaignErrors } from '../../domain/smtp-errors.js';
import * as errors from './errors.js';
import * as events from './events.js';
import * as feedback from './feedback.js';
import * as ledger from './ledger.js';
import * as privacy from './privacy.js';
import * as renderCache from './render-cache.js';
import * as settings from './settings.js';
import { SqlAccounts } from './sql-accounts.js';
import * as search from './subscriber-search.js';
import * as subscribers from './subscribers.js';
import * as systemMail from './system-mail.js';
import * as workers from './workers.js';
import type { SystemMailCounts, WorkerBeat, WorkerClaims } from '../workers.js';

/** The console's accounts come from SqlAccounts (core/sql-accounts.ts). */
export abstract class SqlStore extends SqlAccounts implements Store {
  abstract migrate(): Promise<void>;
  abstract close(): Promise<void>;

  // ---- Subscribers (core/subscribers.ts, core/privacy.ts) ------------------------------------

  addSubscriber(input: NewSubscriber, now: Date = new Date()): Promise<Subscriber> {
    return subscribers.addSubscriber(this.db, input, now);
  }
  importSubscribers(rows: NewSubscriber[], now: Date = new Date()): Promise<{ added: number; duplicates: number; suppressed: number }> {
    return subscribers.importSubscribers(this.db, rows, now);
  }
  getSubscriber(id: number): Promise<Subscriber | null> {
    return subscribers.getSubscriber(this.db, id);
  }
  findSubscriberByEmail(email: string): Promise<Subscriber | null> {
    return subscribers.findSubscriberByEmail(this.db, email);
  }
  listSubscribers(query: SubscriberQuery): Promise<Subscriber[]> {
    return search.searchSubscribers(this.db, query);
  }
  countMatchingSubscribers(filter: SubscriberFilter, upTo: number): Promise<number> {
    return search.countMatchingSubscribers(this.db, filter, upTo);
  }
  updateSubscriber(id: number, changes: SubscriberChanges, now: Date = new Date()): Promise<Subscriber | null> {
    return subscribers.updateSubscriber(this.db, id, changes, now);
  }
  countSubscribers(status?: SubscriberStatus): Promise<number> {
    return subscribers.countSubscribers(this.db, status);
  }
  setSubscriberStatus(id: number, status: SubscriberStatus, now: Date = new Date(), from?: SubscriberStatus): Promise<boolean> {
    return subscribers.setSubscriberStatus(this.db, id, status, now, from);
  }
  setSubscriberTopics(id: number, topics: string[]): Promise<void> {
    return subscribers.setSubscriberTopics(this.db, id, topics);
  }
  removeSubscriber(email: string): Promise<boolean> {
    return subscribers.removeSubscriber(this.db, email);
  }
  eraseSubscriber(email: string): Promise<boolean> {
    return privacy.eraseSubscriber(this.db, email);
  }
  exportSubscriber(email: string): Promise<SubscriberExport | null> {
    return privacy.exportSubscriber(this.db, email);
  }

  // ---- Campaigns (core/campaigns.ts) ----------------------------------------------------------

  createCampaign(input: campaigns.NewCampaign, now: Date = new Date()): Promise<{ campaign: Campaign; created: boolean }> {
    return campaigns.createCampaign(this.db, input, now);
  }
  addNewcomers(campaignId: number): Promise<number> {
    return campaigns.addNewcomers(this.db, campaignId);
  }
  claimCampaignTransport(campaignId: number, transport: string): Promise<string> {
    return campaigns.claimCampaignTransport(this.db, campaignId, transport);
  }
  getCampaign(slug: string): Promise<Campaign | null> {
    return campaigns.getCampaign(this.db, slug);
  }
  listCampaigns(): Promise<Campaign[]> {
    return campaigns.listCampaigns(this.db);
  }
  campaignStats(campaignId: number): Promise<CampaignStats> {
    return campaigns.campaignStats(this.db, campaignId);
  }
  ledgerTotals(): Promise<LedgerTotals> {
    return campaigns.ledgerTotals(this.db);
  }
  recentCampaignStats(limit: number): Promise<Map<string, CampaignStats>> {
    return campaigns.recentCampaignStats(this.db, limit);
  }
  workerStats(campaignId: number): Promise<Array<{ workerId: string; sent: number; sending: number }>> {
    return campaigns.workerStats(this.db, campaignId);
  }
  campaignErrors(campaignId: number): Promise<CampaignErrors> {
    return errors.campaignErrors(this.db, campaignId);
  }
  pendingCampaigns(now: number = Date.now()): Promise<string[]> {
    return campaigns.pendingCampaigns(this.db, now);
  }
  finishCampaignIfDone(campaignId: number, now: Date = new Date()): Promise<boolean> {
    return campaigns.finishCampaignIfDone(this.db, campaignId, now);
  }

  // ---- Brakes (core/brakes.ts) ----------------------------------------------------------------

  pauseCampaign(campaignId: number, reason: string | null, now: Date = new Date()): Promise<boolean> {
    return brakes.pauseCampaign(this.db, campaignId, reason, now);
  }
  resumeCampaign(campaignId: number): Promise<boolean> {
    return brakes.resumeCampaign(this.db, campaignId);
  }
  cancelCampaign(campaignId: number, now: Date = new Date()): Promise<CancelOutcome> {
    return brakes.cancelCampaign(this.db, campaignId, now);
  }

  // ---- Ledger (core/ledger.ts) ----------------------------------------------------------------

  claimBatch(campaignId: number, workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<Delivery[]> {
    return ledger.claimBatch(this.db, campaignId, workerId, limit, leaseMs, now);
  }
  markSent(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
    return ledger.markSent(this.db, campaignId, subscriberId, outcome);
  }
  async markSentMany(campaignId: number, marks: Array<{ subscriberId: number } & DeliveryOutcome>): Promise<void> {
    if (marks.length > 0) await this.db.markSentMany(campaignId, marks);
  }
  markRetry(campaignId: number, subscriberId: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
    return ledger.markRetry(this.db, campaignId, subscriberId, nextAttemptAt, outcome);
  }
  markFailed(campaignId: number, subscriberId: number, outcome: DeliveryOutcome & { bounced: boolean; temporary: boolean }): Promise<void> {
    return ledger.markFailed(this.db, campaignId, subscriberId, outcome);
  }
  departedSubscribers(ids: number[]): Promise<Map<number, SubscriberStatus | 'removed'>> {
    return ledger.departedSubscribers(this.db, ids);
  }
  markUnknown(campaignId: number, subscriberId: number, outcome: DeliveryOutcome): Promise<void> {
    return ledger.markUnknown(this.db, campaignId, subscriberId, outcome);
  }
  releaseClaims(campaignId: number, workerId: string): Promise<number> {
    return ledger.releaseClaims(this.db, campaignId, workerId);
  }
  requeueTemporaryFailures(campaignId: number): Promise<number> {
    return ledger.requeueTemporaryFailures(this.db, campaignId);
  }
  requeueUnknownOutcomes(campaignId: number): Promise<number> {
    return ledger.requeueUnknownOutcomes(this.db, campaignId);
  }
  nextRetryAt(campaignId: number): Promise<number | null> {
    return ledger.nextRetryAt(this.db, campaignId);
  }
  takeSendPermits(campaignId: number, want: number, ratePerSecond: number, burst: number, now?: number): Promise<SendPermits> {
    return ledger.takeSendPermits(this.db, campaignId, want, ratePerSecond, burst, now ?? null);
  }

  // ---- System mail queue (core/system-mail.ts) ------------------------------------------------

  enqueueSystemMail(kind: SystemMailKind, subscriberId: number, now: Date = new Date()): Promise<SystemMail> {
    return systemMail.enqueueSystemMail(this.db, kind, subscriberId, now);
  }
  claimSystemMail(workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<SystemMail[]> {
    return systemMail.claimSystemMail(this.db, workerId, limit, leaseMs, now);
  }
  markSystemMailSent(id: number, outcome: DeliveryOutcome): Promise<void> {
    return systemMail.markSystemMailSent(this.db, id, outcome);
  }
  markSystemMailRetry(id: number, nextAttemptAt: number, outcome: DeliveryOutcome): Promise<void> {
    return systemMail.markSystemMailRetry(this.db, id, nextAttemptAt, outcome);
  }
  markSystemMailFailed(id: number, outcome: DeliveryOutcome): Promise<void> {
    return systemMail.markSystemMailFailed(this.db, id, outcome);
  }
  nextSystemMailAt(): Promise<number | null> {
    return systemMail.nextSystemMailAt(this.db);
  }

  // ---- Outbound events (core/events.ts; recorded by the modules above, in their transactions) --

  claimEvents(workerId: string, limit: number, leaseMs: number, now: number = Date.now()): Promise<QueuedEvent[]> {
    return events.claimEvents(this.db, workerId, limit, leaseMs, now);
  }
  markEventDelivered(id: number, status: number, now: Date = new Date()): Promise<void> {
    return events.markEventDelivered(this.db, id, status, now);
  }
  markEventRetry(id: number, nextAttemptAt: number, status: number | null, error: string): Promise<void> {
    return events.markEventRetry(this.db, id, nextAttemptAt, status, error);
  }
  markEventFailed(id: number, status: number | null, error: string): Promise<void> {
    return events.markEventFailed(this.db, id, status, error);
  }
  nextEventDueAt(): Promise<number | null> {
    return events.nextEventDueAt(this.db);
  }
  pruneEvents(before: Date, queuedToo: boolean): Promise<number> {
    return events.pruneEvents(this.db, before, queuedToo);
  }
  eventQueueReport(): Promise<EventQueueReport> {
    return events.eventQueueReport(this.db);
  }

  // ---- Render cache (core/render-cache.ts) ----------------------------------------------------

  claimRender(key: string, workerId: string, leaseMs: number, now: number = Date.now()): Promise<RenderClaim> {
    return renderCache.claimRender(this.db, key, workerId, leaseMs, now);
  }
  saveRender(key: string, parts: string, digest: string, now: number = Date.now()): Promise<void> {
    return renderCache.saveRender(this.db, key, parts, digest, now);
  }
  releaseRender(key: string): Promise<void> {
    return renderCache.releaseRender(this.db, key);
  }

  // ---- Bounces and complaints (core/feedback.ts) -----------------------------------------------

  recordFeedback(event: FeedbackEvent, policy: FeedbackPolicy, now: Date = new Date()): Promise<FeedbackOutcome> {
    return feedback.recordFeedback(this.db, event, policy, now);
  }

  // ---- Settings (core/settings.ts) ------------------------------------------------------------

  getSetting(key: string): Promise<string | null> {
    return settings.getSetting(this.db, key);
  }
  setSetting(key: string, value: string): Promise<void> {
    return settings.setSetting(this.db, key, value);
  }
  initSetting(key: string, value: string): Promise<string> {
    return settings.initSetting(this.db, key, value);
  }

  // ---- Heartbeats and claims per worker (core/workers.ts) -----------------------------------

  beatWorker(beat: Omit<WorkerBeat, 'seenAt'>, now: number, forgetBefore: number): Promise<void> {
    return workers.beatWorker(this.db, beat, now, forgetBefore);
  }
  endWorkerBeat(workerId: string): Promise<void> {
    return workers.endWorkerBeat(this.db, workerId);
  }
  listWorkerBeats(): Promise<WorkerBeat[]> {
    return workers.listWorkerBeats(this.db);
  }
  workerClaims(): Promise<WorkerClaims[]> {
    return workers.workerClaims(this.db);
  }
  systemMailCounts(): Promise<SystemMailCounts> {
    return workers.systemMailCounts(this.db);
  }
}
