// How long a console session lives: an absolute lifetime and an idle timeout, whichever comes first.
import { describe, expect, it } from 'vitest';
import { IDLE_TIMEOUT_MS, isLocked, SESSION_LIFETIME_MS, sessionAlive } from '../../../src/server/admin/session-policy.js';

describe('session policy', () => {
  const start = 1_000_000;
  const session = { expiresAt: start + SESSION_LIFETIME_MS, lastSeenAt: start };

  it('ends a session idle for the timeout, and one past its lifetime however busy', () => {
    expect(sessionAlive(session, start + IDLE_TIMEOUT_MS - 1)).toBe(true);
    expect(sessionAlive(session, start + IDLE_TIMEOUT_MS)).toBe(false);
    const busy = { ...session, lastSeenAt: start + SESSION_LIFETIME_MS - 1 };
    expect(sessionAlive(busy, start + SESSION_LIFETIME_MS - 1)).toBe(true);
    expect(sessionAlive(busy, start + SESSION_LIFETIME_MS)).toBe(false);
  });

  it('a lock holds until its time', () => {
    expect(isLocked(null, start)).toBe(false);
    expect(isLocked(start + 1, start)).toBe(true);
    expect(isLocked(start, start)).toBe(false);
  });
});
