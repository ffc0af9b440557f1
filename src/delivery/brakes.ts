// The brakes as a sender sees them: while it sends, it asks the store now and then whether its
// campaign was paused or cancelled (one campaign row by primary key, at most every `stateMs`), and
// whether the campaign's bounce or complaint rate calls for an automatic pause (the campaign's
// counts, a scan of its ledger: at most every `ratesMs`). Lanes never wait for either: poll() starts
// a check in the background and the lanes stop taking rows once `stopped` is set; what is in flight
// finishes and is marked, and the caller gives the claimed but unsent rows back (campaign.ts).
import { autoPauseReason, type FeedbackPolicy } from '../domain/feedback.js';
import type { Logger } from '../logging.js';
import type { Campaign, Store } from '../storage/store.js';

/** Why a sender stopped: its campaign is paused (with the automatic pause's reason, else null) or cancelled. */
export type BrakeStop = { kind: 'paused'; reason: string | null } | { kind: 'cancelled' };

/** A campaign's brake as its row says, or null while it may be sent. */
export function brakeOf(campaign: Pick<Campaign, 'pausedAt' | 'pauseReason' | 'cancelledAt'>): BrakeStop | null {
  if (campaign.cancelledAt !== null) return { kind: 'cancelled' };
  if (campaign.pausedAt !== null) return { kind: 'paused', reason: campaign.pauseReason };
  return null;
}

export interface BrakeIntervals {
  /** How often the campaign row is read (pause and cancel take effect within this). */
  stateMs: number;
  /** How often the campaign's rates are judged (automatic pause). */
  ratesMs: number;
}

export class CampaignBrakes {
  private stop: BrakeStop | null = null;
  private stateAt = performance.now();
  private ratesAt = performance.now();
  private running: Promise<void> | null = null;
  /** Off once an operator has resumed an automatic pause of this campaign (see Campaign.pauseReason). */
  private autoPause: boolean;

  constructor(
    private readonly store: Store,
    private readonly campaign: Campaign,
    private readonly policy: FeedbackPolicy,
    private readonly log: Logger,
    private readonly intervals: BrakeIntervals,
  ) {
    this.stop = brakeOf(campaign);
    this.autoPause = campaign.pauseReason === null;
  }

  /** Set once the campaign is paused or cancelled: take no more rows. */
  stopped(): BrakeStop | null {
    return this.stop;
  }

  /** Starts a check when one is due and none is running; never waits. */
  poll(): void {
    if (this.stop || this.running) return;
    const t = performance.now();
    const state = t - this.stateAt >= this.intervals.stateMs;
    const rates = this.autoPause && t - this.ratesAt >= this.intervals.ratesMs;
    if (state || rates) this.start(state, rates);
  }

  /** Reads the campaign row now (and judges the rates when due): between rounds, when a claim came back empty. */
  async checkNow(): Promise<BrakeStop | null> {
    await this.running;
    if (this.stop) return this.stop;
    this.start(true, this.autoPause && performance.now() - this.ratesAt >= this.intervals.ratesMs);
    await this.running;
    return this.stop;
  }

  /** Waits for a check in progress (before the store is closed). */
  async settle(): Promise<void> {
    await this.running;
  }

  private start(state: boolean, rates: boolean): void {
    this.running = this.check(state, rates)
      .catch((err: unknown) => this.log.warn({ err }, 'could not check whether the campaign was paused; trying again at the next check'))
      .finally(() => {
        this.running = null;
      });
  }

  private async check(state: boolean, rates: boolean): Promise<void> {
    if (state) {
      this.stateAt = performance.now();
      const row = await this.store.getCampaign(this.campaign.slug);
      if (row) {
        this.autoPause = row.pauseReason === null;
        this.stop ??= brakeOf(row);
      }
    }
    if (rates && this.autoPause && !this.stop) {
      this.ratesAt = performance.now();
      const reason = autoPauseReason(await this.store.campaignStats(this.campaign.id), this.policy);
      if (reason === null) return;
      // Of several workers judging at once, one pauses it and says so; the others just stop.
      if (await this.store.pauseCampaign(this.campaign.id, reason)) {
        this.log.error({ reason }, `campaign ${this.campaign.slug} paused itself: ${reason}; see pressroom status ${this.campaign.slug}, then pressroom resume or cancel it`);
      }
      this.stop ??= { kind: 'paused', reason };
    }
  }
}
