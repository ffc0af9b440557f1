// Who receives an issue: an active subscriber who chose no topics (everything) or at least one of
// the issue's. The store applies the same rule in SQL when it snapshots a campaign's recipients
// (snapshotRecipients in both dialects); test/domain/recipients.test.ts runs both over one
// population so the SQL and this function cannot drift apart. Dry runs count with this one.
import type { SubscriberStatus } from './subscriber-status.js';
import { normalizeTopics } from './topics.js';

export interface RecipientFields {
  status: SubscriberStatus;
  /** Topic keys, as the store keeps them (normalizeTopics); empty = everything. */
  topics: readonly string[];
}

/** The rule for one issue's topics (labels as the issue spells them), normalised once for many subscribers. */
export function recipientFilter(issueTopics: readonly string[]): (subscriber: RecipientFields) => boolean {
  const wanted = new Set(normalizeTopics(issueTopics));
  return (subscriber) => subscriber.status === 'active' && (subscriber.topics.length === 0 || subscriber.topics.some((t) => wanted.has(t)));
}

export function receivesIssue(subscriber: RecipientFields, issueTopics: readonly string[]): boolean {
  return recipientFilter(issueTopics)(subscriber);
}

/** An issue's recipients, and of them how many chose each of its topics (the rest want everything). */
export interface RecipientCounts {
  total: number;
  everything: number;
  byTopic: Array<{ topic: string; count: number }>;
}

/** Counts recipients of an issue with receivesIssue's rule, one subscriber at a time (pages of the store). */
export function recipientCounter(issueTopics: readonly string[]): { add(subscriber: RecipientFields): void; counts(): RecipientCounts } {
  const receives = recipientFilter(issueTopics);
  const keys = normalizeTopics(issueTopics);
  const perTopic = new Map(keys.map((k) => [k, 0]));
  let total = 0;
  let everything = 0;
  return {
    add(subscriber) {
      if (!receives(subscriber)) return;
      total++;
      if (subscriber.topics.length === 0) everything++;
      for (const t of subscriber.topics) if (perTopic.has(t)) perTopic.set(t, perTopic.get(t)! + 1);
    },
    counts: () => ({ total, everything, byTopic: [...perTopic].map(([topic, count]) => ({ topic, count })) }),
  };
}
