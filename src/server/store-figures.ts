// What /metrics reads from the store, read at most once per interval: Prometheus may scrape every
// few seconds, several scrapers at once, and the figures come from queries over the whole ledger.
import type { CampaignStats, LedgerTotals, Store, SubscriberStatus } from '../storage/store.js';
import { readLastTick, type LastTick } from '../worker/state.js';

export interface StoreFigures {
  ledger: LedgerTotals;
  /** The newest campaigns' counts, by slug (RECENT_CAMPAIGNS of them: the label sets stay bounded). */
  campaigns: Map<string, CampaignStats>;
  subscribers: Array<[SubscriberStatus, number]>;
  lastTick: LastTick | null;
}

/** A fixed number of store calls whatever the number of campaigns or subscribers. */
export async function readStoreFigures(store: Store, statuses: readonly SubscriberStatus[]): Promise<StoreFigures> {
  const [ledger, campaigns, subscribers, lastTick] = await Promise.all([
    store.ledgerTotals(),
    store.recentCampaignStats(RECENT_CAMPAIGNS),
    Promise.all(statuses.map(async (status) => [status, await store.countSubscribers(status)] as [SubscriberStatus, number])),
    readLastTick(store),
  ]);
  return { ledger, campaigns, subscribers, lastTick };
}

/** Campaigns /metrics shows one by one: the newest, where bounces and complaints still arrive. */
export const RECENT_CAMPAIGNS = 10;

export const FIGURES_MAX_AGE_MS = 5_000;

/** Keeps one load for maxAgeMs; scrapes meanwhile (also concurrent ones) share it. A failed load is not kept. */
export class CachedFigures {
  private last: { at: number; figures: Promise<StoreFigures> } | undefined;

  constructor(
    private readonly load: () => Promise<StoreFigures>,
    private readonly now: () => number,
    private readonly maxAgeMs = FIGURES_MAX_AGE_MS,
  ) {}

  get(): Promise<StoreFigures> {
    const now = this.now();
    if (this.last && now - this.last.at >= 0 && now - this.last.at < this.maxAgeMs) return this.last.figures;
    const figures = this.load();
    const entry = { at: now, figures };
    this.last = entry;
    figures.catch(() => {
      if (this.last === entry) this.last = undefined;
    });
    return figures;
  }
}
