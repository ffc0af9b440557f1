// What a bounce or a complaint is, whatever brought it: a DSN or ARF report to the inbound SMTP
// receiver or the IMAP mailbox (src/inbound/), or a provider's webhook (src/webhooks/). Every
// reader turns what it got into FeedbackEvents and hands them to one recorder (the store's
// recordFeedback), so the rules of what an event does live in one place (src/storage/core/feedback.ts).

export const FEEDBACK_KINDS = ['hard-bounce', 'soft-bounce', 'complaint'] as const;

export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

/** Where an event came from; with eventId, what makes it unique (a replay is a duplicate). */
export const FEEDBACK_SOURCES = ['smtp', 'imap', 'ses', 'postmark', 'mailgun', 'sendgrid'] as const;

export type FeedbackSource = (typeof FEEDBACK_SOURCES)[number];

/**
 * Whom the event is about. `token`: a verified VERP token (src/email/verp.ts) names the very ledger
 * row. `address`: what a provider reports (the recipient address, and the campaign when the
 * provider echoes our headers or metadata back); the newest campaign this address was sent is
 * meant when none is named.
 */
export type FeedbackTarget = { by: 'token'; campaignId: number; subscriberId: number } | { by: 'address'; address: string; campaignSlug?: string | null };

export interface FeedbackEvent {
  kind: FeedbackKind;
  target: FeedbackTarget;
  source: FeedbackSource;
  /** Unique per source: the provider's event id, or the report's Message-ID (plus the recipient when one report names several). */
  eventId: string;
  /** RFC 3463 enhanced status code when reported (`5.1.1`), else null. */
  status: string | null;
  /** The remote server's words (`smtp; 550 5.1.1 user unknown`), or the complaint's feedback type; one line. */
  diagnostic: string | null;
  occurredAt: Date;
}

/**
 * `recorded`: the event changed the ledger (and perhaps the subscriber); `duplicate`: this source
 * and eventId were recorded before, nothing changed; `unknown-recipient`: no ledger row or
 * subscriber matches, nothing stored.
 */
export type FeedbackResult = 'recorded' | 'duplicate' | 'unknown-recipient';

export interface FeedbackOutcome {
  result: FeedbackResult;
  campaignId: number | null;
  subscriberId: number | null;
}

/** The limits an event is judged by: from the configuration's `bounce` and `complaint` sections (feedbackPolicy). */
export interface FeedbackPolicy {
  /** This many soft bounces within softWindowDays make the subscriber bounced. */
  softLimit: number;
  softWindowDays: number;
  /** Automatic pause: only once a campaign has sent at least this many messages. */
  minSample: number;
  /** Fractions (0.05 = 5%): a campaign pauses itself when its hard-bounce or complaint rate passes them. */
  bouncePauseAbove: number;
  complaintPauseAbove: number;
}

/** Rates of a campaign, as fractions of the messages a server answered for (sent, plus those refused as bounces); 0 before any. */
export function feedbackRates(stats: { attempted: number; bounced: number; softBounced: number; complained: number }): {
  bounceRate: number;
  softBounceRate: number;
  complaintRate: number;
} {
  const of = (n: number) => (stats.attempted > 0 ? n / stats.attempted : 0);
  return { bounceRate: of(stats.bounced), softBounceRate: of(stats.softBounced), complaintRate: of(stats.complained) };
}

/** A rate as the reasons and `pressroom status` print it: 0.0123 -> `1.23%`, 0.05 -> `5%`. */
export function percent(rate: number): string {
  return `${(rate * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
}

/** Why a campaign must pause itself (automatic pause), or null: its rates against the policy, once the sample is large enough. */
export function autoPauseReason(
  stats: { attempted: number; bounced: number; softBounced: number; complained: number },
  policy: Pick<FeedbackPolicy, 'minSample' | 'bouncePauseAbove' | 'complaintPauseAbove'>,
): string | null {
  if (stats.attempted < policy.minSample) return null;
  const { bounceRate, complaintRate } = feedbackRates(stats);
  if (bounceRate > policy.bouncePauseAbove)
    return `hard-bounce rate ${percent(bounceRate)} (${stats.bounced} of ${stats.attempted}) is above bounce.pauseAbove ${percent(policy.bouncePauseAbove)}`;
  if (complaintRate > policy.complaintPauseAbove)
    return `complaint rate ${percent(complaintRate)} (${stats.complained} of ${stats.attempted}) is above complaint.pauseAbove ${percent(policy.complaintPauseAbove)}`;
  return null;
}

/** What a reader of bounces needs: the small interface the inbound receiver, the IMAP poller and the webhooks are written against. */
export interface FeedbackRecorder {
  recordFeedback(event: FeedbackEvent, policy: FeedbackPolicy, now?: Date): Promise<FeedbackOutcome>;
}

/** The policy of a loaded configuration (its `bounce` and `complaint` sections). */
export function feedbackPolicy(config: {
  bounce: { softLimit: number; softWindowDays: number; minSample: number; pauseAbove: number };
  complaint: { pauseAbove: number };
}): FeedbackPolicy {
  const { softLimit, softWindowDays, minSample, pauseAbove } = config.bounce;
  return { softLimit, softWindowDays, minSample, bouncePauseAbove: pauseAbove, complaintPauseAbove: config.complaint.pauseAbove };
}
