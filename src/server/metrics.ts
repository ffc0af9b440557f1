// GET /healthz and GET /metrics (Prometheus text exposition format 0.0.4, through prom-client).
// Figures come from the store, so a `serve` process reports sends made by a separate `worker`
// process too; they are read lazily, when a scrape asks, and at most once per 5 s (store-figures.ts).
// /healthz is public and says only ok/degraded; /metrics counts subscribers by status, which
// moves when someone signs up, so it needs a token unless the operator makes it public.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { feedbackRates } from '../domain/feedback.js';
import { SUBSCRIBER_STATUSES } from '../domain/subscriber-status.js';
import { readLastTick, type LastTick } from '../worker/state.js';
import { BEARER_CHALLENGE, hasBearer } from './auth.js';
import type { ServerContext } from './context.js';
import { CachedFigures, readStoreFigures, type StoreFigures } from './store-figures.js';

const RATE_WINDOW_MS = 60_000;

/** Messages per second over about the last minute, from (time, total sent) samples. */
export class SendRate {
  private samples: Array<{ at: number; sent: number }> = [];

  record(at: number, sent: number): number {
    this.samples.push({ at, sent });
    // Keep one sample older than the window as the baseline.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? Math.max(0, sent - first.sent) / seconds : 0;
  }
}

/** Degraded: the process is up, but the last tick failed or some issue files have problems. */
export function healthStatus(lastTick: LastTick | null): 'ok' | 'degraded' {
  return lastTick && (!lastTick.ok || (lastTick.problems ?? 0) > 0) ? 'degraded' : 'ok';
}

/** What /healthz shows of the last tick: when and whether, never error text (it names server paths). */
function publicTick(lastTick: LastTick | null) {
  if (!lastTick) return null;
  return { at: new Date(lastTick.at).toISOString(), ok: lastTick.ok, problems: lastTick.problems ?? 0 };
}

/** prom-client writes a blank line between metrics; the exposition we have always sent has none. */
const exposition = (text: string) => text.replace(/\n{2,}/g, '\n');

const finite = (value: number) => (Number.isFinite(value) ? value : 0);

/** One registry per server (no process-wide default metrics), every value collected from the store figures. */
function metricsRegistry(figures: () => Promise<StoreFigures>, now: () => number): Registry {
  const registry = new Registry();
  const rate = new SendRate();
  const registers = [registry];
  // A counter that mirrors a total kept in the store (prom-client counters only go up by inc()).
  const storeCounter = (name: string, help: string, value: (f: StoreFigures) => number) =>
    new Counter({
      name,
      help,
      registers,
      async collect() {
        const v = finite(value(await figures()));
        this.reset();
        this.inc(Math.max(0, v));
      },
    });
  const gauge = (name: string, help: string, set: (g: Gauge, f: StoreFigures) => void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        set(this, await figures());
      },
    });

  storeCounter('pressroom_messages_sent_total', 'Issue emails accepted by the SMTP server (or written to the outbox).', (f) => f.ledger.deliveries.sent);
  storeCounter('pressroom_messages_failed_total', 'Issue emails that failed for good.', (f) => f.ledger.deliveries.failed);
  storeCounter('pressroom_messages_bounced_total', 'Hard bounces: refused during the SMTP conversation or reported later (DSN, webhook).', (f) => f.ledger.deliveries.bounced);
  storeCounter('pressroom_messages_soft_bounced_total', 'Messages with at least one soft bounce reported.', (f) => f.ledger.deliveries.softBounced);
  storeCounter('pressroom_complaints_total', 'Messages whose recipient complained (ARF report, provider webhook).', (f) => f.ledger.deliveries.complained);
  gauge(
    'pressroom_campaign_messages',
    'Per campaign (the newest ten): messages sent, hard-bounced, soft-bounced and complained about.',
    (g, f) => {
      g.reset();
      for (const [campaign, c] of f.campaigns) {
        for (const [outcome, n] of [
          ['sent', c.sent],
          ['hard_bounce', c.bounced],
          ['soft_bounce', c.softBounced],
          ['complaint', c.complained],
        ] as const)
          g.set({ campaign, outcome }, finite(n));
      }
    },
    ['campaign', 'outcome'],
  );
  gauge(
    'pressroom_campaign_feedback_rate',
    'Per campaign (the newest ten): hard-bounce, soft-bounce and complaint rates, as fractions of the messages a server answered for.',
    (g, f) => {
      g.reset();
      for (const [campaign, c] of f.campaigns) {
        const r = feedbackRates(c);
        for (const [kind, x] of [
          ['hard_bounce', r.bounceRate],
          ['soft_bounce', r.softBounceRate],
          ['complaint', r.complaintRate],
        ] as const)
          g.set({ campaign, kind }, finite(x));
      }
    },
    ['campaign', 'kind'],
  );
  gauge(
    'pressroom_messages_queued',
    'Ledger rows waiting to be sent, by state.',
    (g, { ledger: { deliveries: d } }) => {
      for (const state of ['queued', 'retry', 'sending'] as const) g.set({ state }, finite(d[state]));
    },
    ['state'],
  );
  gauge('pressroom_send_rate', 'Messages sent per second over about the last minute, as seen by this process.', (g, f) =>
    g.set(Number(rate.record(now(), f.ledger.deliveries.sent).toFixed(3))),
  );
  gauge(
    'pressroom_campaigns',
    'Campaigns by state.',
    (g, { ledger: { campaigns } }) => {
      g.set({ state: 'unfinished' }, campaigns.unfinished);
      g.set({ state: 'finished' }, campaigns.finished);
    },
    ['state'],
  );
  gauge(
    'pressroom_subscribers',
    'Subscribers by status.',
    (g, f) => {
      for (const [status, n] of f.subscribers) g.set({ status }, finite(n));
    },
    ['status'],
  );
  gauge('pressroom_worker_last_tick_timestamp_seconds', 'When the last worker tick finished (0 = never).', (g, f) => g.set(f.lastTick ? f.lastTick.at / 1000 : 0));
  gauge('pressroom_worker_last_tick_success', '1 if the last worker tick succeeded.', (g, f) => g.set(f.lastTick?.ok ? 1 : 0));
  return registry;
}

export function registerHealthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const figures = new CachedFigures(() => readStoreFigures(ctx.store, SUBSCRIBER_STATUSES), ctx.now);
  const registry = metricsRegistry(() => figures.get(), ctx.now);

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
    const text = exposition(await registry.metrics());
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
