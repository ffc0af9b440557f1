// Signing in and out of the console. Every failed sign-in (unknown address, wrong password,
// locked account) gets the same answer, after the same scrypt work, so the page tells no one which
// addresses are operators. Attempts are limited per client address; an account is locked after
// LOGIN_FAILURES wrong passwords in a row. The form carries a CSRF value tied to a cookie of its
// own (there is no session yet), and a cross-site post is refused.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DUMMY_HASH, verifyPassword } from '../../accounts/password.js';
import { newSecret, secretHash } from '../../accounts/secrets.js';
import { tokenMatches } from '../auth.js';
import type { ServerContext } from '../context.js';
import { createLimiter } from '../rate-limit.js';
import { isCrossSite } from '../same-origin.js';
import { identityOf, needs, sessionOf } from './auth.js';
import { LOGIN_COOKIE, readCookie, secureCookies, SESSION_COOKIE, setCookie } from './cookies.js';
import { sendAdminPage } from './render.js';
import { IDLE_TIMEOUT_MS, isLocked, LOGIN_FAILURES, SESSION_LIFETIME_MS } from './session-policy.js';

/** The one answer to a failed sign-in, whatever the reason. */
export const SIGN_IN_REFUSED = 'Wrong email address or password, or too many attempts: try again later.';

const LOGIN_PATH = '/admin/login';
const LOGIN_COOKIE_SECONDS = 60 * 60;

/** GET and POST /admin/login: outside the guard (no session yet). */
export function registerLoginRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const perAddress = createLimiter(app, ctx.loginRateLimit);
  const secure = () => secureCookies(ctx.config.site.url);

  // The address typed is not shown again: every refusal is then the same page, byte for byte.
  const loginPage = (reply: FastifyReply, request: FastifyRequest, status: number, notice: string | null) => {
    // One value per browser for an hour, so two open sign-in tabs both work.
    const existing = readCookie(request, LOGIN_COOKIE);
    const loginCsrf = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : newSecret();
    setCookie(reply, LOGIN_COOKIE, loginCsrf, { path: LOGIN_PATH, maxAge: LOGIN_COOKIE_SECONDS, secure: secure() });
    return sendAdminPage(reply, ctx, status, 'login', { title: 'Sign in', session: null, notice }, { loginCsrf });
  };

  app.get(LOGIN_PATH, async (request, reply) => {
    if (await sessionOf(request, ctx)) return reply.code(303).header('location', '/admin').send();
    return loginPage(reply, request, 200, null);
  });

  app.post<{ Body: Record<string, unknown> | undefined }>(LOGIN_PATH, async (request, reply) => {
    const body = request.body ?? {};
    const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const cookie = readCookie(request, LOGIN_COOKIE);
    if (isCrossSite(request, ctx.config.site.url) || !cookie || !tokenMatches(field('_csrf'), cookie)) {
      return loginPage(reply, request, 403, 'This form had expired. Please sign in again.');
    }
    const wait = await perAddress(request, `admin-login:${request.ip}`);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return loginPage(reply, request, 429, `Too many sign-in attempts from your address. Try again in ${Math.ceil(wait / 60)} minute(s).`);
    }
    const email = field('email').trim();
    const operator = email === '' ? null : await ctx.store.findOperator(email);
    const now = ctx.now();
    // Always one scrypt, so an unknown address costs as long as a known one.
    const matches = await verifyPassword(field('password'), operator?.passwordHash ?? DUMMY_HASH);
    if (!operator || isLocked(operator.lockedUntil, now) || !matches) {
      if (operator && !isLocked(operator.lockedUntil, now)) await ctx.store.recordLoginFailure(operator.id, LOGIN_FAILURES, now);
      ctx.logger.info({ locked: operator ? isLocked(operator.lockedUntil, now) : undefined }, 'console sign-in refused');
      return loginPage(reply, request, 401, SIGN_IN_REFUSED);
    }
    await ctx.store.recordLoginSuccess(operator.id);
    const id = newSecret();
    await ctx.store.createSession({ idHash: secretHash(id), operatorId: operator.id, csrfSecret: newSecret(), expiresAt: now + SESSION_LIFETIME_MS }, now);
    await ctx.store.purgeSessions(now, now - IDLE_TIMEOUT_MS);
    setCookie(reply, SESSION_COOKIE, id, { path: '/', maxAge: SESSION_LIFETIME_MS / 1000, secure: secure() });
    setCookie(reply, LOGIN_COOKIE, '', { path: LOGIN_PATH, maxAge: 0, secure: secure() });
    ctx.logger.info({ operator: operator.email }, 'console sign-in');
    return reply.code(303).header('location', '/admin').header('cache-control', 'no-store').send();
  });
}

/** POST /admin/logout and /admin/logout-everywhere: behind the guard (a session and its CSRF token). */
export function registerLogoutRoutes(admin: FastifyInstance, ctx: ServerContext): void {
  const signedOut = (reply: FastifyReply) => {
    setCookie(reply, SESSION_COOKIE, '', { path: '/', maxAge: 0, secure: secureCookies(ctx.config.site.url) });
    return reply.code(303).header('location', LOGIN_PATH).header('cache-control', 'no-store').send();
  };
  admin.post('/logout', needs('viewer'), async (request, reply) => {
    const session = identityOf(request);
    if (session.kind === 'session') await ctx.store.endSession(session.idHash);
    return signedOut(reply);
  });
  admin.post('/logout-everywhere', needs('viewer'), async (request, reply) => {
    const session = identityOf(request);
    if (session.kind === 'session') await ctx.store.endOperatorSessions(session.operatorId);
    return signedOut(reply);
  });
}
