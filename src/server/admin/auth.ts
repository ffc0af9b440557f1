// Who is asking, and whether they may: one preHandler for /admin and /api. A request is an
// operator's session (the cookie), a named API token or the PRESSROOM_ADMIN_TOKEN (a bearer; the
// admin token has owner rights). A session's unsafe request must carry its CSRF token (form field
// `_csrf` or header `x-csrf-token`), compared in constant time. Each route names the role it needs
// in its options (`config: { role: 'editor' }`, see needs()); without one, reading needs viewer and
// anything else owner, so a route that forgets is closed rather than open.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { roleAllows, type Role } from '../../domain/roles.js';
import { secretHash } from '../../accounts/secrets.js';
import { BEARER_CHALLENGE, tokenMatches } from '../auth.js';
import type { ServerContext } from '../context.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import { sessionAlive } from './session-policy.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route (src/server/admin/auth.ts). */
    role?: Role;
  }
}

export type Identity =
  | { kind: 'session'; role: Role; email: string; operatorId: number; csrfSecret: string; idHash: string }
  | { kind: 'token'; role: Role; name: string }
  | { kind: 'admin-token'; role: 'owner' };

/** The route option that says which role a route needs. */
export function needs(role: Role): { config: { role: Role } } {
  return { config: { role } };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const identities = new WeakMap<FastifyRequest, Identity>();

/** The identity the guard let through (routes behind guard() only). */
export function identityOf(request: FastifyRequest): Identity {
  const identity = identities.get(request);
  if (!identity) throw new Error('identityOf: the route is not behind guard()');
  return identity;
}

/** The operator's live session from the cookie, its last use recorded; an expired or idle one is deleted. */
export async function sessionOf(request: FastifyRequest, ctx: ServerContext): Promise<Extract<Identity, { kind: 'session' }> | null> {
  const id = readCookie(request, SESSION_COOKIE);
  if (!id) return null;
  const idHash = secretHash(id);
  const session = await ctx.store.findSession(idHash);
  if (!session) return null;
  const now = ctx.now();
  if (!sessionAlive(session, now)) {
    await ctx.store.endSession(idHash);
    return null;
  }
  await ctx.store.touchSession(idHash, now);
  return { kind: 'session', role: session.role, email: session.email, operatorId: session.operatorId, csrfSecret: session.csrfSecret, idHash };
}

async function bearerIdentity(token: string, ctx: ServerContext): Promise<Identity | null> {
  const { adminToken } = ctx.config;
  if (adminToken && tokenMatches(token, adminToken)) return { kind: 'admin-token', role: 'owner' };
  // Looked up by its SHA-256: the lookup's timing depends on the hash, not on the token.
  const named = await ctx.store.useApiToken(secretHash(token), new Date(ctx.now()));
  return named ? { kind: 'token', role: named.role, name: named.name } : null;
}

/** Whether the request carries the session's CSRF token. */
function csrfMatches(request: FastifyRequest, csrfSecret: string): boolean {
  const header = request.headers['x-csrf-token'];
  const body = request.body as { _csrf?: unknown } | undefined;
  const given = typeof header === 'string' ? header : typeof body?._csrf === 'string' ? body._csrf : '';
  return given !== '' && tokenMatches(given, csrfSecret);
}

interface GuardOptions {
  /** `page`: sessions only, and a browser without one is sent to the sign-in page; `api`: bearer tokens or a session, 401 JSON. */
  answer: 'page' | 'api';
  /** How a refusal (403) is answered. */
  forbidden(reply: FastifyReply, why: string, identity: Identity): FastifyReply;
}

/**
 * The hook: onRequest for the API (nothing is parsed before the caller is known; its CSRF token is
 * the header), preHandler for pages (their forms send `_csrf` in the body).
 */
export function guard(ctx: ServerContext, options: GuardOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  return async (request, reply) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    let identity: Identity | null;
    if (options.answer === 'api' && request.headers.authorization !== undefined) identity = bearer ? await bearerIdentity(bearer[1]!, ctx) : null;
    else identity = await sessionOf(request, ctx);
    if (!identity) {
      if (options.answer === 'page') return reply.code(303).header('location', '/admin/login').header('cache-control', 'no-store').send();
      return reply.code(401).header('www-authenticate', BEARER_CHALLENGE).send({ error: 'missing or wrong bearer token' });
    }
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe && identity.kind === 'session' && !csrfMatches(request, identity.csrfSecret)) {
      return options.forbidden(reply, 'missing or wrong CSRF token', identity);
    }
    const need = request.routeOptions.config.role ?? (unsafe ? 'owner' : 'viewer');
    if (!roleAllows(identity.role, need)) return options.forbidden(reply, `this needs the ${need} role`, identity);
    identities.set(request, identity);
  };
}
