// SNS signatures, pure: which URLs may be fetched, the string to sign per Type, and verification
// with both signature versions (an RSA key made here; the certificate path is in ses-webhook.test.ts).
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../../src/webhooks/payload.js';
import { parseSnsEnvelope, snsStringToSign, snsUrl, verifySnsSignature } from '../../src/webhooks/sns-signature.js';

describe('snsUrl: only SNS itself is ever fetched', () => {
  it.each([
    'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem',
    'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
    'https://sns.us-gov-west-1.amazonaws.com/x.pem',
    'https://sns.ap-southeast-2.amazonaws.com/x.pem',
  ])('accepts %s', (url) => {
    expect(snsUrl(url, 'certificate')?.href).toBe(url);
  });

  it.each([
    ['plain http', 'http://sns.us-east-1.amazonaws.com/x.pem'],
    ['another host', 'https://evil.example.org/x.pem'],
    ['a look-alike suffix', 'https://sns.us-east-1.amazonaws.com.evil.example.org/x.pem'],
    ['a look-alike prefix', 'https://sns.us-east-1.amazonaws.com@evil.example.org/x.pem'],
    ['credentials', 'https://user:pw@sns.us-east-1.amazonaws.com/x.pem'],
    ['another port', 'https://sns.us-east-1.amazonaws.com:8443/x.pem'],
    ['another AWS service', 'https://s3.us-east-1.amazonaws.com/x.pem'],
    ['no region', 'https://sns.amazonaws.com/x.pem'],
    ['not a .pem', 'https://sns.us-east-1.amazonaws.com/x.txt'],
    ['not a URL', 'sns.us-east-1.amazonaws.com/x.pem'],
  ])('refuses %s', (_why, url) => {
    expect(snsUrl(url, 'certificate')).toBeNull();
  });

  it('a SubscribeURL needs SNS host and https, not a .pem', () => {
    expect(snsUrl('https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn&Token=t', 'subscribe')).not.toBeNull();
    expect(snsUrl('https://127.0.0.1/?Action=ConfirmSubscription', 'subscribe')).toBeNull();
  });
});

const base = {
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-bounces',
  Message: '{"notificationType":"Bounce"}',
  Timestamp: '2026-11-27T19:25:24.000Z',
  SignatureVersion: '1',
  Signature: '',
  SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
};

describe('the string to sign', () => {
  it('Notification: Message, MessageId, Subject when present, Timestamp, TopicArn, Type', () => {
    const plain = parseSnsEnvelope({ ...base, Type: 'Notification', Signature: 'x' });
    expect(snsStringToSign(plain)).toBe(`Message\n${base.Message}\nMessageId\n${base.MessageId}\nTimestamp\n${base.Timestamp}\nTopicArn\n${base.TopicArn}\nType\nNotification\n`);
    const subject = parseSnsEnvelope({ ...base, Type: 'Notification', Signature: 'x', Subject: 'Hi' });
    expect(snsStringToSign(subject)).toContain(`MessageId\n${base.MessageId}\nSubject\nHi\nTimestamp\n`);
  });

  it('SubscriptionConfirmation: with SubscribeURL and Token, never Subject', () => {
    const env = parseSnsEnvelope({
      ...base,
      Type: 'SubscriptionConfirmation',
      Signature: 'x',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?a=1',
      Token: 'tok',
      Subject: 'ignored',
    });
    expect(snsStringToSign(env)).toBe(
      `Message\n${base.Message}\nMessageId\n${base.MessageId}\nSubscribeURL\nhttps://sns.eu-west-1.amazonaws.com/?a=1\nTimestamp\n${base.Timestamp}\nToken\ntok\nTopicArn\n${base.TopicArn}\nType\nSubscriptionConfirmation\n`,
    );
  });

  it('an unknown Type, a SignatureVersion other than 1 or 2, or a missing field is a payload error', () => {
    expect(() => parseSnsEnvelope({ ...base, Type: 'Other', Signature: 'x' })).toThrow(PayloadError);
    expect(() => parseSnsEnvelope({ ...base, Type: 'Notification', Signature: 'x', SignatureVersion: '3' })).toThrow(PayloadError);
    expect(() => parseSnsEnvelope({ ...base, Type: 'SubscriptionConfirmation', Signature: 'x' })).toThrow(/SubscribeURL/);
  });
});

describe('verification', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  it.each([
    ['1', 'sha1'],
    ['2', 'sha256'],
  ])('SignatureVersion %s (%s with RSA) verifies, and fails once a signed field changes', (version, algorithm) => {
    const unsigned = parseSnsEnvelope({ ...base, Type: 'Notification', Signature: 'x', SignatureVersion: version });
    const signature = sign(algorithm, Buffer.from(snsStringToSign(unsigned)), privateKey).toString('base64');
    const envelope = { ...unsigned, Signature: signature };
    expect(verifySnsSignature(envelope, publicKey)).toBe(true);
    expect(verifySnsSignature({ ...envelope, Message: '{"notificationType":"Complaint"}' }, publicKey)).toBe(false);
    expect(verifySnsSignature({ ...envelope, SignatureVersion: version === '1' ? '2' : '1' }, publicKey)).toBe(false);
    expect(verifySnsSignature({ ...envelope, Signature: 'bm90IGEgc2lnbmF0dXJl' }, publicKey)).toBe(false);
  });
});
