// The console's part of the Store over a dialect (operators, sessions, API tokens; the rules in
// core/operators.ts, sessions.ts and api-tokens.ts); SqlStore extends it with everything else.
import type { Role } from '../../domain/roles.js';
import type { AccountStore, ApiToken, LoginFailurePolicy, Operator, OperatorWithPassword, Session } from '../accounts.js';
import * as apiTokens from './api-tokens.js';
import type { Dialect } from './dialect.js';
import * as operators from './operators.js';
import * as sessions from './sessions.js';

export abstract class SqlAccounts implements AccountStore {
  protected constructor(protected readonly db: Dialect) {}

  addOperator(input: { email: string; role: Role; passwordHash: string }, now: Date = new Date()): Promise<Operator> {
    return operators.addOperator(this.db, input, now);
  }
  removeOperator(email: string): Promise<boolean> {
    return operators.removeOperator(this.db, email);
  }
  listOperators(): Promise<Operator[]> {
    return operators.listOperators(this.db);
  }
  findOperator(email: string): Promise<OperatorWithPassword | null> {
    return operators.findOperator(this.db, email);
  }
  setOperatorRole(email: string, role: Role): Promise<Operator | null> {
    return operators.setOperatorRole(this.db, email, role);
  }
  setOperatorPassword(email: string, passwordHash: string): Promise<boolean> {
    return operators.setOperatorPassword(this.db, email, passwordHash);
  }
  recordLoginFailure(operatorId: number, policy: LoginFailurePolicy, now: number = Date.now()): Promise<void> {
    return operators.recordLoginFailure(this.db, operatorId, policy, now);
  }
  recordLoginSuccess(operatorId: number): Promise<void> {
    return operators.recordLoginSuccess(this.db, operatorId);
  }
  createSession(input: { idHash: string; operatorId: number; csrfSecret: string; expiresAt: number }, now: number = Date.now()): Promise<void> {
    return sessions.createSession(this.db, input, now);
  }
  findSession(idHash: string): Promise<Session | null> {
    return sessions.findSession(this.db, idHash);
  }
  touchSession(idHash: string, now: number = Date.now()): Promise<void> {
    return sessions.touchSession(this.db, idHash, now);
  }
  endSession(idHash: string): Promise<void> {
    return sessions.endSession(this.db, idHash);
  }
  endOperatorSessions(operatorId: number): Promise<number> {
    return sessions.endOperatorSessions(this.db, operatorId);
  }
  purgeSessions(now: number, idleBefore: number): Promise<number> {
    return sessions.purgeSessions(this.db, now, idleBefore);
  }
  addApiToken(input: { name: string; tokenHash: string; role: Role }, now: Date = new Date()): Promise<ApiToken> {
    return apiTokens.addApiToken(this.db, input, now);
  }
  listApiTokens(): Promise<ApiToken[]> {
    return apiTokens.listApiTokens(this.db);
  }
  removeApiToken(name: string): Promise<boolean> {
    return apiTokens.removeApiToken(this.db, name);
  }
  useApiToken(tokenHash: string, now: Date = new Date()): Promise<ApiToken | null> {
    return apiTokens.useApiToken(this.db, tokenHash, now);
  }
}
