// Sign-up limits through @fastify/rate-limit: its in-process store (fixed window per key, LRU of
// keys). In-process on purpose: one Pressroom process serves sign-ups; behind several replicas the
// proxy should limit too (see docs/service.md). The limiters are called from the handler, not as
// route hooks, so the route keeps answering in its own words (an HTML page or JSON) and can key
// on what it learns inside (the canonical address).
import fastifyRateLimit, { type CreateRateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export interface RateLimitOptions {
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
}

/** Counts one request for `key`; resolves to 0 when allowed, else the seconds until the window resets. */
export type Limiter = (request: FastifyRequest, key: string) => Promise<number>;

/** Keys kept per limiter; past that the least recently seen go first. */
const MAX_KEYS = 10_000;

export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  // No route is limited by itself: only where a route asks (createLimiter).
  await app.register(fastifyRateLimit, { global: false });
}

export function createLimiter(app: FastifyInstance, { max, windowMs }: RateLimitOptions): Limiter {
  // The plugin asks a key generator for the key; the caller names it, per request.
  const keys = new WeakMap<FastifyRequest, string>();
  const options: CreateRateLimitOptions & { cache: number } = {
    max,
    timeWindow: windowMs,
    keyGenerator: (request) => keys.get(request) ?? '',
    cache: MAX_KEYS,
  };
  const check = app.createRateLimit(options);
  return async (request, key) => {
    keys.set(request, key);
    try {
      const result = await check(request);
      if (result.isAllowed || !result.isExceeded) return 0;
      return Math.max(1, result.ttlInSeconds);
    } finally {
      keys.delete(request);
    }
  };
}
