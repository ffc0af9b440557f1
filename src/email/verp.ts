// VERP return paths: the envelope sender of each issue message is `<local>+<token>@<domain>` of
// `email.bounceAddress`, the token naming (campaign, subscriber) and signed with the site secret,
// so a delivery status notification sent back to it is attributed exactly, and one whose token was
// forged or mangled is recognised as such. Some MTAs lower-case local parts, so the token is base 32
// in lower case (RFC 4648 alphabet, lower-cased) and is compared case-insensitively. Short enough to
// keep the local part well inside RFC 5321's 64 octets: ids in base 36 and an 80-bit MAC.
import { timingSafeEqual } from 'node:crypto';
import { hmacSha256 } from './tokens.js';

const MAC_BYTES = 10;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export interface VerpTarget {
  campaignId: number;
  subscriberId: number;
}

/** Why an address at the bounce domain was not accepted as ours (for the log line). */
export type VerpCheck = ({ ok: true } & VerpTarget) | { ok: false; reason: 'not-verp' | 'malformed' | 'bad-signature' };

function macOf(secret: string, campaignId: number, subscriberId: number): Buffer {
  return hmacSha256(secret, `verp.v1.${campaignId}.${subscriberId}`).subarray(0, MAC_BYTES);
}

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

function checkId(name: string, id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) throw new Error(`verp: ${name} must be a non-negative integer, got ${id}`);
}

/** The token alone: `<campaign base 36>.<subscriber base 36>.<mac base 32>`. */
export function verpToken(secret: string, target: VerpTarget): string {
  checkId('campaign id', target.campaignId);
  checkId('subscriber id', target.subscriberId);
  const mac = base32(macOf(secret, target.campaignId, target.subscriberId));
  return `${target.campaignId.toString(36)}.${target.subscriberId.toString(36)}.${mac}`;
}

/** `bounces@news.example.org` and a token (verpToken) -> `bounces+<token>@news.example.org`. */
export function verpAddress(bounceAddress: string, token: string): string {
  const parts = splitAddress(bounceAddress);
  if (!parts) throw new Error(`verp: bounce address ${JSON.stringify(bounceAddress)} has no local part and domain`);
  return `${parts.local}+${token}@${parts.domain}`;
}

const TOKEN_RE = /^([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.([a-z2-7]{16})$/;

/** Checks a token (any case) against the secret, in constant time. */
export function checkVerpToken(secret: string, token: string): VerpCheck {
  const m = TOKEN_RE.exec(token.toLowerCase());
  if (!m) return { ok: false, reason: 'malformed' };
  const campaignId = parseInt(m[1]!, 36);
  const subscriberId = parseInt(m[2]!, 36);
  if (!Number.isSafeInteger(campaignId) || !Number.isSafeInteger(subscriberId)) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(base32(macOf(secret, campaignId, subscriberId)));
  const given = Buffer.from(m[3]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  return { ok: true, campaignId, subscriberId };
}

/**
 * Reads an address (a recipient at the bounce domain, or a DSN's Original-Recipient / the envelope
 * sender a provider echoes back): `not-verp` when it is not `<bounce local>+<token>@<bounce domain>`
 * (case-insensitive), else the token's check.
 */
export function parseVerpAddress(address: string, bounceAddress: string, secret: string): VerpCheck {
  const given = splitAddress(address.trim().replace(/^<|>$/g, ''));
  const ours = splitAddress(bounceAddress);
  if (!given || !ours) return { ok: false, reason: 'not-verp' };
  if (given.domain.toLowerCase() !== ours.domain.toLowerCase()) return { ok: false, reason: 'not-verp' };
  const prefix = `${ours.local.toLowerCase()}+`;
  if (!given.local.toLowerCase().startsWith(prefix)) return { ok: false, reason: 'not-verp' };
  return checkVerpToken(secret, given.local.slice(prefix.length));
}
