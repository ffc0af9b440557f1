// Amazon SNS message signatures (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
// the string to sign is `Name\nValue\n` for a documented list of fields per message Type, signed
// with SHA1withRSA (SignatureVersion 1) or SHA256withRSA (2) by the key of the certificate at
// SigningCertURL. That URL, and the SubscribeURL we confirm a subscription by, are only ever
// fetched from SNS itself: https://sns.<region>.amazonaws.com/, nothing else.
import { type KeyObject, verify, X509Certificate } from 'node:crypto';
import { type Json, objectAt, PayloadError, requiredString, stringOr } from './payload.js';

export const SNS_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'] as const;

export interface SnsEnvelope {
  Type: (typeof SNS_TYPES)[number];
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject: string | null;
  /** SubscriptionConfirmation and UnsubscribeConfirmation only. */
  SubscribeURL: string | null;
  Token: string | null;
}

/** The fields signed, in the order signed, per Type (Subject only when present). */
const SIGNED_FIELDS: Record<SnsEnvelope['Type'], ReadonlyArray<keyof SnsEnvelope>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

export function parseSnsEnvelope(body: unknown): SnsEnvelope {
  const o: Json = objectAt(body, 'the SNS message');
  const type = requiredString(o, 'Type', 'the SNS message');
  if (!(SNS_TYPES as readonly string[]).includes(type)) throw new PayloadError(`the SNS message Type ${JSON.stringify(type)} is not one we handle`);
  const version = requiredString(o, 'SignatureVersion', 'the SNS message');
  if (version !== '1' && version !== '2') throw new PayloadError(`the SNS SignatureVersion ${JSON.stringify(version)} is not 1 or 2`);
  const confirmation = type !== 'Notification';
  const field = (key: string) => requiredString(o, key, 'the SNS message');
  return {
    Type: type as SnsEnvelope['Type'],
    MessageId: field('MessageId'),
    TopicArn: field('TopicArn'),
    // An empty Message is still signed as such.
    Message: typeof o.Message === 'string' ? o.Message : field('Message'),
    Timestamp: field('Timestamp'),
    SignatureVersion: version,
    Signature: field('Signature'),
    SigningCertURL: field('SigningCertURL'),
    Subject: stringOr(o.Subject),
    SubscribeURL: confirmation ? field('SubscribeURL') : null,
    Token: confirmation ? field('Token') : null,
  };
}

export function snsStringToSign(envelope: SnsEnvelope): string {
  let text = '';
  for (const key of SIGNED_FIELDS[envelope.Type]) {
    const value = envelope[key];
    if (value === null) continue; // Subject, when the notification has none
    text += `${key}\n${value}\n`;
  }
  return text;
}

/** SNS's own hosts: `sns.<region>.amazonaws.com` (us-east-1, eu-west-1, us-gov-west-1, ap-southeast-2...). */
const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d{1,2}\.amazonaws\.com$/;

/**
 * The URL when it is on SNS's own host over HTTPS (default port, no credentials), and for a
 * certificate a `.pem` path; else null. The one check before anything is fetched.
 */
export function snsUrl(text: string, what: 'certificate' | 'subscribe'): URL | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username !== '' || url.password !== '') return null;
  if (!SNS_HOST.test(url.hostname)) return null;
  if (what === 'certificate' && !url.pathname.endsWith('.pem')) return null;
  return url;
}

/** The public key of a signing certificate (PEM), refused when the certificate is outside its validity dates. */
export function signingKey(pem: string, now: Date): KeyObject {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new PayloadError('the signing certificate is not an X.509 certificate in PEM');
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) throw new PayloadError('the signing certificate is expired or not yet valid');
  return certificate.publicKey;
}

export function verifySnsSignature(envelope: SnsEnvelope, key: KeyObject): boolean {
  const signature = Buffer.from(envelope.Signature, 'base64');
  if (signature.length === 0) return false;
  const algorithm = envelope.SignatureVersion === '1' ? 'sha1' : 'sha256';
  try {
    return verify(algorithm, Buffer.from(snsStringToSign(envelope), 'utf8'), key, signature);
  } catch {
    return false;
  }
}
