// The operators' subscriber list: a case-insensitive prefix of the address or the name, a status,
// a topic, keyset pages in id order. Prefix, not substring: a prefix is one range over an index
// (migration 12), so a page stays fast over a million rows; a substring would read every row.
//
// A search is planned by its size. A narrow prefix (at most SORT_LIMIT addresses and names after
// the cursor, counted first from the prefix indexes alone) reads its rows through those indexes
// and sorts them by id; a broad one walks the ids (or the status index) in order and stops at the
// page's end, which is quick because matches are frequent. SQLite, without statistics, would walk the ids for both, reading the whole table
// for a rare prefix, so the narrow plan takes the other columns out of index use (unindexed()).
// PostgreSQL plans by its statistics: there the probe is skipped and both plans are one statement.
import { topicKey } from '../../domain/topics.js';
import type { Subscriber, SubscriberFilter, SubscriberQuery } from '../store.js';
import type { Dialect, SqlFragments } from './dialect.js';
import { SUBSCRIBER_COLUMNS, toSubscriber, type SubscriberRow } from './rows.js';

/** Above every character: `term || HIGHEST` bounds the range of strings that start with term. */
const HIGHEST = String.fromCodePoint(0x10ffff);
/** Up to this many matches a search sorts them; past it, it walks the ids. */
const SORT_LIMIT = 2000;

/** What the search compares: the term as the address key and lower(name) hold it. */
export function searchTerm(q: string): string {
  return q.normalize('NFKC').trim().toLowerCase();
}

interface Statement {
  sql: string;
  params: unknown[];
}

/** `keyset`: driven by the id (or status, id) index; `prefix`: by the prefix indexes. */
export type ListPlan = 'keyset' | 'prefix';

function whereOf(f: SqlFragments, filter: SubscriberFilter, afterId: number, plan: ListPlan): Statement {
  const steer = plan === 'prefix' && f.unindexed ? f.unindexed : (column: string) => column;
  const params: unknown[] = [afterId];
  const terms = [`${steer('id')} > $1`];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.status) terms.push(`${steer('status')} = ${param(filter.status)}`);
  if (filter.topic) terms.push(f.hasTopic('topics', param(topicKey(filter.topic))));
  const term = searchTerm(filter.search ?? '');
  if (term !== '') {
    const lo = param(term);
    const hi = param(term + HIGHEST);
    const range = (expr: string) => `(${f.bytewise(expr)} >= ${lo} AND ${f.bytewise(expr)} < ${hi})`;
    terms.push(`(${range('email_key')} OR ${range('lower(name)')})`);
  }
  return { sql: terms.join(' AND '), params };
}

function counted(where: Statement, upTo: number): Statement {
  return { sql: `SELECT count(*) AS n FROM (SELECT 1 FROM subscribers WHERE ${where.sql} LIMIT $${where.params.length + 1}) m`, params: [...where.params, upTo] };
}

/** The statement a list page runs (exported for bench/subscribers-page.ts, which times it raw). */
export function subscriberListStatement(f: SqlFragments, query: SubscriberQuery, plan: ListPlan): Statement {
  const where = whereOf(f, query, query.afterId ?? 0, plan);
  return { sql: `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE ${where.sql} ORDER BY id LIMIT $${where.params.length + 1}`, params: [...where.params, query.limit] };
}

/**
 * A search's first step: how many addresses and names start with the term after the cursor, up
 * to SORT_LIMIT + 1, read from the prefix indexes alone (null: no search). The plan follows from it.
 */
export function searchSizeStatement(f: SqlFragments, search: string | undefined, afterId = 0): Statement | null {
  if (!f.unindexed || searchTerm(search ?? '') === '') return null; // nothing to steer: one statement, the planner's choice
  return counted(whereOf(f, { search }, afterId, 'prefix'), SORT_LIMIT + 1);
}

/** The plan for a search of this size (searchSizeStatement's count). */
export function planFor(size: number | null): ListPlan {
  return size !== null && size <= SORT_LIMIT ? 'prefix' : 'keyset';
}

/** The statement of a count capped at upTo, in the plan for the search's size (of all its matches). */
export function subscriberCountStatement(f: SqlFragments, filter: SubscriberFilter, upTo: number, plan: ListPlan): Statement {
  return counted(whereOf(f, filter, 0, plan), upTo);
}

async function countOf(db: Dialect, statement: Statement): Promise<number> {
  const row = await db.one<{ n: number | string }>(statement.sql, statement.params);
  return Number(row!.n);
}

async function planOf(db: Dialect, search: string | undefined, afterId?: number): Promise<ListPlan> {
  const size = searchSizeStatement(db.fragments, search, afterId);
  return planFor(size && (await countOf(db, size)));
}

export async function searchSubscribers(db: Dialect, query: SubscriberQuery): Promise<Subscriber[]> {
  const { sql, params } = subscriberListStatement(db.fragments, query, await planOf(db, query.search, query.afterId));
  return (await db.all<SubscriberRow>(sql, params)).map(toSubscriber);
}

/** How many match, counted up to `upTo` (a count over every row of a million would not be fast). */
export async function countMatchingSubscribers(db: Dialect, filter: SubscriberFilter, upTo: number): Promise<number> {
  return countOf(db, subscriberCountStatement(db.fragments, filter, upTo, await planOf(db, filter.search)));
}
