// Operators and API tokens from HTTP (/api/operators, /api/tokens and the console's owner pages):
// the checks and the store calls in one place, like brakes.ts, each answering a result the route
// turns into JSON or a page. Passwords follow the CLI's rule (src/accounts/password.ts); removing an
// operator ends their sessions in the store, as `pressroom operators remove` does.
import { createApiToken, lastOwnerProblem, tokenNameProblem } from '../accounts/manage.js';
import { hashPassword, passwordProblem } from '../accounts/password.js';
import type { Role } from '../domain/roles.js';
import { DuplicateApiTokenError, DuplicateOperatorError, type AccountStore, type ApiToken, type Operator } from '../storage/accounts.js';
import { InvalidEmailError } from '../storage/store.js';

export type AccountResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error: string };

const refused = (status: 400 | 404 | 409, error: string) => ({ ok: false, status, error }) as const;
const notAnOperator = (email: string) => refused(404, `${email}: not an operator`);

export async function addOperator(store: AccountStore, input: { email: string; role: Role; password: string }): Promise<AccountResult<Operator>> {
  const problem = passwordProblem(input.password);
  if (problem) return refused(400, `password: ${problem}`);
  try {
    return { ok: true, value: await store.addOperator({ email: input.email, role: input.role, passwordHash: await hashPassword(input.password) }) };
  } catch (err) {
    if (err instanceof InvalidEmailError) return refused(400, `email: ${err.message}`);
    if (err instanceof DuplicateOperatorError) return refused(409, err.message);
    throw err;
  }
}

/** Found by canonical address, with the last-owner rule checked against every operator. */
async function checkedChange(store: AccountStore, email: string, newRole: Role | null): Promise<AccountResult<Operator>> {
  const operators = await store.listOperators();
  const found = await store.findOperator(email);
  const target = found && operators.find((o) => o.id === found.id);
  if (!target) return notAnOperator(email);
  const problem = lastOwnerProblem(operators, target, newRole);
  return problem ? refused(409, problem) : { ok: true, value: target };
}

export async function setOperatorRole(store: AccountStore, email: string, role: Role): Promise<AccountResult<Operator>> {
  const checked = await checkedChange(store, email, role);
  if (!checked.ok) return checked;
  const changed = await store.setOperatorRole(email, role);
  return changed ? { ok: true, value: changed } : notAnOperator(email);
}

/** Their sessions end with them (the store's removeOperator). */
export async function removeOperator(store: AccountStore, email: string): Promise<AccountResult<Operator>> {
  const checked = await checkedChange(store, email, null);
  if (!checked.ok) return checked;
  return (await store.removeOperator(email)) ? checked : notAnOperator(email);
}

export async function createToken(store: AccountStore, name: string, role: Role): Promise<AccountResult<{ token: string; apiToken: ApiToken }>> {
  const problem = tokenNameProblem(name);
  if (problem) return refused(400, problem);
  try {
    return { ok: true, value: await createApiToken(store, name, role) };
  } catch (err) {
    if (err instanceof DuplicateApiTokenError) return refused(409, err.message);
    throw err;
  }
}

export async function revokeToken(store: AccountStore, name: string): Promise<AccountResult<null>> {
  return (await store.removeApiToken(name)) ? { ok: true, value: null } : refused(404, `${name}: no such token`);
}
