// The issues as the HTTP side needs them (API listing, topics for forms). Loading renders every
// file, so results are kept for a short while and concurrent callers share one load.
import type { Config } from '../config/config.js';
import { isPublished } from '../content/issue.js';
import { loadIssues, type LoadResult } from '../content/load.js';
import { topicChoices, type TopicChoice } from '../domain/topics.js';

export type { TopicChoice } from '../domain/topics.js';

export class IssueSource {
  private cached: { at: number; result: Promise<LoadResult> } | undefined;

  constructor(
    private readonly config: Config,
    private readonly ttlMs = 5_000,
  ) {}

  current(now: number = Date.now()): Promise<LoadResult> {
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.result;
    // This process answers HTTP: a hostile issue file must not stall it.
    const result = loadIssues(this.config, { keepThisThreadFree: true });
    this.cached = { at: now, result };
    result.catch(() => {
      if (this.cached?.result === result) this.cached = undefined;
    });
    return result;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  /** Every topic of the published issues, for sign-up and preference forms. */
  async topics(): Promise<TopicChoice[]> {
    try {
      const { issues } = await this.current();
      return topicChoices(issues.filter((i) => isPublished(i)));
    } catch {
      return [];
    }
  }
}
