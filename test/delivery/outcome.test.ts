// The pure outcome classifier: one attempt's answer (or SendError) and the retry policy -> the verdict.
import { describe, expect, it } from 'vitest';
import { asSendError, classify, notSent, retryPolicy } from '../../src/delivery/outcome.js';
import { SendError, type SendErrorKind } from '../../src/delivery/send-error.js';

const policy = retryPolicy(3, { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0 });
const now = 1_700_000_000_000;
const error = (kind: SendErrorKind, code: number | null, response = `${code} no`) => new SendError(`failed: ${response}`, { kind, code, response });

describe('classify', () => {
  it('records a 250 as sent, with the reply code and text', () => {
    expect(classify({ code: 250, response: '250 2.0.0 Ok: queued as ABC' }, 1, policy, now)).toEqual({
      verdict: { kind: 'sent', recorded: { smtpCode: 250, smtpResponse: '250 2.0.0 Ok: queued as ABC' } },
      connectionTrouble: false,
    });
  });

  it('schedules a temporary failure for a retry after the backoff, until the last attempt fails it (temporary)', () => {
    const busy = error('temporary', 451, '451 4.3.0 try later');
    expect(classify(busy, 1, policy, now)).toEqual({
      verdict: { kind: 'retry', at: now + 1000, recorded: { smtpCode: 451, smtpResponse: '451 4.3.0 try later' }, error: busy },
      connectionTrouble: false,
    });
    expect(classify(busy, 2, policy, now).verdict).toMatchObject({ kind: 'retry', at: now + 2000 });
    expect(classify(busy, 3, policy, now).verdict).toEqual({
      kind: 'failed',
      recorded: { smtpCode: 451, smtpResponse: '451 4.3.0 try later' },
      bounced: false,
      temporary: true,
      error: busy,
    });
  });

  it('draws the jitter from the given random source', () => {
    const jittered = retryPolicy(3, { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 0.5 });
    expect(classify(error('temporary', 451), 1, jittered, now, () => 0.5).verdict).toMatchObject({ kind: 'retry', at: now + 750 });
    // The default backoff: a minute before the second attempt.
    expect(classify(error('temporary', 451), 1, retryPolicy(3), now, () => 0).verdict).toMatchObject({ kind: 'retry', at: now + 60_000 });
  });

  it('fails a permanent refusal at once; a user-unknown one bounces the subscriber', () => {
    expect(classify(error('permanent', 554, '554 5.7.1 policy'), 1, policy, now).verdict).toMatchObject({ kind: 'failed', bounced: false, temporary: false });
    expect(classify(error('user-unknown', 550, '550 5.1.1 no such user'), 1, policy, now).verdict).toMatchObject({ kind: 'failed', bounced: true, temporary: false });
  });

  it('records an unknown outcome as unknown, never as a retry, whatever the attempt', () => {
    const lost = error('unknown-outcome', null, 'unknown: no answer within 400 ms after the final dot');
    expect(classify(lost, 1, policy, now)).toEqual({
      verdict: { kind: 'unknown', recorded: { smtpCode: null, smtpResponse: 'unknown: no answer within 400 ms after the final dot' }, error: lost },
      connectionTrouble: true,
    });
  });

  it('halts on a fatal error (nothing recorded), and the error is the one to report', () => {
    const auth = error('fatal', 535, '535 5.7.8 authentication failed');
    expect(classify(auth, 1, policy, now)).toEqual({ verdict: { kind: 'halt', error: auth }, connectionTrouble: false });
  });

  it('flags connection trouble (no reply code, or 421) so the lane pauses', () => {
    expect(classify(error('temporary', null, 'ECONNREFUSED: connect'), 1, policy, now).connectionTrouble).toBe(true);
    expect(classify(error('temporary', 421, '421 closing'), 1, policy, now).connectionTrouble).toBe(true);
    expect(classify(error('temporary', 451), 1, policy, now).connectionTrouble).toBe(false);
    expect(classify(error('permanent', 550), 1, policy, now).connectionTrouble).toBe(false);
  });

  it('records the message when the server gave no reply text', () => {
    const e = new SendError('aborted before sending', { kind: 'temporary', response: '' });
    expect(classify(e, 3, policy, now).verdict).toMatchObject({ recorded: { smtpCode: null, smtpResponse: 'aborted before sending' } });
  });
});

describe('asSendError', () => {
  it('keeps a SendError, and makes anything else thrown a temporary failure without a code', () => {
    const e = error('permanent', 554);
    expect(asSendError(e)).toBe(e);
    const wrapped = asSendError(new TypeError('socket is undefined'));
    expect(wrapped).toBeInstanceOf(SendError);
    expect(wrapped).toMatchObject({ kind: 'temporary', code: null, message: 'socket is undefined', response: 'TypeError: socket is undefined' });
    expect(asSendError('boom')).toMatchObject({ kind: 'temporary', message: 'boom', response: 'boom' });
  });
});

describe('notSent', () => {
  it('fails a row that never reached the transport, saying why, without a bounce', () => {
    expect(notSent('subscriber unsubscribed before sending')).toEqual({
      kind: 'not-sent',
      recorded: { smtpCode: null, smtpResponse: 'not sent: subscriber unsubscribed before sending' },
    });
  });
});

describe('retryPolicy', () => {
  it('takes maxAttempts from the configuration and the default backoff unless overridden', () => {
    expect(retryPolicy(5)).toEqual({ maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 3_600_000, jitter: 0.5 });
    expect(retryPolicy(2, { jitter: 0 })).toEqual({ maxAttempts: 2, baseDelayMs: 60_000, maxDelayMs: 3_600_000, jitter: 0 });
  });
});
