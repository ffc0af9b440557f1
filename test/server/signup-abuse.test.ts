// Mail-bombing a mailbox through the sign-up form (issue 10.1) and addresses the sender cannot
// deliver (issue 11), against the real server, SQLite store and loopback SMTP server.
import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/server/trust-proxy.js';
import { startHarness, type Harness } from './harness.js';

const signUp = (h: Harness, email: string, remoteAddress: string, forwardedFor?: string) =>
  h.server.app.inject({
    method: 'POST',
    url: '/subscribe',
    payload: { email },
    remoteAddress,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

describe('per-IP limit behind a proxy', () => {
  it('one trusted hop: forged left-most X-Forwarded-For entries do not make new clients', async () => {
    const h = await startHarness({ rateLimit: { max: 3, windowMs: 60_000 }, trustProxy: 1 });
    try {
      const statuses: number[] = [];
      // nginx appends the real client (203.0.113.50) to whatever the client sent.
      for (let i = 1; i <= 14; i++) {
        const res = await signUp(h, `x${i}@example.org`, '127.0.0.1', `10.66.0.${i}, 198.51.100.${i}, 203.0.113.50`);
        statuses.push(res.statusCode);
      }
      expect(statuses.filter((s) => s === 202)).toHaveLength(3);
      expect(statuses.slice(3).every((s) => s === 429)).toBe(true);
      expect(await h.store.countSubscribers()).toBe(3);
      // Another real client behind the same proxy still gets in.
      expect((await signUp(h, 'other@example.org', '127.0.0.1', '10.66.0.1, 203.0.113.51')).statusCode).toBe(202);
    } finally {
      await h.close();
    }
  });

  it('a list of proxies: the client is the right-most address that is not one of them', async () => {
    const h = await startHarness({ rateLimit: { max: 2, windowMs: 60_000 }, trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
    try {
      const statuses: number[] = [];
      for (let i = 1; i <= 6; i++) {
        // Two trusted hops (the socket peer and 10.1.2.3) in front of the client 203.0.113.7.
        const res = await signUp(h, `l${i}@example.org`, '127.0.0.1', `192.0.2.${i}, 203.0.113.7, 10.1.2.3`);
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([202, 202, 429, 429, 429, 429]);
      // A peer that is not a listed proxy is the client itself, whatever its header says.
      const direct: number[] = [];
      for (let i = 1; i <= 3; i++) direct.push((await signUp(h, `d${i}@example.org`, '198.51.100.9', `192.0.2.${100 + i}`)).statusCode);
      expect(direct).toEqual([202, 202, 429]);
    } finally {
      await h.close();
    }
  });

  it('parses the setting without ever trusting every hop', () => {
    expect(parseTrustProxy(undefined, 'PRESSROOM_TRUST_PROXY')).toEqual({ ok: true, value: false });
    for (const off of ['', '0', 'false', 'off', 'no']) expect(parseTrustProxy(off, 'X')).toEqual({ ok: true, value: false });
    for (const one of [true, '1', 'true', 'yes', 'on']) expect(parseTrustProxy(one, 'X')).toEqual({ ok: true, value: 1 });
    expect(parseTrustProxy('2', 'X')).toEqual({ ok: true, value: 2 });
    expect(parseTrustProxy('10.0.0.1, 192.168.0.0/16,::1,fd00::/8,loopback', 'X')).toEqual({
      ok: true,
      value: ['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback'],
    });
    for (const bad of ['everything', '10.0.0.0/33', '10.0.0', '*']) {
      const r = parseTrustProxy(bad, '--trust-proxy');
      expect(r.ok, bad).toBe(false);
      expect(!r.ok && r.error).toMatch(/^--trust-proxy: ".*" is not a hop count or a proxy address \(expected e\.g\. 1, or /);
    }
  });
});

describe('per-address limit and uniqueness', () => {
  it('spellings of one mailbox (fullwidth letters, case) are one subscriber and one limit', async () => {
    const h = await startHarness({ rateLimit: { max: 1000, windowMs: 60_000 } });
    try {
      const spellings = ['victim@example.org', 'victim@ｅxample.org', 'victim@exａmple.org', 'VICTIM@examｐle.org', 'ｖictim@ＥＸＡＭＰＬＥ.org', 'victim@exampｌe.org'];
      for (const [i, email] of spellings.entries()) {
        expect((await signUp(h, email, `203.0.113.${i + 1}`)).statusCode).toBe(202);
      }
      await h.server.context.mailer.drain();
      const mails = await h.mailFor('victim@example.org');
      expect(mails).toHaveLength(3); // the per-address limit, whatever the spelling
      expect(await h.store.countSubscribers()).toBe(1);
      expect((await h.store.findSubscriberByEmail('victim@ｅxample.org'))?.email).toBe('victim@example.org');
    } finally {
      await h.close();
    }
  });
});

describe('addresses the sender cannot deliver', () => {
  it('refuses a non-ASCII local part at the door with a clear message, and mails an IDN domain as punycode', async () => {
    const h = await startHarness({ rateLimit: { max: 1000, windowMs: 60_000 } });
    try {
      const refused = await signUp(h, 'josé@example.org', '203.0.113.1');
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toEqual({
        ok: false,
        error: 'email: "josé@example.org" is not an email address (has non-ASCII characters before the @, which Pressroom cannot deliver yet (no SMTPUTF8 support))',
      });
      expect(await h.store.countSubscribers()).toBe(0);

      expect((await signUp(h, 'jose@exämple.org', '203.0.113.2')).statusCode).toBe(202);
      // (smtp-server shows envelope domains in Unicode; the header shows what was written.)
      await h.waitForMail('jose@exämple.org');
      const raw = h.smtp.messages.map((m) => m.raw.toString('latin1')).join('\n');
      expect(raw).toMatch(/^To: jose@xn--exmple-cua\.org\r$/m);
    } finally {
      await h.close();
    }
  });
});
