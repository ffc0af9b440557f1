// Subscribers, written once over the dialect: the address and topic rules of src/storage/email.ts,
// status changes (compare-and-set, each with its outbound event) and what leaving does to mail still waiting.
import { normalizeTopics } from '../../domain/topics.js';
import { addressColumns, emailKey } from '../email.js';
import { DuplicateSubscriberError, type NewSubscriber, type Subscriber, type SubscriberChanges, type SubscriberStatus } from '../store.js';
import { ACTIVE, confirmedAtOnInsert, endsSubscription } from './audience.js';
import { withFragments, type Dialect, type Sql, type SubscriberValues } from './dialect.js';
import { recordSubscriberEvent, subscriberEventFor } from './events.js';
import { mapOrNull, SUBSCRIBER_COLUMNS, toSubscriber, type SubscriberRow } from './rows.js';
import { isSuppressionReason, liftSuppression, suppress, suppressedKeys } from './suppressions.js';

/** $1 email, $2 email_key, $3 name, $4 status, $5 topics, $6 created_at, $7 confirmed_at, $8 source; duplicates insert nothing. */
export const insertSubscriberSql = withFragments(
  (f) => `INSERT INTO subscribers (id, email, email_key, name, status, topics, created_at, confirmed_at, source)
      VALUES (${f.newSubscriberId}, $1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (email_key) DO NOTHING`,
);

const addSubscriberSql = withFragments((f) => `${insertSubscriberSql(f)} RETURNING ${SUBSCRIBER_COLUMNS}`);

/** The parameters of insertSubscriberSql for one row. */
export function insertSubscriberParams(db: Pick<Dialect, 'list'>, v: SubscriberValues, createdAt: Date): unknown[] {
  return [v.email, v.emailKey, v.name, v.status, db.list(v.topics), createdAt, v.confirmedAt, v.source];
}

const SQL = {
  getSubscriber: `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE id = $1`,
  findSubscriberByKey: `SELECT ${SUBSCRIBER_COLUMNS} FROM subscribers WHERE email_key = $1`,
  countSubscribers: `SELECT count(*) AS n FROM subscribers`,
  countSubscribersByStatus: `SELECT count(*) AS n FROM subscribers WHERE status = $1`,
  // $1 id, $2 status, $3 now, $4 the status it must have now (NULL: any, but not already $2).
  // Becoming active confirms once; becoming unsubscribed records when.
  setSubscriberStatus: `UPDATE subscribers SET status = $2,
        confirmed_at = CASE WHEN $2 = '${ACTIVE}' THEN coalesce(confirmed_at, $3) ELSE confirmed_at END,
        unsubscribed_at = CASE WHEN $2 = 'unsubscribed' THEN $3 ELSE unsubscribed_at END
      WHERE id = $1 AND status <> $2 AND (CAST($4 AS text) IS NULL OR status = $4)
      RETURNING email_key, email`,
  setSubscriberTopics: `UPDATE subscribers SET topics = $2 WHERE id = $1`,
  setSubscriberName: `UPDATE subscribers SET name = $2 WHERE id = $1`,
  deleteSubscriberByKey: `DELETE FROM subscribers WHERE email_key = $1 RETURNING id, status`,
  bounceSubscriber: `UPDATE subscribers SET status = 'bounced' WHERE id = $1 AND status <> 'bounced' RETURNING email_key, email`,
  /** $1 subscriber, $2 reason. A subscriber who leaves (or bounces) is not mailed what is still waiting for them. */
  cancelPendingDeliveries: `UPDATE deliveries SET state = 'failed', claimable_at = NULL, smtp_code = NULL,
        smtp_response = $2, temporary = false
      WHERE subscriber_id = $1 AND claimable_at IS NOT NULL AND state IN ('queued', 'retry')`,
} as const;

/** Validates and normalises a new subscriber; throws InvalidEmailError. Operator adds and imports default to active. */
function subscriberValues(input: NewSubscriber, now: Date): SubscriberValues {
  const status = input.status ?? ACTIVE;
  return {
    ...addressColumns(input.email),
    name: input.name ?? null,
    status,
    topics: normalizeTopics(input.topics),
    confirmedAt: confirmedAtOnInsert(status, now),
    source: input.source ?? null,
  };
}

export async function addSubscriber(db: Dialect, input: NewSubscriber, now: Date): Promise<Subscriber> {
  const values = subscriberValues(input, now);
  const row = await db.one<SubscriberRow>(addSubscriberSql(db.fragments), insertSubscriberParams(db, values, now));
  if (!row) throw new DuplicateSubscriberError(input.email);
  return toSubscriber(row);
}

