// Migration 5: subscribers re-keyed by the canonical address (src/domain/address.ts). Before it,
// the key was the raw address lower-cased, so `ada@ｅxample.org` (fullwidth e) and
// `ada@example.org`, or `ada@exämple.org` and `ada@xn--exmple-cua.org`, were two subscribers for
// one mailbox. Planned here once, applied by each adapter inside its migration transaction.
//
// Collisions: the oldest row (lowest id) is kept and the others are moved to merged_subscribers
// (and logged). Suppression wins: when a merged row was unsubscribed, bounced or complained, the
// kept row takes that status, so a person who left under one spelling is not mailed under another.
import { canonicalAddress, parseAddress } from '../domain/address.js';
import type { SubscriberStatus } from './store.js';

export interface KeyedSubscriber {
  id: number;
  email: string;
  email_key: string;
  status: SubscriberStatus;
}

export interface RekeyPlan {
  /** Kept rows whose key changes. */
  rekeyed: Array<{ id: number; key: string }>;
  /** Rows folded into an older one with the same canonical address. */
  merged: Array<{ id: number; email: string; keptId: number; keptEmail: string }>;
  /** Kept rows that take a merged row's suppression status. */
  suppressed: Array<{ id: number; status: SubscriberStatus }>;
  /** Rows the sender cannot deliver to (e.g. non-ASCII local parts); left as they are. */
  undeliverable: Array<{ id: number; email: string; problem: string }>;
}

// Higher wins when rows merge; active and pending never override the kept row's own status.
const SUPPRESSION_RANK: Partial<Record<SubscriberStatus, number>> = { unsubscribed: 1, bounced: 2, complained: 3 };

/** `rows` in id order (oldest first). */
export function planRekey(rows: Iterable<KeyedSubscriber>): RekeyPlan {
  const plan: RekeyPlan = { rekeyed: [], merged: [], suppressed: [], undeliverable: [] };
  const kept = new Map<string, { id: number; email: string; status: SubscriberStatus }>();
  const newStatus = new Map<number, SubscriberStatus>();
  for (const row of rows) {
    const parsed = parseAddress(row.email);
    if (!parsed.ok) plan.undeliverable.push({ id: row.id, email: row.email, problem: parsed.problem });
    const key = parsed.ok ? parsed.canonical : canonicalAddress(row.email);
    const first = kept.get(key);
    if (!first) {
      kept.set(key, { id: row.id, email: row.email, status: row.status });
      if (key !== row.email_key) plan.rekeyed.push({ id: row.id, key });
      continue;
    }
    plan.merged.push({ id: row.id, email: row.email, keptId: first.id, keptEmail: first.email });
    const current = newStatus.get(first.id) ?? first.status;
    if ((SUPPRESSION_RANK[row.status] ?? 0) > (SUPPRESSION_RANK[current] ?? 0)) newStatus.set(first.id, row.status);
  }
  for (const [id, status] of newStatus) plan.suppressed.push({ id, status });
  return plan;
}

/** One log line per merged or undeliverable row. */
export function describeRekey(plan: RekeyPlan): string[] {
  const status = new Map(plan.suppressed.map((s) => [s.id, s.status]));
  return [
    ...plan.merged.map(
      (m) =>
        `migration 5: subscriber ${m.id} ${JSON.stringify(m.email)} merged into subscriber ${m.keptId} ${JSON.stringify(m.keptEmail)} ` +
        `(one mailbox; kept in merged_subscribers${status.has(m.keptId) ? `; ${m.keptId} is now ${status.get(m.keptId)}` : ''})`,
    ),
    ...plan.undeliverable.map((u) => `migration 5: subscriber ${u.id} ${JSON.stringify(u.email)} cannot be mailed: it ${u.problem}`),
  ];
}
