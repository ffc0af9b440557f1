// How long a console session lives and what a wrong password costs, as constants and pure checks:
// the one place these numbers are.
import type { LoginFailurePolicy, Session } from '../../storage/accounts.js';
import type { RateLimitOptions } from '../rate-limit.js';

/** A session ends 12 hours after sign-in whatever happens (a working day, then sign in again). */
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;
/** ... and after 30 minutes without a request. */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;

/** Five wrong passwords in a row lock the account for 15 minutes (OWASP: lock briefly, do not lock forever). */
export const LOGIN_FAILURES: LoginFailurePolicy = { maxFailures: 5, lockMs: 15 * 60 * 1000 };

/** Sign-in attempts per client address, whatever the account: 10 per 10 minutes. */
export const LOGIN_RATE_LIMIT: RateLimitOptions = { max: 10, windowMs: 10 * 60 * 1000 };

export function sessionAlive(session: Pick<Session, 'expiresAt' | 'lastSeenAt'>, now: number): boolean {
  return now < session.expiresAt && now - session.lastSeenAt < IDLE_TIMEOUT_MS;
}

export function isLocked(lockedUntil: number | null, now: number): boolean {
  return lockedUntil !== null && now < lockedUntil;
}
