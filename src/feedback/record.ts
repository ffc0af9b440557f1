// Every reader of bounces and complaints (the inbound SMTP receiver, the IMAP poller, the provider
// webhooks) hands its events here: one place records them and says in the log what each did, so an
// operator reads the same line whichever way a bounce came back.
import type { FeedbackEvent, FeedbackPolicy, FeedbackRecorder, FeedbackResult } from '../domain/feedback.js';
import type { Logger } from '../logging.js';

export type FeedbackTally = Record<FeedbackResult, number>;

export async function recordFeedbackEvents(
  recorder: FeedbackRecorder,
  events: readonly FeedbackEvent[],
  policy: FeedbackPolicy,
  log: Logger,
  now: Date = new Date(),
): Promise<FeedbackTally> {
  const tally: FeedbackTally = { recorded: 0, duplicate: 0, 'unknown-recipient': 0 };
  for (const event of events) {
    const outcome = await recorder.recordFeedback(event, policy, now);
    tally[outcome.result] += 1;
    // Never the address: the log outlives an erasure. The ids name the ledger row.
    const fields = { kind: event.kind, source: event.source, eventId: event.eventId, status: event.status, campaignId: outcome.campaignId, subscriberId: outcome.subscriberId };
    if (outcome.result === 'recorded') log.info(fields, `${event.kind} recorded`);
    else if (outcome.result === 'duplicate') log.debug(fields, `${event.kind} already recorded (a replay): nothing changed`);
    else log.warn(fields, `${event.kind} for no known recipient: nothing changed`);
  }
  return tally;
}
