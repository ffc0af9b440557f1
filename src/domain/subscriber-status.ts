// The lifecycle of a subscriber, listed once: the type, the API and CLI validation, the CSV import,
// the metrics labels and the tests of both dialects' CHECK constraints all read this tuple.
// `pending` waits for double opt-in; `active` receives campaigns; the other three are suppressions.

export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'bounced', 'complained'] as const;

export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];

export function isSubscriberStatus(value: unknown): value is SubscriberStatus {
  return typeof value === 'string' && (SUBSCRIBER_STATUSES as readonly string[]).includes(value);
}
