// The console's accounts in the store (operators, sessions, API tokens), held to the same
// assertions on SQLite and PostgreSQL (run by sqlite.test.ts and postgres.test.ts).
import { describe, expect, it } from 'vitest';
import { DuplicateApiTokenError, DuplicateOperatorError } from '../../src/storage/accounts.js';
import { InvalidEmailError } from '../../src/storage/store.js';
import type { Harness } from './store-contract.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const MS = T0.getTime();
const POLICY = { maxFailures: 3, lockMs: 60_000 };

export function accountsContract(name: string, harness: Harness): void {
  describe(`${name} operators, sessions and API tokens`, () => {
    it('adds operators unique by canonical address, lists them without the hash, finds them case-insensitively, removes them', async () => {
      const { store } = await harness.fresh();
      const op = await store.addOperator({ email: 'Ada@Example.ORG', role: 'owner', passwordHash: 'h1' }, T0);
      expect(op).toEqual({ id: op.id, email: 'Ada@Example.ORG', role: 'owner', createdAt: T0.toISOString(), failedLogins: 0, lockedUntil: null });
      await expect(store.addOperator({ email: 'ada@example.org', role: 'viewer', passwordHash: 'h2' })).rejects.toBeInstanceOf(DuplicateOperatorError);
      await expect(store.addOperator({ email: 'not an address', role: 'viewer', passwordHash: 'h2' })).rejects.toBeInstanceOf(InvalidEmailError);
      await store.addOperator({ email: 'bob@example.org', role: 'viewer', passwordHash: 'h3' }, T0);
      const list = await store.listOperators();
      expect(list.map((o) => `${o.email}:${o.role}`)).toEqual(['Ada@Example.ORG:owner', 'bob@example.org:viewer']);
      expect(list[0]).not.toHaveProperty('passwordHash');
      expect(await store.findOperator('ADA@example.org')).toMatchObject({ id: op.id, passwordHash: 'h1' });
      expect(await store.findOperator('nobody@example.org')).toBeNull();
      expect(await store.removeOperator('BOB@example.org')).toBe(true);
      expect(await store.removeOperator('bob@example.org')).toBe(false);
      expect((await store.listOperators()).map((o) => o.email)).toEqual(['Ada@Example.ORG']);
      await store.close();
    });

    it('locks an account at the Nth failure in a row, starting the count again; a success clears it', async () => {
      const { store } = await harness.fresh();
      const op = await store.addOperator({ email: 'a@example.org', role: 'editor', passwordHash: 'h' }, T0);
      await store.recordLoginFailure(op.id, POLICY, MS);
      await store.recordLoginFailure(op.id, POLICY, MS);
      expect(await store.findOperator('a@example.org')).toMatchObject({ failedLogins: 2, lockedUntil: null });
      await store.recordLoginSuccess(op.id);
      expect(await store.findOperator('a@example.org')).toMatchObject({ failedLogins: 0, lockedUntil: null });
      // Three at once (as from parallel requests) all count.
      await Promise.all([1, 2, 3].map(() => store.recordLoginFailure(op.id, POLICY, MS)));
      expect(await store.findOperator('a@example.org')).toMatchObject({ failedLogins: 0, lockedUntil: MS + 60_000 });
      await store.recordLoginFailure(op.id, POLICY, MS + 1);
      expect(await store.findOperator('a@example.org')).toMatchObject({ failedLogins: 1, lockedUntil: MS + 60_000 });
      await store.close();
    });

    it('keeps sessions by hash with their operator; ends one, all of an operator, and the expired or idle', async () => {
      const { store } = await harness.fresh();
      const a = await store.addOperator({ email: 'a@example.org', role: 'editor', passwordHash: 'h' }, T0);
      const b = await store.addOperator({ email: 'b@example.org', role: 'viewer', passwordHash: 'h' }, T0);
      await store.createSession({ idHash: 'a1', operatorId: a.id, csrfSecret: 'c1', expiresAt: MS + 1000 }, MS);
      await store.createSession({ idHash: 'a2', operatorId: a.id, csrfSecret: 'c2', expiresAt: MS + 1000 }, MS);
      await store.createSession({ idHash: 'b1', operatorId: b.id, csrfSecret: 'c3', expiresAt: MS + 1000 }, MS);
      expect(await store.findSession('a1')).toEqual({
        operatorId: a.id,
        email: 'a@example.org',
        role: 'editor',
        csrfSecret: 'c1',
        createdAt: MS,
        lastSeenAt: MS,
        expiresAt: MS + 1000,
      });
      expect(await store.findSession('nope')).toBeNull();
      await store.touchSession('a1', MS + 500);
      expect((await store.findSession('a1'))?.lastSeenAt).toBe(MS + 500);
      await store.endSession('a1');
      expect(await store.findSession('a1')).toBeNull();
      expect(await store.findSession('a2')).not.toBeNull();
      await store.createSession({ idHash: 'a3', operatorId: a.id, csrfSecret: 'c4', expiresAt: MS + 1000 }, MS);
      expect(await store.endOperatorSessions(a.id)).toBe(2);
      expect(await store.findSession('a2')).toBeNull();
      expect(await store.findSession('b1')).not.toBeNull();

      // Idle (last seen before the cutoff) or past expiry: purged.
      await store.createSession({ idHash: 'b2', operatorId: b.id, csrfSecret: 'c5', expiresAt: MS + 100 }, MS + 50);
      await store.touchSession('b1', MS + 60);
      expect(await store.purgeSessions(MS + 100, MS + 55)).toBe(1);
      expect(await store.findSession('b2')).toBeNull();
      expect(await store.purgeSessions(MS + 100, MS + 61)).toBe(1);
      expect(await store.findSession('b1')).toBeNull();
      await store.close();
    });

    it('a new password and a removal end the operator’s sessions; a new password clears the lock', async () => {
      const { store } = await harness.fresh();
      const a = await store.addOperator({ email: 'a@example.org', role: 'owner', passwordHash: 'old' }, T0);
      await store.createSession({ idHash: 's1', operatorId: a.id, csrfSecret: 'c', expiresAt: MS + 1000 }, MS);
      await Promise.all([1, 2, 3].map(() => store.recordLoginFailure(a.id, POLICY, MS)));
      expect(await store.setOperatorPassword('A@example.org', 'new')).toBe(true);
      expect(await store.findOperator('a@example.org')).toMatchObject({ passwordHash: 'new', failedLogins: 0, lockedUntil: null });
      expect(await store.findSession('s1')).toBeNull();
      expect(await store.setOperatorPassword('nobody@example.org', 'x')).toBe(false);
      await store.createSession({ idHash: 's2', operatorId: a.id, csrfSecret: 'c', expiresAt: MS + 1000 }, MS);
      expect(await store.removeOperator('a@example.org')).toBe(true);
      expect(await store.findSession('s2')).toBeNull();
      await store.close();
    });

    it('changes an operator’s role by canonical address; their sessions carry the new role', async () => {
      const { store } = await harness.fresh();
      const op = await store.addOperator({ email: 'Ed@example.org', role: 'editor', passwordHash: 'h' }, T0);
      await store.createSession({ idHash: 's1', operatorId: op.id, csrfSecret: 'c', expiresAt: MS + 60_000 }, MS);
      expect(await store.setOperatorRole('ED@EXAMPLE.ORG', 'viewer')).toEqual({ ...op, role: 'viewer' });
      expect(await store.findSession('s1')).toMatchObject({ role: 'viewer', email: 'Ed@example.org' });
      expect(await store.setOperatorRole('nobody@example.org', 'owner')).toBeNull();
      expect((await store.listOperators()).map((o) => o.role)).toEqual(['viewer']);
      await store.close();
    });

    it('keeps API tokens by name and hash, records their use, removes them', async () => {
      const { store } = await harness.fresh();
      const t = await store.addApiToken({ name: 'deploy', tokenHash: 'th1', role: 'editor' }, T0);
      expect(t).toEqual({ id: t.id, name: 'deploy', role: 'editor', createdAt: T0.toISOString(), lastUsedAt: null });
      await expect(store.addApiToken({ name: 'deploy', tokenHash: 'th2', role: 'viewer' })).rejects.toBeInstanceOf(DuplicateApiTokenError);
      await store.addApiToken({ name: 'alerts', tokenHash: 'th3', role: 'viewer' }, T0);
      expect((await store.listApiTokens()).map((x) => x.name)).toEqual(['alerts', 'deploy']);
      const later = new Date(T0.getTime() + 5000);
      expect(await store.useApiToken('th1', later)).toMatchObject({ name: 'deploy', role: 'editor', lastUsedAt: later.toISOString() });
      expect(await store.useApiToken('th2')).toBeNull();
      expect((await store.listApiTokens()).find((x) => x.name === 'deploy')?.lastUsedAt).toBe(later.toISOString());
      expect(await store.removeApiToken('deploy')).toBe(true);
      expect(await store.removeApiToken('deploy')).toBe(false);
      expect(await store.useApiToken('th1')).toBeNull();
      await store.close();
    });
  });
}
