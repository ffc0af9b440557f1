// Signed per-subscriber tokens for unsubscribe, preferences and confirm links.
// Format (base64url, no padding): payload "v1.<id>.<purpose>.<expiresAt|0>" is never sent;
// the token carries only id, expiry and the MAC, so it never reveals the email address and
// cannot be forged without the secret. The purpose is bound into the MAC, so an unsubscribe
// token cannot confirm a subscription.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenPurpose = 'unsubscribe' | 'preferences' | 'confirm';

export type TokenCheck = { ok: true; subscriberId: number } | { ok: false; reason: 'invalid' | 'expired' };

const MAC_BYTES = 32;

function mac(secret: string, subscriberId: number, purpose: TokenPurpose, expiresAt: number): Buffer {
  return hmacSha256(secret, `v1.${subscriberId}.${purpose}.${expiresAt}`);
}

/** HMAC-SHA256 of the UTF-8 message under the UTF-8 secret (RFC 2104), by node:crypto. */
export function hmacSha256(secret: string, message: string): Buffer {
  return createHmac('sha256', secret).update(message, 'utf8').digest();
}

export function signToken(secret: string, subscriberId: number, purpose: TokenPurpose, expiresAt?: number): string {
  if (!secret) throw new Error('signToken: empty secret');
  if (!Number.isSafeInteger(subscriberId) || subscriberId < 0) {
    throw new Error(`signToken: subscriber id must be a non-negative integer, got ${subscriberId}`);
  }
  const exp = expiresAt === undefined ? 0 : Math.floor(expiresAt);
  if (!Number.isSafeInteger(exp) || exp < 0) throw new Error(`signToken: bad expiry ${expiresAt}`);
  // "<id>.<exp>.<mac>" with id and exp in base 36 to keep URLs short.
  return `${subscriberId.toString(36)}.${exp.toString(36)}.${mac(secret, subscriberId, purpose, exp).toString('base64url')}`;
}

const TOKEN_RE = /^([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

export function verifyToken(secret: string, token: string, purpose: TokenPurpose, now: number = Date.now()): TokenCheck {
  if (!secret || typeof token !== 'string') return { ok: false, reason: 'invalid' };
  const m = TOKEN_RE.exec(token);
  if (!m) return { ok: false, reason: 'invalid' };
  const subscriberId = parseInt(m[1]!, 36);
  const exp = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(subscriberId) || !Number.isSafeInteger(exp)) return { ok: false, reason: 'invalid' };
  // Reject non-canonical encodings (e.g. leading zeros) so each (id, exp) has exactly one token.
  if (subscriberId.toString(36) !== m[1] || exp.toString(36) !== m[2]) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(m[3]!, 'base64url');
  if (given.length !== MAC_BYTES) return { ok: false, reason: 'invalid' };
  const expected = mac(secret, subscriberId, purpose, exp);
  if (!timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  // Expiry is checked only after the MAC, so an attacker learns nothing from the reason.
  if (exp !== 0 && now >= exp) return { ok: false, reason: 'expired' };
  return { ok: true, subscriberId };
}
