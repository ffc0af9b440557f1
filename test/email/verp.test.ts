// VERP return paths (src/email/verp.ts) and the check of email.bounceAddress at load time.
import { describe, expect, it } from 'vitest';
import { checkBounceAddress } from '../../src/config/checks.js';
import { checkVerpToken, parseVerpAddress, verpAddress, verpToken } from '../../src/email/verp.js';

const SECRET = 'a-secret-of-at-least-sixteen-characters';
const BOUNCES = 'bounces@news.example.org';

describe('VERP addresses', () => {
  it('names (campaign, subscriber) and reads back the same pair, in any case', () => {
    const address = verpAddress(BOUNCES, verpToken(SECRET, { campaignId: 12, subscriberId: 123_456 }));
    expect(address).toMatch(/^bounces\+[0-9a-z.]+@news\.example\.org$/);
    expect(parseVerpAddress(address, BOUNCES, SECRET)).toEqual({ ok: true, campaignId: 12, subscriberId: 123_456 });
    // Some MTAs lower- or upper-case the local part; the domain's case never matters.
    expect(parseVerpAddress(address.toUpperCase(), BOUNCES, SECRET)).toEqual({ ok: true, campaignId: 12, subscriberId: 123_456 });
    expect(parseVerpAddress(`<${address}>`, BOUNCES, SECRET)).toMatchObject({ ok: true });
  });

  it('keeps the local part inside RFC 5321 even for the largest ids', () => {
    const address = verpAddress('bounce-mailbox-23-chars@news.example.org', verpToken(SECRET, { campaignId: Number.MAX_SAFE_INTEGER, subscriberId: Number.MAX_SAFE_INTEGER }));
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(parseVerpAddress(address, 'bounce-mailbox-23-chars@news.example.org', SECRET)).toMatchObject({ ok: true, subscriberId: Number.MAX_SAFE_INTEGER });
  });

  it('refuses a forged, altered or mangled token, and tells them apart from addresses that are not VERP', () => {
    const address = verpAddress(BOUNCES, verpToken(SECRET, { campaignId: 3, subscriberId: 44 }));
    const [local, domain] = address.split('@') as [string, string];
    const token = local.slice('bounces+'.length);
    // Another subscriber's id with this copy's MAC: the MAC binds both ids.
    const otherId = token.replace(/^3\.18\./, '3.19.');
    expect(otherId).not.toBe(token);
    expect(checkVerpToken(SECRET, otherId)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(parseVerpAddress(address, BOUNCES, 'another-secret-entirely-16+')).toEqual({ ok: false, reason: 'bad-signature' });
    expect(parseVerpAddress(`${local.slice(0, -1)}@${domain}`, BOUNCES, SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseVerpAddress('bounces+hello@news.example.org', BOUNCES, SECRET)).toEqual({ ok: false, reason: 'malformed' });
    expect(parseVerpAddress(BOUNCES, BOUNCES, SECRET)).toEqual({ ok: false, reason: 'not-verp' });
    expect(parseVerpAddress(`${local}@other.example.org`, BOUNCES, SECRET)).toEqual({ ok: false, reason: 'not-verp' });
    expect(parseVerpAddress('postmaster@news.example.org', BOUNCES, SECRET)).toEqual({ ok: false, reason: 'not-verp' });
  });
});

describe('email.bounceAddress', () => {
  it('accepts a plain address and names the setting and what is wrong otherwise', () => {
    expect(() => checkBounceAddress(BOUNCES, 'email.bounceAddress')).not.toThrow();
    expect(() => checkBounceAddress('bounces', 'email.bounceAddress')).toThrow(/^email\.bounceAddress: "bounces" has no @ \(expected e\.g\. bounces@news\.example\.org\)$/);
    expect(() => checkBounceAddress('bounces+x@news.example.org', 'email.bounceAddress')).toThrow(/has a \+ in its local part/);
    expect(() => checkBounceAddress(`${'b'.repeat(24)}@news.example.org`, 'email.bounceAddress')).toThrow(/local part over 23 characters/);
  });
});
