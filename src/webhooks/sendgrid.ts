// SendGrid's signed Event Webhook (twilio.com/docs/sendgrid/for-developers/tracking-events/):
// an ECDSA P-256 / SHA-256 signature, base64 DER, in X-Twilio-Email-Event-Webhook-Signature, over
// X-Twilio-Email-Event-Webhook-Timestamp followed by the raw body; the key is the Verification Key
// SendGrid shows (base64 DER SPKI). The body is a JSON array of events: `bounce` (type bounce is
// a hard bounce, type blocked a soft one), `deferred` (a soft bounce), `spamreport` (a complaint);
// every other event is ignored.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { FeedbackKind } from '../domain/feedback.js';
import { boundedLine } from '../domain/one-line.js';
import { dateOr, emptyReading, isObject, PayloadError, requiredString, stringOr, type WebhookReading } from './payload.js';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The verification key as configured (checked at load by checkSendgridPublicKey). */
export function sendgridKey(base64Der: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
}

export function sendgridSignatureValid(key: KeyObject, timestamp: string, raw: Buffer, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length === 0) return false;
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), raw]), { key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

function kindOf(event: string | null, type: string | null): FeedbackKind | 'ignored' | 'unknown-type' {
  if (event === 'spamreport') return 'complaint';
  if (event === 'deferred') return 'soft-bounce';
  if (event !== 'bounce') return 'ignored';
  if (type === 'bounce') return 'hard-bounce';
  if (type === 'blocked') return 'soft-bounce';
  return 'unknown-type';
}

export function sendgridEvents(payload: unknown, receivedAt: Date): WebhookReading {
  if (!Array.isArray(payload)) throw new PayloadError('the SendGrid body is not a list of events');
  const reading = emptyReading();
  for (const [i, item] of payload.entries()) {
    if (!isObject(item)) throw new PayloadError(`the SendGrid event [${i}] is not an object`);
    const name = stringOr(item.event);
    const kind = kindOf(name, stringOr(item.type));
    if (kind === 'ignored') {
      reading.ignored.push(`SendGrid ${name ?? 'untyped'} event`);
      continue;
    }
    if (kind === 'unknown-type') {
      reading.problems.push(`SendGrid bounce event [${i}] has type ${JSON.stringify(item.type)}, not bounce or blocked: skipped`);
      continue;
    }
    const where = `the SendGrid event [${i}]`;
    reading.events.push({
      kind,
      target: { by: 'address', address: requiredString(item, 'email', where) },
      source: 'sendgrid',
      eventId: requiredString(item, 'sg_event_id', where),
      status: stringOr(item.status),
      diagnostic: kind === 'complaint' ? 'spamreport' : boundedLine(stringOr(item.reason) ?? stringOr(item.response)),
      occurredAt: dateOr(item.timestamp, receivedAt),
    });
  }
  return reading;
}