/** Rows whose address is on the suppression list (it bounced, complained or unsubscribed before) are skipped and counted. */
export async function importSubscribers(db: Dialect, rows: NewSubscriber[], now: Date): Promise<{ added: number; duplicates: number; suppressed: number }> {
  const values = rows.map((r) => subscriberValues(r, now)); // validates every row before writing
  const suppressed = await suppressedKeys(
    db,
    values.map((v) => v.emailKey),
  );
  const wanted = suppressed.size === 0 ? values : values.filter((v) => !suppressed.has(v.emailKey));
  const added = wanted.length === 0 ? 0 : await db.insertSubscribers(wanted, now);
  const skipped = values.length - wanted.length;
  return { added, duplicates: rows.length - added - skipped, suppressed: skipped };
}

export async function getSubscriber(db: Dialect, id: number): Promise<Subscriber | null> {
  return mapOrNull(await db.one<SubscriberRow>(SQL.getSubscriber, [id]), toSubscriber);
}

export async function findSubscriberByEmail(db: Sql, email: string): Promise<Subscriber | null> {
  return mapOrNull(await findSubscriberRow(db, email), toSubscriber);
}

export function findSubscriberRow(db: Sql, email: string, lock = ''): Promise<SubscriberRow | undefined> {
  return db.one<SubscriberRow>(`${SQL.findSubscriberByKey} ${lock}`, [emailKey(email)]);
}

export async function countSubscribers(db: Dialect, status?: SubscriberStatus): Promise<number> {
  const row = status ? await db.one<{ n: number }>(SQL.countSubscribersByStatus, [status]) : await db.one<{ n: number }>(SQL.countSubscribers);
  return row!.n;
}

export function setSubscriberStatus(db: Dialect, id: number, status: SubscriberStatus, now: Date, from?: SubscriberStatus): Promise<boolean> {
  return db.transaction(async (tx) => {
    const changed = await tx.one<{ email_key: string; email: string }>(SQL.setSubscriberStatus, [id, status, now, from ?? null]);
    if (!changed) return false;
    const event = subscriberEventFor(status, from);
    if (event) await recordSubscriberEvent(tx, event, { id, email: changed.email, status }, now);
    if (endsSubscription(status)) await cancelPendingDeliveries(tx, id, `not sent: subscriber ${status} before sending`);
    if (isSuppressionReason(status)) await suppress(tx, changed.email_key, status, now);
    // A pending subscriber confirming is the person asking for mail again (double opt-in).
    else if (status === ACTIVE && from === 'pending') await liftSuppression(tx, changed.email_key);
    return true;
  });
}

export async function setSubscriberTopics(db: Dialect, id: number, topics: string[]): Promise<void> {
  await db.run(SQL.setSubscriberTopics, [id, db.list(normalizeTopics(topics))]);
}

/** Name and topics are plain columns; a status change is setSubscriberStatus's, compare-and-set from the status read here. */
export async function updateSubscriber(db: Dialect, id: number, changes: SubscriberChanges, now: Date): Promise<Subscriber | null> {
  const before = await getSubscriber(db, id);
  if (!before) return null;
  if (changes.name !== undefined) await db.run(SQL.setSubscriberName, [id, changes.name]);
  if (changes.topics !== undefined) await setSubscriberTopics(db, id, changes.topics);
  if (changes.status !== undefined && changes.status !== before.status) await setSubscriberStatus(db, id, changes.status, now, before.status);
  return getSubscriber(db, id);
}

export function removeSubscriber(db: Dialect, email: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const key = emailKey(email);
    const row = await tx.one<{ id: number; status: SubscriberStatus }>(SQL.deleteSubscriberByKey, [key]);
    if (!row) return false;
    await suppressLeaving(tx, key, row.status, new Date());
    await cancelPendingDeliveries(tx, row.id, 'not sent: subscriber removed before sending');
    return true;
  });
}

/** Marks the subscriber bounced (a permanent failure said the mailbox is gone), suppresses the address and cancels what still waits for them. */
export async function bounceSubscriber(tx: Sql, id: number, now: Date = new Date()): Promise<void> {
  const row = await tx.one<{ email_key: string; email: string }>(SQL.bounceSubscriber, [id]);
  if (row) {
    await suppress(tx, row.email_key, 'bounced', now);
    await recordSubscriberEvent(tx, 'subscriber.bounced', { id, email: row.email, status: 'bounced' }, now);
  }
  await cancelPendingDeliveries(tx, id, 'not sent: subscriber bounced before sending');
}

/** A subscriber row about to go (removal, erasure): a suppressed status is kept as its hash (statuses set before the list existed included). */
export async function suppressLeaving(tx: Sql, key: string, status: SubscriberStatus, now: Date): Promise<void> {
  if (isSuppressionReason(status)) await suppress(tx, key, status, now);
}

export async function cancelPendingDeliveries(tx: Sql, subscriberId: number, reason: string): Promise<void> {
  await tx.run(SQL.cancelPendingDeliveries, [subscriberId, reason]);
}
