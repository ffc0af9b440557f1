// The confirm/welcome queue's retry policy, through the real app, store and SMTP server: temporary
// failures are retried with backoff until smtp.maxAttempts, a 5xx is final at once, and an email
// whose subscriber moved on meanwhile is dropped instead of sent.
import { afterEach, expect, it } from 'vitest';
import type { SystemMail } from '../../src/storage/store.js';
import { waitFor } from '../support/wait.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const signUp = (email: string) => h!.server.app.inject({ method: 'POST', url: '/subscribe', headers: { 'content-type': 'application/json' }, payload: { email } });

async function queuedFor(email: string, state: SystemMail['state']): Promise<SystemMail> {
  let mail: SystemMail | undefined;
  return waitFor(
    async () => {
      mail = (await h!.store.exportSubscriber(email))?.systemMail[0];
      return mail?.state === state ? mail : undefined;
    },
    { what: `${email}: system mail in state ${state}`, describe: () => `now ${JSON.stringify(mail)}` },
  );
}

it('retries a temporary failure until smtp.maxAttempts, then gives up; a 5xx fails at once', async () => {
  h = await startHarness({
    smtp: { rcpt: (to) => (to === 'temp@example.org' ? { code: 451 } : to === 'perm@example.org' ? { code: 554 } : null) },
    configure: (c) => {
      c.smtp.maxAttempts = 3;
      c.smtp.systemRetrySeconds = 0.05;
    },
  });
  expect((await signUp('temp@example.org')).statusCode).toBe(202);
  expect((await signUp('perm@example.org')).statusCode).toBe(202);
  expect(await queuedFor('temp@example.org', 'failed')).toMatchObject({ kind: 'confirm', attempts: 3, smtpCode: 451 });
  expect(await queuedFor('perm@example.org', 'failed')).toMatchObject({ kind: 'confirm', attempts: 1, smtpCode: 554 });
  expect(h.smtp.accepted()).toBe(0);
});

it('drops a queued confirm email when the subscriber is no longer pending', async () => {
  let down = true;
  h = await startHarness({
    smtp: { rcpt: () => (down ? { code: 451 } : null) },
    configure: (c) => {
      c.smtp.systemRetrySeconds = 0.2;
    },
  });
  await signUp('late@example.org');
  await queuedFor('late@example.org', 'retry');
  const s = (await h.store.findSubscriberByEmail('late@example.org'))!;
  await h.store.setSubscriberStatus(s.id, 'unsubscribed');
  down = false;
  expect(await queuedFor('late@example.org', 'failed')).toMatchObject({ smtpCode: null, smtpResponse: 'not sent: subscriber unsubscribed' });
  expect(h.smtp.countFor('late@example.org')).toBe(0);
});
