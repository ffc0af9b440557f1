// Session ids, CSRF secrets and API tokens: 32 random bytes each (base64url). The store keeps only
// the SHA-256 of a session id or token (a lookup key that opens nothing).
import { createHash, randomBytes } from 'node:crypto';

/** API tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
const TOKEN_PREFIX = 'prt_';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newApiToken(): string {
  return `${TOKEN_PREFIX}${newSecret()}`;
}

/** The stored form of a session id or API token. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
