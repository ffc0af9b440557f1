// The counts of one campaign run and the progress reports made from them. Counts start from the
// ledger, follow this run's verdicts, and are refreshed from the ledger between rounds (other
// workers may send part of the campaign too).
import type { CampaignStats } from '../storage/store.js';
import type { RecordedVerdict } from './outcome.js';

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

/** Reports at most this often, unless forced. */
const PROGRESS_INTERVAL_MS = 200;
/** The ledger's counts (a scan of the whole ledger) are read between rounds at most this often. */
const LEDGER_SCAN_INTERVAL_MS = 10_000;

export class RunTally {
  sent: number;
  failed: number;
  unknown: number;
  bounced: number;
  /** Retrying rows: from the ledger, plus the retries this run scheduled since. */
  retrying: number;
  sentNow = 0;
  failedNow = 0;
  unknownNow = 0;
  /** Epoch ms of the retry the run is idle waiting for, else null. */
  waitingUntil: number | null = null;
  private readonly started = performance.now();
  // -Infinity: the first report always goes out, however soon after the process started (performance.now() counts from then).
  private lastProgress = Number.NEGATIVE_INFINITY;
  private lastScan = 0;

  constructor(
    private readonly slug: string,
    private readonly total: number,
    stats: CampaignStats,
    private readonly onProgress?: (p: Progress) => void,
  ) {
    this.sent = stats.sent;
    this.failed = stats.failed;
    this.unknown = stats.unknown;
    this.bounced = stats.bounced;
    this.retrying = stats.retry;
  }

  /** One row's recorded verdict. */
  count(verdict: RecordedVerdict): void {
    switch (verdict.kind) {
      case 'sent':
        this.sent++;
        this.sentNow++;
        break;
      case 'retry':
        this.retrying++;
        break;
      case 'unknown':
        this.unknown++;
        this.unknownNow++;
        break;
      case 'failed':
      case 'not-sent':
        this.failed++;
        this.failedNow++;
        if (verdict.kind === 'failed' && verdict.bounced) this.bounced++;
        break;
    }
  }

  /** Takes the ledger's counts (this run's own `...Now` counts stay). */
  fromLedger(stats: CampaignStats): void {
    this.sent = stats.sent;
    this.failed = stats.failed;
    this.unknown = stats.unknown;
    this.bounced = stats.bounced;
    this.retrying = stats.retry;
  }

  /** Whether the ledger's counts are due for a refresh while the run waits; true starts the interval again. */
  ledgerScanDue(): boolean {
    if (performance.now() - this.lastScan < LEDGER_SCAN_INTERVAL_MS) return false;
    this.lastScan = performance.now();
    return true;
  }

  /** Reports progress, at most every PROGRESS_INTERVAL_MS unless `force`. */
  report(force = false): void {
    if (!this.onProgress) return;
    const t = performance.now();
    if (!force && t - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = t;
    const remaining = Math.max(0, this.total - this.sent - this.failed - this.unknown);
    const rate = this.sentNow / Math.max(0.001, (t - this.started) / 1000);
    this.onProgress({
      slug: this.slug,
      total: this.total,
      sent: this.sent,
      failed: this.failed,
      bounced: this.bounced,
      retrying: this.retrying,
      remaining,
      rate,
      etaSeconds: rate > 0 ? remaining / rate : null,
      waitingUntil: this.waitingUntil,
    });
  }
}
