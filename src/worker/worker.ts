// The scheduled worker: on each tick, read the issues, rebuild feeds and archive if anything
// changed, and send every published issue that is due and has no finished campaign.
//
// Ticks never overlap: a tick asked for while one runs (cron or the file watcher) is folded into
// one more run right after it. A failing tick is logged and recorded; the next one tries again.
// "Due" means: published, valid, `email` not false, and either an unfinished campaign exists
// (resume) or no campaign exists and its send time (`send_at`, else `date`) has come, is at or
// after the watermark (the first start) and is no more than email.maxLatenessHours ago (an issue
// later than that is logged once and left to an operator: publication.ts whyNotDue). An issue edited after its campaign finished is never sent again: campaigns are keyed
// by slug, which does not change.
import { createHash } from 'node:crypto';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { buildSiteInThread } from '../build/build-thread.js';
import { backgroundSleep, pingHubs } from '../feeds/websub.js';
import { checkSchedule } from '../config/checks.js';
import type { Config } from '../config/config.js';
import { formatProblem, isPublished, type Issue } from '../content/issue.js';
import { IssuesFolderError, loadIssues, type LoadResult } from '../content/load.js';
import { isEmailable, maxLatenessMs, sendTimeOf, tooLateText, whyNotDue, type SendSchedule } from '../domain/publication.js';
import { renamedFrom, renamedText } from '../domain/renamed.js';
import type { Logger } from '../logging.js';
import { TransportMismatchError } from '../delivery/campaign.js';
import type { Campaign, Store } from '../storage/store.js';
import type { CampaignRunner } from './runner.js';
import { ensureWatermark, writeLastTick } from './state.js';

export interface WorkerDeps {
  config: Config;
  store: Store;
  logger: Logger;
  runner: CampaignRunner;
  now?: () => number;
  /** Watch the issues folder for quick pick-up (default true). */
  watch?: boolean;
  /** Debounce of watcher events before a tick, ms (default 300). */
  watchDelayMs?: number;
  /** Called after a tick (tests, metrics). */
  onTick?: (result: TickResult) => void;
  /** How often an idle worker asks the store for campaigns with rows to send, ms; default
   * config.pollSeconds (10 s); 0 = only on the schedule. */
  pollMs?: number;
}

export interface TickResult {
  reason: string;
  ok: boolean;
  /** The site was rebuilt in this tick. */
  built: boolean;
  /** Slugs sent (or resumed) in this tick. */
  sent: string[];
  errors: string[];
  /** Issue files skipped for their problems (0 when the issues could not be read at all). */
  problems: number;
}

/** The schedule's check lives with the configuration (checked when it loads); kept here for callers of the worker. */
export { checkSchedule };

export class Worker {
  private task: ScheduledTask | undefined;
  private watcher: FSWatcher | undefined;
  /** Watching was asked for but the issues folder did not exist: the first tick that reads it starts the watcher. */
  private watchWhenFound = false;
  private debounce: NodeJS.Timeout | undefined;
  private poller: NodeJS.Timeout | undefined;
  private current: Promise<TickResult> | null = null;
  private again: string | null = null;
  private stopped = false;
  private lastFingerprint: string | null = null;
  private lastProblems = '';
  private readonly stranded = new Set<string>();
  /** Issues reported as too late to mail automatically (one warning each). */
  private readonly late = new Set<string>();
  /** Issues held back as renamed files, already logged. */
  private readonly renamed = new Set<string>();
  /** Campaigns started through another transport than this process's: never claimed here. */
  private readonly foreign = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly deps: WorkerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Runs a first tick at once, then on the schedule and on file changes. */
  start(): Promise<TickResult> {
    const { config, logger } = this.deps;
    const schedule = checkSchedule(config.schedule);
    this.task = cron.schedule(schedule, () => void this.tick('schedule'), { name: 'pressroom-worker', noOverlap: true });
    if (this.deps.watch ?? true) this.startWatcher();
    // Campaigns enqueued elsewhere (`pressroom send --enqueue`, the API of a serve process) or left
    // by a dead worker are picked up within one poll instead of waiting for the next cron tick.
    const pollMs = this.deps.pollMs ?? config.pollSeconds * 1000;
    if (pollMs > 0) this.poller = setInterval(() => void this.poll(), pollMs);
    logger.info({ schedule, issues: config.issuesDir, watch: this.watcher !== undefined, pollMs }, 'worker started');
    return this.tick('start');
  }

  /**
   * Asks for a tick. While one runs, the request is folded into a single follow-up tick, and the
   * promise of the running tick is returned.
   */
  tick(reason = 'manual'): Promise<TickResult> {
    if (this.stopped) return Promise.resolve({ reason, ok: true, built: false, sent: [], errors: ['worker stopped'], problems: 0 });
    if (this.current) {
      this.again = reason;
      return this.current;
    }
    const run = (async () => {
      let result = await this.tickOnce(reason);
      while (this.again !== null && !this.stopped) {
        const next = this.again;
        this.again = null;
        result = await this.tickOnce(next);
      }
      return result;
    })();
    this.current = run.finally(() => {
      this.current = null;
    });
    return this.current;
  }

