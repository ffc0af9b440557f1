// What a relay or a receiving server tells us after it said 250: a bounce (hard or soft) or a
// complaint, from any source (a DSN or ARF report by SMTP or IMAP, or a provider's webhook). Every
// source parses into a FeedbackEvent; one recorder applies it to the store (src/storage/core/feedback.ts),
// so the rules of what an event does live in one place whatever the relay.

export const FEEDBACK_KINDS = ['hard-bounce', 'soft-bounce', 'complaint'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export const FEEDBACK_SOURCES = ['dsn', 'arf', 'ses', 'postmark', 'mailgun', 'sendgrid'] as const;
export type FeedbackSource = (typeof FEEDBACK_SOURCES)[number];

/** Who the event is about: exactly (a verified VERP token) or by address (a provider's payload). */
export type FeedbackTarget =
  | { by: 'token'; campaignId: number; subscriberId: number }
  /** `campaignSlug` when the payload carried it (a header or metadata we set), else the latest campaign sent to the address. */
  | { by: 'address'; address: string; campaignSlug?: string };

export interface FeedbackEvent {
  kind: FeedbackKind;
  target: FeedbackTarget;
  source: FeedbackSource;
  /** Idempotency key, unique per source: the provider's event id, or the report's Message-ID plus recipient. */
  eventId: string;
  /** The enhanced status code when reported (`5.1.1`), else null. */
  status: string | null;
  /** The remote server's diagnostic or the provider's description, one line, bounded. */
  diagnostic: string | null;
  occurredAt: Date;
}

/** What recording an event did; `duplicate` when its eventId was already recorded (nothing changed). */
export type FeedbackResult = 'recorded' | 'duplicate' | 'unknown-recipient';

/** The small interface every feedback source needs. */
export interface FeedbackRecorder {
  recordFeedback(event: FeedbackEvent): Promise<FeedbackResult>;
}
