// Who is mailed: the one definition of an active subscriber and of recipient matching, used by
// every statement that needs them (the campaign snapshot, the retry re-queues, the departure check
// before sending) and by the insert and status rules for confirmed_at.
import type { SubscriberStatus } from '../store.js';
import type { SqlFragments } from './dialect.js';

/** Active: confirmed, and not unsubscribed, bounced or complained. Only active subscribers are mailed. */
export const ACTIVE: SubscriberStatus = 'active';

export function isActive(status: SubscriberStatus): boolean {
  return status === ACTIVE;
}

/** Whether becoming `status` ends the subscription, so mail still waiting for the subscriber is not sent. */
export function endsSubscription(status: SubscriberStatus): boolean {
  return status !== ACTIVE && status !== 'pending';
}

/** confirmed_at of a new subscriber: an active one is confirmed at its creation. */
export function confirmedAtOnInsert(status: SubscriberStatus, now: Date): Date | null {
  return isActive(status) ? now : null;
}

/** SQL: the subscriber row `s` is active. */
const IS_ACTIVE = `s.status = '${ACTIVE}'`;

/** SQL: the ids of the active subscribers. */
export const ACTIVE_SUBSCRIBER_IDS = `SELECT s.id FROM subscribers s WHERE ${IS_ACTIVE}`;

/**
 * SQL: the subscriber row `s` gets an issue with the topic list `topicsParam` (normalised like the
 * subscribers' topics): active, and wanting everything (no topics) or one of the issue's topics.
 */
export function isRecipient(f: SqlFragments, topicsParam: string): string {
  return `${IS_ACTIVE} AND ${f.topicsMatch('s.topics', topicsParam)}`;
}
