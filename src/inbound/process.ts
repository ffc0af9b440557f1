// One bounce or complaint message, whatever brought it (the SMTP receiver, the IMAP poller): read
// it, say in one warning why when nothing can be taken from it, and record its events through
// the one recorder (src/feedback/record.ts). A store failure is thrown: the SMTP receiver then
// answers 451 and the sender retries; the poller leaves the message for its next round.
import type { FeedbackPolicy, FeedbackRecorder } from '../domain/feedback.js';
import { recordFeedbackEvents, type FeedbackTally } from '../feedback/record.js';
import type { Logger } from '../logging.js';
import { readFeedbackMessage, type FeedbackMessageContext } from './read.js';

export interface ProcessFeedbackDeps extends Omit<FeedbackMessageContext, 'receivedAt'> {
  recorder: FeedbackRecorder;
  policy: FeedbackPolicy;
  log: Logger;
  /** When the message arrived (IMAP: its internal date); default now. */
  receivedAt?: Date;
}

export interface ProcessedFeedback {
  /** Why the message gave no event (logged at warn), or null. */
  ignored: string | null;
  tally: FeedbackTally;
}

export async function processFeedbackMessage(raw: Buffer, deps: ProcessFeedbackDeps): Promise<ProcessedFeedback> {
  const receivedAt = deps.receivedAt ?? new Date();
  const { events, ignored } = await readFeedbackMessage(raw, { ...deps, receivedAt });
  if (ignored !== null) deps.log.warn({ source: deps.source, bytes: raw.length }, `feedback message ignored: ${ignored}`);
  const tally = await recordFeedbackEvents(deps.recorder, events, deps.policy, deps.log, receivedAt);
  return { ignored, tally };
}
