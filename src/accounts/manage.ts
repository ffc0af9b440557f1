// Managing the console's accounts, shared by the CLI (`pressroom operators|tokens`, src/cli/operators.ts)
// and HTTP (/api/operators, /api/tokens and their console pages, src/server/accounts.ts): the rule
// for token names, making a token (shown once; only its SHA-256 is stored), and the last owner.
import type { Role } from '../domain/roles.js';
import type { AccountStore, ApiToken, Operator } from '../storage/accounts.js';
import { newApiToken, secretHash } from './secrets.js';

/** Token names: short, printable, no spaces (they appear in logs and `tokens list`). */
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function tokenNameProblem(name: string): string | null {
  return TOKEN_NAME.test(name) ? null : `token name "${name}": expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`;
}

/** Stores a new token under `name` and returns it with the token itself, which is never stored. Throws DuplicateApiTokenError. */
export async function createApiToken(store: AccountStore, name: string, role: Role): Promise<{ token: string; apiToken: ApiToken }> {
  const token = newApiToken();
  const apiToken = await store.addApiToken({ name, tokenHash: secretHash(token), role });
  return { token, apiToken };
}

/**
 * Why removing `target` or giving it `newRole` (null: removal) is refused, or null: the last owner
 * stays, so the console always has someone who can manage accounts (the CLI can still do anything).
 */
export function lastOwnerProblem(operators: readonly Operator[], target: Operator, newRole: Role | null): string | null {
  if (target.role !== 'owner' || newRole === 'owner') return null;
  const others = operators.filter((o) => o.role === 'owner' && o.id !== target.id);
  return others.length === 0 ? `${target.email} is the last owner: make another operator owner first` : null;
}
