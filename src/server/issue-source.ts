// The issues as the HTTP side needs them (API listing, topics for forms). Loading renders every
// file, so results are kept for a short while and concurrent callers share one load.
import type { Config } from '../config/config.js';
import { isPublished, issueTopics, type Issue } from '../content/issue.js';
import { loadIssues, type LoadResult } from '../content/load.js';
import { normalizeTopics } from '../storage/email.js';

/** A topic as forms offer it: the key subscribers store, the label issues show. */
export interface TopicChoice {
  /** Lower-cased, as the store keeps subscriber topics (normalizeTopics). */
  key: string;
  label: string;
}

/**
 * One choice per topic key, however the issues spell it ("SOFA Weekly", "sofa weekly"): shown
 * with its most common label, ties going to the spelling seen first (issues come newest first).
 */
export function topicChoices(issues: readonly Issue[]): TopicChoice[] {
  const counts = new Map<string, Map<string, number>>();
  for (const issue of issues) {
    for (const label of issueTopics(issue)) {
      const trimmed = label.trim();
      const [key] = normalizeTopics([trimmed]);
      if (!key) continue;
      const labels = counts.get(key) ?? new Map<string, number>();
      labels.set(trimmed, (labels.get(trimmed) ?? 0) + 1);
      counts.set(key, labels);
    }
  }
  const choices: TopicChoice[] = [];
  for (const [key, labels] of counts) {
    let best = '';
    let bestCount = 0;
    // Map order is first-seen order, so a strict > keeps the first label on ties.
    for (const [label, n] of labels) if (n > bestCount) [best, bestCount] = [label, n];
    choices.push({ key, label: best });
  }
  return choices.sort((a, b) => a.label.localeCompare(b.label) || a.key.localeCompare(b.key));
}

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
