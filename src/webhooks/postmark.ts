// Postmark bounce and spam complaint webhooks (postmarkapp.com/developer/webhooks/bounce-webhook,
// .../spam-complaint-webhook) -> FeedbackEvents. Postmark's bounce types
// (postmarkapp.com/developer/api/bounce-api#bounce-types), and what each is here:
// - hard: HardBounce (the server says the address is not there) and BadEmailAddress (not an address);
// - soft: Transient, SoftBounce (mailbox full...), DnsError (the domain did not resolve, may be
//   temporary), Blocked (the receiver refused the sender or the content, not the address);
// - complaint: a SpamComplaint record (RecordType or Type);
// - ignored: everything else is not about the address receiving mail: AutoResponder, Unsubscribe,
//   Subscribe, AddressChange, ChallengeVerification, SpamNotification, VirusNotification,
//   OpenRelayTest, Unknown, ManuallyDeactivated, Unconfirmed, SMTPApiError, InboundError,
//   DMARCPolicy (our own authentication), TemplateRenderingFailed.
import type { FeedbackKind } from '../domain/feedback.js';
import { boundedLine } from '../domain/one-line.js';
import { dateOr, emptyReading, enhancedStatusIn, type Json, objectAt, PayloadError, requiredString, stringOr, type WebhookReading } from './payload.js';

const BOUNCE_KINDS: Record<string, FeedbackKind> = {
  HardBounce: 'hard-bounce',
  BadEmailAddress: 'hard-bounce',
  Transient: 'soft-bounce',
  SoftBounce: 'soft-bounce',
  DnsError: 'soft-bounce',
  Blocked: 'soft-bounce',
  SpamComplaint: 'complaint',
};

/** The basic auth user name Postmark's webhook URL must carry (the password is webhooks.postmarkToken). */
export const POSTMARK_USER = 'pressroom';

/** `raw` is the body as received: Postmark's record IDs are 64-bit and lose digits as JavaScript numbers. */
export function postmarkEvents(payload: unknown, raw: string, receivedAt: Date): WebhookReading {
  const o = objectAt(payload, 'the Postmark record');
  const reading = emptyReading();
  const record = stringOr(o.RecordType);
  if (record !== 'Bounce' && record !== 'SpamComplaint') {
    reading.ignored.push(`Postmark ${record ?? 'untyped'} record`);
    return reading;
  }
  const type = record === 'SpamComplaint' ? 'SpamComplaint' : requiredString(o, 'Type', 'the Postmark bounce');
  const kind = BOUNCE_KINDS[type];
  if (!kind) {
    reading.ignored.push(`Postmark ${type} bounce`);
    return reading;
  }
  const details = boundedLine(stringOr(o.Details) ?? stringOr(o.Description));
  reading.events.push({
    kind,
    target: { by: 'address', address: requiredString(o, 'Email', 'the Postmark record') },
    source: 'postmark',
    eventId: recordId(o, raw),
    status: enhancedStatusIn(details),
    diagnostic: kind === 'complaint' ? (details ?? 'SpamComplaint') : details,
    occurredAt: dateOr(o.BouncedAt, receivedAt),
  });
  return reading;
}

/** The record's ID as Postmark wrote it: the digits in the body whose value is the parsed ID. */
function recordId(o: Json, raw: string): string {
  const id = o.ID;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new PayloadError('the Postmark record ID is missing or not a number');
  if (Number.isSafeInteger(id)) return String(id);
  for (const m of raw.matchAll(/"ID"\s*:\s*(\d+)/g)) if (Number(m[1]) === id) return m[1]!;
  return String(id);
}
