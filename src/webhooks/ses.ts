// Amazon SES bounce and complaint notifications (the Message of an SNS Notification, JSON;
// docs.aws.amazon.com/ses/latest/dg/notification-contents.html) -> FeedbackEvents, one per
// bounced or complained recipient. `notificationType` for feedback notifications, `eventType` for
// event publishing: both are read. A copy that carries our CFBL-Feedback-ID (SES includes the
// original headers when the identity is set to) names its ledger row by the signed token.
import type { FeedbackEvent, FeedbackKind, FeedbackTarget } from '../domain/feedback.js';
import { boundedLine } from '../domain/one-line.js';
import { checkVerpToken } from '../email/verp.js';
import { dateOr, emptyReading, isObject, type Json, objectAt, PayloadError, recipientKey, requiredString, stringOr, type WebhookReading } from './payload.js';

/** Permanent is the address; Transient (mailbox full, too large...) and Undetermined may pass. */
const BOUNCE_KINDS: Record<string, FeedbackKind> = { Permanent: 'hard-bounce', Transient: 'soft-bounce', Undetermined: 'soft-bounce' };

export function sesEvents(message: unknown, secret: string, receivedAt: Date): WebhookReading {
  const o = objectAt(message, 'the SES notification');
  const type = stringOr(o.notificationType) ?? stringOr(o.eventType);
  const reading = emptyReading();
  if (type !== 'Bounce' && type !== 'Complaint') {
    reading.ignored.push(`SES ${type ?? 'untyped'} notification`);
    return reading;
  }
  const mail = isObject(o.mail) ? o.mail : {};
  const token = tokenTarget(mail, secret, reading);
  if (type === 'Bounce') {
    const bounce = objectAt(o.bounce, 'the SES notification bounce');
    const bounceType = stringOr(bounce.bounceType) ?? 'Undetermined';
    const kind = BOUNCE_KINDS[bounceType];
    if (!kind) throw new PayloadError(`the SES bounceType ${JSON.stringify(bounceType)} is not Permanent, Transient or Undetermined`);
    const feedbackId = requiredString(bounce, 'feedbackId', 'the SES bounce');
    const occurredAt = dateOr(bounce.timestamp, receivedAt);
    for (const recipient of recipients(bounce.bouncedRecipients, 'bouncedRecipients')) {
      const status = stringOr(recipient.status);
      reading.events.push(event(kind, recipient, feedbackId, token, status, boundedLine(stringOr(recipient.diagnosticCode)), occurredAt));
    }
  } else {
    const complaint = objectAt(o.complaint, 'the SES notification complaint');
    const feedbackId = requiredString(complaint, 'feedbackId', 'the SES complaint');
    const occurredAt = dateOr(complaint.timestamp, receivedAt);
    const feedbackType = boundedLine(stringOr(complaint.complaintFeedbackType));
    for (const recipient of recipients(complaint.complainedRecipients, 'complainedRecipients')) {
      reading.events.push(event('complaint', recipient, feedbackId, token, null, feedbackType, occurredAt));
    }
  }
  return reading;
}

function recipients(list: unknown, name: string): Array<Json & { emailAddress: string }> {
  if (!Array.isArray(list)) throw new PayloadError(`the SES ${name} is not a list`);
  return list.map((r, i) => {
    const recipient = objectAt(r, `the SES ${name}[${i}]`);
    return { ...recipient, emailAddress: requiredString(recipient, 'emailAddress', `the SES ${name}[${i}]`) };
  });
}

function event(
  kind: FeedbackKind,
  recipient: { emailAddress: string },
  feedbackId: string,
  token: FeedbackTarget | null,
  status: string | null,
  diagnostic: string | null,
  occurredAt: Date,
): FeedbackEvent {
  // One SES feedback id may name several recipients: the id plus the recipient (hashed: ids are logged) is unique.
  const eventId = `${feedbackId}#${recipientKey(recipient.emailAddress)}`;
  const target: FeedbackTarget = token ?? { by: 'address', address: recipient.emailAddress };
  return { kind, target, source: 'ses', eventId, status, diagnostic, occurredAt };
}

/** Our signed token from the original headers, when SES sent them and the token verifies. */
function tokenTarget(mail: Json, secret: string, reading: WebhookReading): FeedbackTarget | null {
  if (!Array.isArray(mail.headers)) return null;
  const header = mail.headers.find((h): h is Json => isObject(h) && typeof h.name === 'string' && h.name.toLowerCase() === 'cfbl-feedback-id');
  const value = header ? stringOr(header.value)?.trim() : undefined;
  if (!value) return null;
  const check = checkVerpToken(secret, value);
  if (check.ok) return { by: 'token', campaignId: check.campaignId, subscriberId: check.subscriberId };
  reading.problems.push(`SES CFBL-Feedback-ID refused (${check.reason}); the recipient's address is used instead`);
  return null;
}
