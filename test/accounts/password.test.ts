// Operator passwords (scrypt with a salt of its own and the parameters stored) and the roles' order.
import { describe, expect, it } from 'vitest';
import { DUMMY_HASH, hashPassword, MIN_PASSWORD_LENGTH, passwordProblem, verifyPassword } from '../../src/accounts/password.js';
import { newApiToken, secretHash } from '../../src/accounts/secrets.js';
import { isRole, roleAllows } from '../../src/domain/roles.js';

describe('passwords', () => {
  it('hashes with a fresh salt and the parameters stored, and verifies only the same password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    // The same text in another Unicode form is the same password (NFKC).
    const composed = await hashPassword('caf\u00e9 au lait noir');
    expect(await verifyPassword('cafe\u0301 au lait noir', composed)).toBe(true);
  });

  it('never matches a malformed or dummy hash', async () => {
    for (const stored of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$32768$8$1$AAAA$BBBB', DUMMY_HASH]) expect(await verifyPassword('anything at all', stored)).toBe(false);
  });

  it('asks for at least the minimum length, in characters', () => {
    expect(passwordProblem('x'.repeat(MIN_PASSWORD_LENGTH - 1))).toMatch(/at least 12 characters/);
    expect(passwordProblem('x'.repeat(MIN_PASSWORD_LENGTH))).toBeNull();
    expect(passwordProblem('密'.repeat(MIN_PASSWORD_LENGTH))).toBeNull();
    expect(passwordProblem('x'.repeat(1025))).toMatch(/at most/);
  });
});

describe('secrets and roles', () => {
  it('makes distinct tokens and stores a SHA-256 of them', () => {
    const t = newApiToken();
    expect(t).toMatch(/^prt_[A-Za-z0-9_-]{43}$/);
    expect(newApiToken()).not.toBe(t);
    expect(secretHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretHash(t)).not.toContain(t.slice(4));
  });

  it('orders the roles: owner > editor > viewer', () => {
    expect(roleAllows('owner', 'editor')).toBe(true);
    expect(roleAllows('editor', 'editor')).toBe(true);
    expect(roleAllows('viewer', 'editor')).toBe(false);
    expect(roleAllows('editor', 'owner')).toBe(false);
    expect(isRole('owner')).toBe(true);
    expect(isRole('admin')).toBe(false);
  });
});
