// The store's part of the operators' console: operators (logins), their sessions and named API
// tokens. Secrets never reach the store in the clear: it keeps a password hash (src/accounts/password.ts),
// and the SHA-256 of each session id and API token (src/accounts/secrets.ts).
import type { Role } from '../domain/roles.js';

export interface Operator {
  id: number;
  /** As given (NFKC, trimmed); unique by its canonical form, like a subscriber's. */
  email: string;
  role: Role;
  createdAt: string;
  /** Wrong passwords since the last good one (or the last lockout). */
  failedLogins: number;
  /** Epoch ms until which sign-in is refused, or null. */
  lockedUntil: number | null;
}

export interface OperatorWithPassword extends Operator {
  /** The encoded hash with its salt and parameters (src/accounts/password.ts). */
  passwordHash: string;
}

/** A session as stored, with whose it is. Times are epoch ms. */
export interface Session {
  operatorId: number;
  email: string;
  role: Role;
  csrfSecret: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
}

export interface ApiToken {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
}

/** What happened to an account after a wrong password. */
export interface LoginFailurePolicy {
  /** Consecutive failures that lock the account. */
  maxFailures: number;
  lockMs: number;
}

export class DuplicateOperatorError extends Error {
  constructor(readonly email: string) {
    super(`${email}: already an operator`);
  }
}

export class DuplicateApiTokenError extends Error {
  constructor(readonly tokenName: string) {
    super(`${tokenName}: an API token of that name exists`);
  }
}

export interface AccountStore {
  /** Throws InvalidEmailError, DuplicateOperatorError (matched by canonical address). */
  addOperator(input: { email: string; role: Role; passwordHash: string }, now?: Date): Promise<Operator>;
  /** Removes the operator and every session of theirs; false when there was none. */
  removeOperator(email: string): Promise<boolean>;
  listOperators(): Promise<Operator[]>;
  findOperator(email: string): Promise<OperatorWithPassword | null>;
  /** A new role (sessions included, at their next request); null when there is no such operator. */
  setOperatorRole(email: string, role: Role): Promise<Operator | null>;
  /** New password: ends every session of the operator and clears failures and lock; false when there is no such operator. */
  setOperatorPassword(email: string, passwordHash: string): Promise<boolean>;
  /** Counts a wrong password, in one statement; the policy's Nth in a row locks the account until now + lockMs (and starts the count again). */
  recordLoginFailure(operatorId: number, policy: LoginFailurePolicy, now?: number): Promise<void>;
  /** A good password: the failure count and lock are cleared. */
  recordLoginSuccess(operatorId: number): Promise<void>;

  /** `idHash`: the SHA-256 of the session id the browser holds. */
  createSession(input: { idHash: string; operatorId: number; csrfSecret: string; expiresAt: number }, now?: number): Promise<void>;
  findSession(idHash: string): Promise<Session | null>;
  touchSession(idHash: string, now?: number): Promise<void>;
  endSession(idHash: string): Promise<void>;
  /** Ends every session of the operator (sign-out everywhere); returns how many. */
  endOperatorSessions(operatorId: number): Promise<number>;
  /** Deletes sessions past their absolute expiry or idle since before `idleBefore` (epoch ms). */
  purgeSessions(now: number, idleBefore: number): Promise<number>;

  /** `tokenHash`: the SHA-256 of the token. Throws DuplicateApiTokenError. */
  addApiToken(input: { name: string; tokenHash: string; role: Role }, now?: Date): Promise<ApiToken>;
  listApiTokens(): Promise<ApiToken[]>;
  removeApiToken(name: string): Promise<boolean>;
  /** The token with this hash, its use recorded; null when there is none. */
  useApiToken(tokenHash: string, now?: Date): Promise<ApiToken | null>;
}
