// Bearer tokens for the operator API and /metrics.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** Compares hashes so neither the length nor the content of the token leaks through timing. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True when the request carries `Authorization: Bearer <t>` for one of `accepted` (each compared, in constant time). */
export function hasBearer(request: FastifyRequest, accepted: ReadonlyArray<string | undefined>): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) return false;
  let ok = false;
  for (const token of accepted) if (token && tokenMatches(match[1]!, token)) ok = true;
  return ok;
}

export const BEARER_CHALLENGE = 'Bearer realm="pressroom"';