  /** Stops scheduling and claiming; in-flight sends finish or are released; waits for the tick. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    if (this.poller) clearInterval(this.poller);
    this.watcher?.close();
    this.watcher = undefined;
    if (this.task) {
      await this.task.destroy();
      this.task = undefined;
    }
    await this.deps.runner.stop();
    await this.current?.catch(() => {});
  }

  /** When idle: one query; a tick if some unfinished campaign has rows claimable now that this process is not sending. */
  private async poll(): Promise<void> {
    if (this.stopped || this.current) return;
    try {
      const pending = await this.deps.store.pendingCampaigns();
      const active = new Set(this.deps.runner.active());
      if (pending.some((slug) => !active.has(slug) && !this.foreign.has(slug)) && !this.current) void this.tick('pending campaign');
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not check for pending campaigns; the next tick will');
    }
  }

  private async tickOnce(reason: string): Promise<TickResult> {
    const { config, store, logger, runner } = this.deps;
    const result: TickResult = { reason, ok: true, built: false, sent: [], errors: [], problems: 0 };
    const fail = (what: string, err: unknown) => {
      const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      result.ok = false;
      result.errors.push(message);
      // A folder that cannot be read says all in its message; a stack is for what we did not foresee.
      logger.error(err instanceof IssuesFolderError ? { reason } : { err, reason }, message);
    };
    const now = this.now();
    try {
      const watermark = await ensureWatermark(store, now);
      let loaded: LoadResult;
      try {
        loaded = await loadIssues(config, { keepThisThreadFree: true });
      } catch (err) {
        fail('reading issues', err);
        return result;
      }
      if (this.watchWhenFound && !this.stopped) this.startWatcher(); // the folder exists now
      this.reportProblems(loaded);
      result.problems = new Set(loaded.problems.map((problem) => problem.file)).size;

      try {
        result.built = await this.buildIfChanged(loaded.issues, now);
      } catch (err) {
        // The feeds stay as they were; sending does not depend on them.
        fail('building the site', err);
      }

      const campaigns = new Map((await store.listCampaigns()).map((c) => [c.slug, c]));
      this.reportStranded(loaded.issues, campaigns, now);
      const schedule: SendSchedule = { watermark, maxLatenessMs: maxLatenessMs(config.email.maxLatenessHours) };
      this.reportLate(loaded.issues, campaigns, schedule, now);
      this.reportRenamed(loaded.issues, campaigns, schedule, now);
      for (const issue of dueIssues(loaded.issues, campaigns, schedule, now)) {
        if (this.stopped || runner.stopping) break;
        if (this.foreign.has(issue.slug)) continue;
        try {
          await runner.send(issue);
          result.sent.push(issue.slug);
        } catch (err) {
          if (!(err instanceof TransportMismatchError)) {
            fail(`sending ${issue.slug}`, err);
            continue;
          }
          // Not this process's campaign: say so once, and leave its rows to its own transport.
          this.foreign.add(issue.slug);
          logger.warn({ slug: issue.slug, campaignTransport: err.campaignTransport, transport: err.ownTransport }, err.message);
        }
      }
    } catch (err) {
      fail('tick', err);
    } finally {
      try {
        await writeLastTick(store, { at: this.now(), ok: result.ok, problems: result.problems, ...(result.errors[0] ? { error: result.errors[0] } : {}) });
      } catch (err) {
        logger.warn({ err }, 'could not record the tick');
      }
      logger.debug({ ...result }, 'tick done');
      this.deps.onTick?.(result);
    }
    return result;
  }

  private async buildIfChanged(issues: Issue[], now: number): Promise<boolean> {
    const fingerprint = fingerprintOf(issues, now);
    const builtBefore = existsSync(path.join(this.deps.config.outDir, 'index.html'));
    if (fingerprint === this.lastFingerprint && builtBefore) return false;
    const { files, skipped, changedFeeds } = await buildSiteInThread(this.deps.config, issues, { now });
    this.lastFingerprint = fingerprint;
    for (const line of skipped) this.deps.logger.warn(line);
    this.deps.logger.info({ files: files.length, out: this.deps.config.outDir }, 'site built');
    // In the background, with retries: a slow or failing hub never holds up sending.
    const hubs = this.deps.config.feeds.websubHubs;
    if (hubs.length > 0 && changedFeeds.length > 0) void pingHubs(hubs, changedFeeds, this.deps.logger, { sleep: backgroundSleep });
    return true;
  }

