// Links already sent must keep working: these tokens were signed by the hand-written HMAC that
// tokens.ts had before it used node:crypto's createHmac (commit 1b383e3), and the first one
// was checked against `openssl dgst -sha256 -hmac`. Any change to the format or the MAC breaks
// every unsubscribe link in every inbox; this test says so first.
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../src/email/tokens.js';

const SECRET = 'test-secret-0123456789abcdef';
const EXPIRES = Date.UTC(2026, 0, 1) + 1000;

const PINNED: Array<[secret: string, id: number, purpose: 'unsubscribe' | 'confirm' | 'preferences', expiresAt: number | undefined, token: string]> = [
  [SECRET, 42, 'unsubscribe', undefined, '16.0.uN_eyxOCIR_d1UbDFiNAnCy7rnEOr0Oe0bSO0pRJpYc'],
  [SECRET, 7, 'confirm', EXPIRES, '7.mjuohsrs.WMD2Iz5qYpnsQnqvzG4brIm4nsSkhpn5eBydeSy1bLQ'],
  [SECRET, 123456789, 'preferences', undefined, '21i3v9.0.fQjIUU4ahn7Z5dpbVKYz9YNi5x7a2EVe5ZKeP9cSdH0'],
  // A secret longer than the SHA-256 block (hashed first, RFC 2104) and not ASCII.
  ['密钥-'.repeat(30), 1, 'unsubscribe', undefined, '1.0.NOC4_Lme86otjgAEhKWfawDXypw4QzBYkmtVRhK9s50'],
];

describe('token format', () => {
  it.each(PINNED)('signs as before the change (%#)', (secret, id, purpose, expiresAt, token) => {
    expect(signToken(secret, id, purpose, expiresAt)).toBe(token);
  });

  it.each(PINNED)('still accepts the old token (%#)', (secret, id, purpose, expiresAt, token) => {
    expect(verifyToken(secret, token, purpose, expiresAt === undefined ? Date.now() : expiresAt - 1)).toEqual({ ok: true, subscriberId: id });
  });
});
