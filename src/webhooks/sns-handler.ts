// POST /webhooks/ses: an SNS message, checked in this order before anything is believed: its
// topic is one of webhooks.sesTopicArns, its certificate URL is SNS's own, its signature verifies
// with that certificate (fetched once per URL and kept). Then a SubscriptionConfirmation is
// confirmed by GET SubscribeURL (SNS's own host too), and a Notification's Message is read as an
// SES bounce or complaint (ses.ts).
import type { KeyObject } from 'node:crypto';
import type { HttpGet } from './http-get.js';
import { PayloadError, parseJson, type Verdict } from './payload.js';
import { sesEvents } from './ses.js';
import { parseSnsEnvelope, signingKey, snsUrl, verifySnsSignature } from './sns-signature.js';

/** SNS signs with a handful of certificates; more than this many URLs is someone probing. */
const MAX_CERTIFICATES = 16;

export class SnsHandler {
  private readonly keys = new Map<string, KeyObject>();

  constructor(
    private readonly topics: ReadonlySet<string>,
    private readonly secret: string,
    private readonly get: HttpGet,
  ) {}

  async handle(raw: Buffer, now: Date): Promise<Verdict> {
    const envelope = parseSnsEnvelope(parseJson(raw));
    if (!this.topics.has(envelope.TopicArn)) return { refuse: 403, why: `topic ${envelope.TopicArn} is not in webhooks.sesTopicArns` };
    const certificateUrl = snsUrl(envelope.SigningCertURL, 'certificate');
    if (!certificateUrl) return { refuse: 403, why: 'SigningCertURL is not an https://sns.<region>.amazonaws.com/....pem address' };
    const key = await this.key(certificateUrl, now);
    if (typeof key === 'string') return { refuse: 503, why: key };
    if (!verifySnsSignature(envelope, key)) return { refuse: 403, why: 'bad signature' };

    if (envelope.Type === 'Notification') {
      let message: unknown;
      try {
        message = JSON.parse(envelope.Message);
      } catch {
        throw new PayloadError('the SNS Message is not JSON (is "raw message delivery" on? it must be off)');
      }
      return { reading: sesEvents(message, this.secret, now) };
    }
    if (envelope.Type === 'UnsubscribeConfirmation') return { answered: `unsubscribed from topic ${envelope.TopicArn} (nothing done)` };
    const subscribe = snsUrl(envelope.SubscribeURL ?? '', 'subscribe');
    if (!subscribe) return { refuse: 403, why: 'SubscribeURL is not an https://sns.<region>.amazonaws.com/ address' };
    try {
      await this.get(subscribe);
    } catch (err) {
      return { refuse: 503, why: `confirming the subscription failed: ${(err as Error).message}` };
    }
    return { answered: `subscription to topic ${envelope.TopicArn} confirmed` };
  }

  /** The certificate's key, or why it could not be fetched (SNS retries on a 5xx). */
  private async key(url: URL, now: Date): Promise<KeyObject | string> {
    const cached = this.keys.get(url.href);
    if (cached) return cached;
    let pem: string;
    try {
      pem = await this.get(url);
    } catch (err) {
      return `the signing certificate could not be fetched: ${(err as Error).message}`;
    }
    const key = signingKey(pem, now);
    if (this.keys.size >= MAX_CERTIFICATES) this.keys.clear();
    this.keys.set(url.href, key);
    return key;
  }
}
