// The console's two cookies, written and read by hand (no cookie plugin is a dependency): the
// session (`pressroom_session`, Path=/) and the sign-in form's CSRF value (`pressroom_login`, only
// sent to /admin/login). Both HttpOnly and SameSite=Strict; Secure when the site is https, so
// they never travel in the clear.
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'pressroom_session';
export const LOGIN_COOKIE = 'pressroom_login';

/** The value of one cookie of the request, or undefined. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
  secure: boolean;
}

/** Adds a Set-Cookie header (values are base64url: nothing to quote). */
export function setCookie(reply: FastifyReply, name: string, value: string, { path, maxAge, secure }: CookieOptions): void {
  const cookie = `${name}=${value}; Path=${path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}

/** Whether cookies get the Secure attribute: the site is served over https. */
export function secureCookies(siteUrl: string | undefined): boolean {
  return (siteUrl ?? '').toLowerCase().startsWith('https:');
}
