// RFC 5965 abuse reports (multipart/report; report-type=feedback-report), what mailbox providers
// send to the CFBL-Address (RFC 9477) when a reader presses "this is spam". The recipient is named
// by Original-Rcpt-To when the provider does not redact it; the CFBL-Feedback-ID and the return
// path in the returned message's headers name it exactly (see original.ts).
import { addressValue, field, fieldGroups } from './fields.js';

/** Feedback types that are a reader's complaint; `auth-failure` (RFC 6591, DMARC/DKIM failure reports) and `not-spam` are not. */
const COMPLAINT_TYPES = new Set(['abuse', 'fraud', 'virus', 'other']);

export function isComplaint(feedbackType: string): boolean {
  return COMPLAINT_TYPES.has(feedbackType);
}

export interface ReportedComplaint {
  /** Feedback-Type: abuse, fraud, virus, other... (RFC 5965 section 3.1). */
  feedbackType: string;
  recipient: string | null;
}

export function readFeedbackReport(text: string): ReportedComplaint {
  const group = fieldGroups(text)[0] ?? new Map<string, string[]>();
  const recipient = addressValue(field(group, 'original-rcpt-to')) ?? addressValue(field(group, 'removal-recipient'));
  return { feedbackType: field(group, 'feedback-type')?.toLowerCase() || 'abuse', recipient };
}
