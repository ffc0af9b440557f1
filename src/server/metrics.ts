// GET /healthz and GET /metrics (Prometheus text exposition format 0.0.4; the registry is in
// metrics-registry.ts, loaded on the first scrape).
// Figures come from the store, so a `serve` process reports sends made by a separate `worker`
// process too; they are read lazily, when a scrape asks, and at most once per 5 s (store-figures.ts).
// /healthz is public and says only ok/degraded; /metrics counts subscribers by status, which
// moves when someone signs up, so it needs a token unless the operator makes it public.
import type { FastifyInstance } from 'fastify';
import { SUBSCRIBER_STATUSES } from '../domain/subscriber-status.js';
import { readLastTick, type LastTick } from '../worker/state.js';
import { BEARER_CHALLENGE, hasBearer } from './auth.js';
import type { ServerContext } from './context.js';
import { CachedFigures, readStoreFigures } from './store-figures.js';

/** Degraded: the process is up, but the last tick failed or some issue files have problems. */
export function healthStatus(lastTick: LastTick | null): 'ok' | 'degraded' {
  return lastTick && (!lastTick.ok || (lastTick.problems ?? 0) > 0) ? 'degraded' : 'ok';
}

/** What /healthz shows of the last tick: when and whether, never error text (it names server paths). */
function publicTick(lastTick: LastTick | null) {
  if (!lastTick) return null;
  return { at: new Date(lastTick.at).toISOString(), ok: lastTick.ok, problems: lastTick.problems ?? 0 };
}

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const figures = new CachedFigures(() => readStoreFigures(ctx.store, SUBSCRIBER_STATUSES), ctx.now);
  let scraper: Promise<() => Promise<{ text: string; contentType: string }>> | null = null;
  const scrape = async () => {
    scraper ??= import('./metrics-registry.js').then((m) => m.metricsScraper(() => figures.get(), ctx.now));
    return (await scraper)();
  };

  app.get('/healthz', async (_request, reply) => {
    try {
      await ctx.store.getSetting('health');
      const lastTick = await readLastTick(ctx.store);
      return reply.header('cache-control', 'no-store').send({ status: healthStatus(lastTick), lastTick: publicTick(lastTick) });
    } catch (err) {
      ctx.logger.error({ err }, 'health check failed');
      return reply.code(503).header('cache-control', 'no-store').send({ status: 'error', error: 'store unavailable' });
    }
  });

  app.get('/metrics', async (request, reply) => {
    const { metricsPublic, metricsToken, adminToken } = ctx.config;
    if (!metricsPublic && !hasBearer(request, [metricsToken, adminToken])) {
      const error = metricsToken || adminToken ? 'missing or wrong bearer token' : 'set metricsToken (PRESSROOM_METRICS_TOKEN) to scrape /metrics';
      return reply.code(401).header('www-authenticate', BEARER_CHALLENGE).header('cache-control', 'no-store').send({ error });
    }
    const { text, contentType } = await scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
  });
}
