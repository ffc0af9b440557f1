// The operators' subscriber list: a case-insensitive prefix of the address or the name, a status,
// a topic, keyset pages in id order. Prefix, not substring: a prefix is one range over an index
// (migration 12), so a page stays fast over a million rows; a substring would read every row.
import { topicKey } from '../../domain/topics.js';
import type { Subscriber, SubscriberFilter, SubscriberQuery } from '../store.js';
import type { Dialect, SqlFragments } from './dialect.js';
import { SUBSCRIBER_COLUMNS, toSubscriber, type SubscriberRow } from './rows.js';

/** Above every character: `term || HIGHEST` bounds the range of strings that start with term. */
const HIGHEST = String.fromCodePoint(0x10ffff);

/** What the search compares: the term as the address key and lower(name) hold it. */
export function searchTerm(q: string): string {
  return q.normalize('NFKC').trim().toLowerCase();
}

interface Where {
  sql: string;
  params: unknown[];
}

function whereOf(f: SqlFragments, filter: SubscriberFilter, afterId: number): Where {
  const params: unknown[] = [afterId];
  const terms = ['id > $1'];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.status) terms.push(`status = ${param(filter.status)}`);
  if (filter.topic) terms.push(f.hasTopic('topics', param(topicKey(filter.topic))));
  const term = filter.search === undefined ? '' : searchTerm(filter.search);
  if (term !== '') {
    const lo = param(term);
    const hi = param(term + HIGHEST);
    const range = (expr: string) => `(${f.bytewise(expr)} >= ${lo} AND ${f.bytewise(expr)} < ${hi})`;
    terms.push(`(${range('email_key')} OR ${range('lower(name)')})`);
  }
  return { sql: terms.join(' AND '), params };
}

export async function searchSubscribers(db: Dialect, query: SubscriberQuery): Promise<Subscriber[]> {
  const where = whereOf(db.fragments, query, query.afterId ?? 0);
  const limit = `$${where.params.length + 1}`;
  const rows = await db.all<SubscriberRow>(`SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE ${where.sql} ORDER BY id LIMIT ${limit}`, [...where.params, query.limit]);
  return rows.map(toSubscriber);
}

/** How many match, counted up to `upTo` (a count over every row of a million would not be fast). */
export async function countMatchingSubscribers(db: Dialect, filter: SubscriberFilter, upTo: number): Promise<number> {
  const where = whereOf(db.fragments, filter, 0);
  const limit = `$${where.params.length + 1}`;
  const row = await db.one<{ n: number | string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM subscribers WHERE ${where.sql} LIMIT ${limit}) m`, [...where.params, upTo]);
  return Number(row!.n);
}
