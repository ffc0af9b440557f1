// Addresses as both adapters store them, so SQLite and PostgreSQL agree on what is an address and
// what counts as a duplicate. The rules themselves live in src/domain/address.ts: the stored
// `email` is the address as written (NFKC, trimmed), `email_key` its canonical form.
import { canonicalAddress, parseAddress } from '../domain/address.js';
import { InvalidEmailError } from './store.js';

/** Returns why `email` is not acceptable, or null when it is. */
export function emailProblem(email: string): string | null {
  const parsed = parseAddress(email);
  return parsed.ok ? null : parsed.problem;
}

/** The uniqueness key: the canonical address. */
export function emailKey(email: string): string {
  return canonicalAddress(email);
}

/** The `email` and `email_key` columns of a new subscriber; throws InvalidEmailError for an invalid address. */
export function addressColumns(email: string): { email: string; emailKey: string } {
  const parsed = parseAddress(email);
  if (!parsed.ok) throw new InvalidEmailError(email, parsed.problem);
  return { email: parsed.address, emailKey: parsed.canonical };
}
