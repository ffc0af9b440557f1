// Runs campaign sends for this process: the worker's ticks and the operator API both go through
// one runner, so a slug is never sent twice at once from the same process, and shutdown has one
// place to stop claiming and wait for in-flight messages. Across processes the store's atomic
// claims keep sends exactly-once.
import type { Config } from '../config/config.js';
import type { Issue } from '../content/issue.js';
import { enqueueCampaign, sendCampaign, type SendOutcome } from '../delivery/campaign.js';
import type { Transport } from '../delivery/transport.js';
import type { Logger } from '../logging.js';
import type { Store } from '../storage/store.js';

export interface RunnerDeps {
  store: Store;
  transport: Transport;
  config: Config;
  logger: Logger;
  secret: string;
  workerId: string;
}

export class CampaignRunner {
  private readonly running = new Map<string, Promise<SendOutcome>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: RunnerDeps) {}

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** The transport this process sends through, as recorded on the campaigns it creates. */
  get transportIdentity(): string {
    return this.deps.transport.identity;
  }

  /** Slugs being sent right now by this process. */
  active(): string[] {
    return [...this.running.keys()];
  }

  /** Creates the campaign if needed and sends until nothing is claimable (or shutdown). */
  send(issue: Issue): Promise<SendOutcome> {
    const existing = this.running.get(issue.slug);
    if (existing) return existing;
    if (this.stopping) return Promise.reject(new Error('shutting down: not starting new sends'));
    const { store, logger } = this.deps;
    const run = (async () => {
      const { created } = await enqueueCampaign(store, issue, this.deps.transport.identity);
      logger.info({ slug: issue.slug, created }, created ? 'campaign created, sending' : 'resuming campaign');
      // Retries due later are left to a later tick rather than holding this one open.
      const stats = await sendCampaign({ ...this.deps, signal: this.abort.signal, waitForRetries: false }, issue);
      logger.info(
        {
          slug: issue.slug,
          sentNow: stats.sentNow,
          sent: stats.sent,
          failed: stats.failed,
          retry: stats.retry,
          finished: stats.finished,
          aborted: stats.aborted,
          braked: stats.braked?.kind,
        },
        stats.alreadyFinished ? 'campaign already finished' : stats.braked ? `campaign ${stats.braked.kind}` : 'campaign pass finished',
      );
      return stats;
    })();
    const tracked = run.finally(() => this.running.delete(issue.slug));
    this.running.set(issue.slug, tracked);
    return tracked;
  }

  /** Stops claiming new batches; in-flight messages finish, unsent claims are released. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }
}
