// Mailgun webhooks (documentation.mailgun.com, "Webhooks" and "Securing Webhooks"): a JSON body
// `{ signature: { timestamp, token, signature }, "event-data": {...} }`. The signature is
// HMAC-SHA256(signing key, timestamp + token), hex. `failed` with severity permanent is a hard
// bounce, temporary a soft one; `complained` a complaint; every other event is ignored.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FeedbackKind } from '../domain/feedback.js';
import { boundedLine } from '../domain/one-line.js';
import { dateOr, emptyReading, enhancedStatusIn, isObject, objectAt, PayloadError, requiredString, stringOr, type WebhookReading } from './payload.js';

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

export function mailgunSignature(payload: unknown): MailgunSignature {
  const s = objectAt(objectAt(payload, 'the Mailgun body').signature, 'the Mailgun signature');
  // The timestamp is documented as a number of seconds; it is sent as a string of digits.
  const timestamp = typeof s.timestamp === 'number' ? String(s.timestamp) : requiredString(s, 'timestamp', 'the Mailgun signature');
  return { timestamp, token: requiredString(s, 'token', 'the Mailgun signature'), signature: requiredString(s, 'signature', 'the Mailgun signature') };
}

export function mailgunSignatureValid(signingKey: string, s: MailgunSignature): boolean {
  const expected = createHmac('sha256', signingKey)
    .update(s.timestamp + s.token)
    .digest();
  const given = /^[0-9a-f]{64}$/i.test(s.signature) ? Buffer.from(s.signature, 'hex') : Buffer.alloc(0);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const SEVERITY_KINDS: Record<string, FeedbackKind> = { permanent: 'hard-bounce', temporary: 'soft-bounce' };

export function mailgunEvents(payload: unknown, receivedAt: Date): WebhookReading {
  const data = objectAt(objectAt(payload, 'the Mailgun body')['event-data'], 'the Mailgun event-data');
  const reading = emptyReading();
  const name = stringOr(data.event);
  let kind: FeedbackKind | undefined;
  if (name === 'complained') kind = 'complaint';
  else if (name === 'failed') {
    const severity = stringOr(data.severity);
    kind = severity ? SEVERITY_KINDS[severity] : undefined;
    if (!kind) throw new PayloadError(`the Mailgun failed event's severity ${JSON.stringify(severity)} is not permanent or temporary`);
  }
  if (!kind) {
    reading.ignored.push(`Mailgun ${name ?? 'untyped'} event`);
    return reading;
  }
  const delivery = isObject(data['delivery-status']) ? data['delivery-status'] : {};
  const words = boundedLine(stringOr(delivery.message) ?? stringOr(delivery.description) ?? stringOr(data.reason));
  reading.events.push({
    kind,
    target: { by: 'address', address: requiredString(data, 'recipient', 'the Mailgun event-data') },
    source: 'mailgun',
    eventId: requiredString(data, 'id', 'the Mailgun event-data'),
    status: stringOr(delivery['enhanced-code']) ?? enhancedStatusIn(words),
    diagnostic: kind === 'complaint' ? 'complained' : words,
    occurredAt: dateOr(data.timestamp, receivedAt),
  });
  return reading;
}