  /** Logs the problems and warnings once, and again only when they change. */
  private reportProblems({ problems, warnings }: LoadResult): void {
    const lines = [...problems, ...warnings].map(formatProblem);
    const key = lines.join('\n');
    if (key === this.lastProblems) return;
    this.lastProblems = key;
    for (const line of lines) this.deps.logger.warn(line);
  }

  /**
   * An unfinished campaign whose issue file is gone, or is now a draft, scheduled or `email: false`,
   * is not resumed; say so once, so an operator can restore the file or leave it.
   */
  /** Each issue held back as a renamed file, once per process (src/domain/renamed.ts). */
  private reportRenamed(issues: Issue[], campaigns: Map<string, Campaign>, schedule: SendSchedule, now: number): void {
    for (const issue of issues) {
      if (this.renamed.has(issue.slug) || whyNotDue(issue, now, schedule) !== null) continue;
      const campaign = renamedFrom(issue, campaigns);
      if (!campaign) continue;
      this.renamed.add(issue.slug);
      this.deps.logger.warn({ slug: issue.slug, campaign: campaign.slug, file: issue.sourcePath }, `issue ${issue.slug} ${renamedText(issue, campaign)}`);
    }
  }

  private reportStranded(issues: Issue[], campaigns: Map<string, Campaign>, now: number): void {
    const sendable = new Set(issues.filter((i) => isEmailable(i, now)).map((i) => i.slug));
    for (const campaign of campaigns.values()) {
      if (campaign.finishedAt !== null || sendable.has(campaign.slug) || this.stranded.has(campaign.slug)) continue;
      this.stranded.add(campaign.slug);
      this.deps.logger.warn({ slug: campaign.slug }, `campaign ${campaign.slug} is unfinished but its issue is missing, a draft, scheduled or email: false; it is not resumed`);
    }
  }

  /** An issue whose send time passed more than email.maxLatenessHours ago is not mailed: say so once per issue. */
  private reportLate(issues: Issue[], campaigns: Map<string, Campaign>, schedule: SendSchedule, now: number): void {
    for (const issue of issues) {
      if (campaigns.has(issue.slug) || this.late.has(issue.slug) || whyNotDue(issue, now, schedule) !== 'too-late') continue;
      this.late.add(issue.slug);
      this.deps.logger.warn({ slug: issue.slug }, `${issue.sourcePath}: "${issue.slug}" ${tooLateText(issue, this.deps.config.email.maxLatenessHours)}`);
    }
  }

  private startWatcher(): void {
    const { config, logger } = this.deps;
    this.watchWhenFound = false;
    try {
      this.watcher = watch(config.issuesDir, { recursive: true }, (_event, filename) => {
        // Only issue files and folders matter; anything else written under the issues folder
        // (a data or output folder placed inside it, editor swap files) must not cause ticks.
        const name = typeof filename === 'string' ? filename : null;
        if (name !== null && !/\.md$/i.test(name) && path.extname(name) !== '') return;
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => void this.tick('watch'), this.deps.watchDelayMs ?? 300);
      });
      this.watcher.on('error', (err) => {
        logger.warn({ err }, 'file watcher stopped; changes are picked up on the schedule');
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        this.watchWhenFound = true;
        logger.warn({ dir: config.issuesDir }, `${config.issuesDir}: no such folder; it is watched once a tick finds it`);
      } else logger.warn({ err, dir: config.issuesDir }, 'cannot watch the issues folder; changes are picked up on the schedule');
    }
  }
}

/** Issues this tick should send or resume, by send time (they go out in the order they were meant to). */
export function dueIssues(issues: Issue[], campaigns: Map<string, Campaign>, schedule: SendSchedule, now: number): Issue[] {
  return issues
    .filter((issue) => {
      if (!isEmailable(issue, now)) return false;
      const campaign = campaigns.get(issue.slug);
      // A paused campaign waits for `pressroom resume`; a cancelled, unfinished one is picked up to
      // cancel what a dead worker left (sendCampaign sends nothing of it).
      if (campaign) return campaign.finishedAt === null && campaign.pausedAt === null;
      // A renamed file of a mailed issue is left to the operator (src/domain/renamed.ts; reportRenamed logs it).
      return whyNotDue(issue, now, schedule) === null && renamedFrom(issue, campaigns) === undefined;
    })
    .sort((a, b) => sendTimeOf(a) - sendTimeOf(b));
}

/**
 * Changes when any issue's content changes or an issue becomes published. Unknown front matter
 * fields (`extra`) are left out: nothing is built from them, and serializing them is what a
 * tiny file of YAML aliases would turn into billions of values.
 */
function fingerprintOf(issues: Issue[], now: number): string {
  const hash = createHash('sha256');
  for (const issue of issues) {
    const { extra: _ignored, ...built } = issue;
    hash.update(JSON.stringify(built));
    hash.update(isPublished(issue, now) ? '\u0001' : '\u0000');
  }
  return hash.digest('hex');
}
